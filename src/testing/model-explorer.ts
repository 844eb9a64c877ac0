import {
  createActor,
  type AnyActorLogic,
  type AnyStateMachine,
  type AnyStateNode,
  type AnyTransitionDefinition,
  type EventFromLogic,
  type EventObject,
  type InputFrom,
  type SnapshotFrom,
} from 'xstate';
import { getStateNodes } from 'xstate/graph';

/**
 * Model-based verification for XState v5 logic: explore every reachable snapshot of a machine (or
 * any actor logic, e.g. several machines composed with `fromTransition`), check invariants on
 * every state and transition, report the shortest event path to each violation, and turn the
 * model's paths into tests against a system under test through an adapter.
 *
 * It walks the same graph as `xstate/graph`'s `getAdjacencyMap` (breadth first, one serialized
 * snapshot per vertex) but keeps only one snapshot per vertex and integer edges, records the actions
 * and transition definitions each step takes (for invariants and coverage), and stops at a bound.
 */

/** An action a step would execute, as `transition()` returns it (the machine's implementations do not run). */
export interface ActionRecord {
  type: string;
  params?: unknown;
}

/** One step of a model: `from`/`event` are undefined for the initial snapshot. */
export interface ModelStep<S, E> {
  from: S | undefined;
  event: E | undefined;
  to: S;
  /** Actions the step executes (named actions and built-ins such as delayed `xstate.raise`). */
  actions: readonly ActionRecord[];
}

/**
 * A named property checked on every reachable state and every explored transition.
 * `check` returns true when it holds, false or a message explaining the violation otherwise.
 * @example
 * const noTimers: Invariant<any, any> = {
 *   name: 'no state waits on a timer',
 *   check: ({ actions }) => !actions.some((a) => typeof (a.params as any)?.delay === 'number') || 'a timer was scheduled',
 * };
 */
export interface Invariant<S, E> {
  name: string;
  description?: string;
  check(step: ModelStep<S, E>): boolean | string;
}

/**
 * A progress property: from every reachable state, some state satisfying `goal` is reachable
 * using only the events `via` accepts (all events when omitted). Finite-state liveness: it fails on
 * states that are stuck, e.g. an input queued where nothing will ever serve it.
 * @example
 * const ends: Progress<Snap, Ev> = { name: 'every run can end', goal: (s) => s.status === 'done' };
 */
export interface Progress<S, E> {
  name: string;
  description?: string;
  goal(snapshot: S): boolean;
  via?(event: E): boolean;
}

export interface ExploreOptions<TLogic extends AnyActorLogic> {
  /** The model: a state machine, or any actor logic (e.g. `fromTransition` composing several machines). */
  logic: TLogic;
  /** Input of the initial snapshot. */
  input?: InputFrom<TLogic>;
  /** A name for reports. */
  name?: string;
  /** The events to try in each state, with their payload variants (a list, or a function of the state). */
  events: readonly EventFromLogic<TLogic>[] | ((snapshot: SnapshotFrom<TLogic>) => readonly EventFromLogic<TLogic>[]);
  /**
   * Vertex identity. Keep it finite: drop counters and data that never changes behaviour.
   * Default: `value` and `context` for a machine snapshot, JSON of the snapshot otherwise.
   */
  serialize?: (snapshot: SnapshotFrom<TLogic>) => string;
  invariants?: readonly Invariant<SnapshotFrom<TLogic>, EventFromLogic<TLogic>>[];
  progress?: readonly Progress<SnapshotFrom<TLogic>, EventFromLogic<TLogic>>[];
  /** Stop (and flag the report as truncated) past this many states. Default 500 000. */
  maxStates?: number;
  /** Violations kept per invariant (the shortest first). Default 1. */
  maxViolationsPerInvariant?: number;
}

/** An event path from the initial state, with the snapshot reached after each event. */
export interface ModelPath<S, E> {
  events: E[];
  /** `states[0]` is the initial snapshot; `states[i + 1]` follows `events[i]`. */
  states: S[];
}

export interface Violation<S, E> {
  invariant: string;
  message: string;
  /** The shortest path to the violating step (its last event is the violating transition, if any). */
  path: ModelPath<S, E>;
}

export interface ProgressResult<S, E> {
  name: string;
  /** States from which no goal state is reachable. */
  stuck: number;
  /** Their vertices in `graph` (breadth-first order: the first is the closest to the initial state). */
  stuckVertices: number[];
  /** The shortest path to a stuck state, when there is one. */
  example?: ModelPath<S, E>;
}

export interface InvariantResult {
  name: string;
  description?: string;
  violations: number;
}

/** Which parts of a machine definition the exploration exercised. */
export interface MachineCoverage {
  machine: string;
  stateNodes: { total: number; covered: number; uncovered: string[] };
  transitions: { total: number; covered: number; uncovered: string[] };
}

/** Steps a model without exploring it: enough to replay paths and walk it at random. */
export interface ModelWalker<S, E> {
  /** The initial snapshot. */
  initial(): S;
  /** Steps the model from a snapshot (pure). */
  step(snapshot: S, event: E): ModelStep<S, E>;
  /** The events a state offers. */
  eventsOf(snapshot: S): readonly E[];
  /** Replays `events` from the initial snapshot: the exact snapshots, whatever the serialization merged. */
  replay(events: readonly E[]): ModelPath<S, E>;
}

export interface ExplorationReport<S, E> extends ModelWalker<S, E> {
  name: string;
  states: number;
  /** Explored (state, event) pairs, self-loops included. */
  transitions: number;
  /** Transitions that changed the serialized state. */
  stateChanges: number;
  /** Length of the longest shortest path. */
  depth: number;
  truncated: boolean;
  invariants: InvariantResult[];
  violations: Violation<S, E>[];
  progress: ProgressResult<S, E>[];
  /** For a machine model: definition coverage. */
  coverage?: MachineCoverage;
  /** True when nothing was violated, nothing is stuck and the bound was not hit. */
  ok: boolean;
  /** The reachability graph (vertex = serialized state, numbered in breadth-first order). */
  graph: ModelGraph<S, E>;
}

export interface ModelGraph<S, E> {
  keys: string[];
  snapshots: S[];
  /** BFS tree: parent vertex and event (-1 / undefined for the initial vertex). */
  parent: number[];
  parentEvent: (E | undefined)[];
  edgeFrom: number[];
  edgeTo: number[];
  edgeEvent: E[];
}

// ── stepping ────────────────────────────────────────────────────────────────

export interface StepResult<S> {
  snapshot: S;
  actions: ActionRecord[];
}

/**
 * Collects which state nodes and transition definitions of a machine were exercised.
 * @example
 * const cov = new CoverageRecorder(toolRunMachine);
 * const step = createMachineStepper(toolRunMachine, cov); // ...step it...
 * console.log(formatCoverage(cov.report()).join('\n'));
 */
export class CoverageRecorder {
  readonly nodes = new Set<AnyStateNode>();
  readonly transitions = new Set<AnyTransitionDefinition>();
  constructor(readonly machine: AnyStateMachine) {}

  /** State nodes and transition definitions of the machine, and which of them were seen. */
  report(): MachineCoverage {
    const all = [this.machine.root, ...getStateNodes(this.machine.root)];
    const defs = definedTransitions(this.machine);
    const label = (t: AnyTransitionDefinition) =>
      `${t.source.id} ${t.eventType || 'always'}${t.target ? ` → ${t.target.map((n: AnyStateNode) => n.id).join(',')}` : ''}${t.guard ? ` [${describeGuard(t.guard)}]` : ''}`;
    return {
      machine: this.machine.id,
      stateNodes: { total: all.length, covered: all.filter((n) => this.nodes.has(n)).length, uncovered: all.filter((n) => !this.nodes.has(n)).map((n) => n.id) },
      transitions: { total: defs.length, covered: defs.filter((t) => this.transitions.has(t)).length, uncovered: defs.filter((t) => !this.transitions.has(t)).map(label) },
    };
  }
}

/**
 * Every transition definition of a machine: event transitions (delayed ones included) and `always`.
 * @example definedTransitions(toolRunMachine).map((t) => t.eventType) // ['RESULT', 'ERROR', 'INTERRUPT', ...]
 */
export function definedTransitions(machine: AnyStateMachine): AnyTransitionDefinition[] {
  const out: AnyTransitionDefinition[] = [];
  for (const n of [machine.root, ...getStateNodes(machine.root)]) {
    for (const list of n.transitions.values()) out.push(...list);
    if (n.always) out.push(...n.always);
  }
  return out;
}

function describeGuard(g: unknown): string {
  if (typeof g === 'string') return g;
  if (g && typeof g === 'object' && 'type' in g) return String((g as { type: unknown }).type);
  return typeof g === 'function' ? (g.name || 'guard') : 'guard';
}

/**
 * An actor scope for XState's pure transition functions that runs no effect: it records each
 * action (type and params) instead, so a model step can be compared with what the runtime does.
 */
function recordingScope(self: unknown, system: unknown, record: (a: ActionRecord) => void) {
  return {
    self,
    defer: () => {},
    id: '',
    logger: () => {},
    sessionId: '',
    stopChild: () => {},
    system,
    emit: () => {},
    actionExecutor: (a: { type: string; params?: unknown }) => record({ type: a.type, params: a.params }),
  };
}

/**
 * A pure stepper for a machine: like `xstate`'s `transition()` (next snapshot and the actions the
 * runtime would execute, nothing executed) but reusing one actor scope, which makes it ~10× faster,
 * recording the transition definitions taken when given a {@link CoverageRecorder}, and, like an
 * actor, ignoring events once the machine is done.
 * Only for machines without invoked or spawned children (pure protocol machines).
 * @example
 * const step = createMachineStepper(toolRunMachine);
 * let { snapshot } = step.initial({ callId: 'c1', name: 'lookup', speechId: 's1', step: 1 });
 * const { snapshot: next, actions } = step.next(snapshot, { type: 'INTERRUPT', force: true });
 * // next.value === 'aborted'; actions include 'rejectPlayoutWaiters'
 */
export function createMachineStepper<M extends AnyStateMachine>(machine: M, coverage?: CoverageRecorder) {
  type S = SnapshotFrom<M>;
  type E = EventFromLogic<M>;
  let sink: ActionRecord[] = [];
  const self = createActor(machine as AnyStateMachine, { input: {} as never });
  const baseSystem = self.system as unknown as Record<string, unknown>;
  // Microstep inspection events carry the transitions taken: coverage without a live actor.
  const system = Object.create(baseSystem) as Record<string, unknown>;
  system._sendInspectionEvent = (ev: { type: string; _transitions?: AnyTransitionDefinition[]; snapshot?: { _nodes?: AnyStateNode[] } }) => {
    if (!coverage || ev.type !== '@xstate.microstep') return;
    for (const t of ev._transitions ?? []) coverage.transitions.add(t);
    // Transient states (left by an `always` in the same macrostep) show up only here.
    for (const n of ev.snapshot?._nodes ?? []) coverage.nodes.add(n);
  };
  const scope = recordingScope(self, system, (a) => sink.push(a));
  const seen = (s: S) => {
    if (coverage) for (const n of (s as unknown as { _nodes: AnyStateNode[] })._nodes) coverage.nodes.add(n);
    return s;
  };
  return {
    machine,
    initial(input?: InputFrom<M>): StepResult<S> {
      sink = [];
      const snapshot = machine.getInitialSnapshot(scope as never, input) as S;
      return { snapshot: seen(snapshot), actions: sink };
    },
    next(snapshot: S, event: E): StepResult<S> {
      sink = [];
      // Like an actor: a machine that is done takes no more events. (The pure `transition()` would
      // still run root-level handlers on a final snapshot; an actor never delivers them.)
      if ((snapshot as { status?: string }).status !== 'active') return { snapshot, actions: sink };
      const next = machine.transition(snapshot as never, event as never, scope as never) as S;
      return { snapshot: seen(next), actions: sink };
    },
  };
}

export type MachineStepper<M extends AnyStateMachine> = ReturnType<typeof createMachineStepper<M>>;

function isMachine(logic: AnyActorLogic): logic is AnyStateMachine {
  return typeof logic === 'object' && logic !== null && 'getStateNodeById' in logic;
}

function defaultSerialize(snapshot: unknown): string {
  const s = snapshot as { value?: unknown; context?: unknown };
  if (s && typeof s === 'object' && 'value' in s) return JSON.stringify({ value: s.value, context: s.context });
  return JSON.stringify(snapshot);
}

/**
 * An event in one short line, for paths in reports and test names.
 * @example formatEvent({ type: 'INTERRUPT', force: true }) // 'INTERRUPT(force=true)'
 */
export function formatEvent(e: EventObject): string {
  const { type, ...rest } = e as EventObject & Record<string, unknown>;
  const keys = Object.keys(rest);
  if (keys.length === 0) return type;
  return `${type}(${keys.map((k) => `${k}=${typeof rest[k] === 'string' ? rest[k] : JSON.stringify(rest[k])}`).join(',')})`;
}

/**
 * Events of a path joined with arrows; `(initial)` for the empty path.
 * @example formatPath([{ type: 'GO' }, { type: 'STOP' }]) // 'GO → STOP'
 */
export function formatPath(events: readonly EventObject[]): string {
  return events.length === 0 ? '(initial)' : events.map(formatEvent).join(' → ');
}

// ── exploration ─────────────────────────────────────────────────────────────

/**
 * Explores every state reachable from the initial snapshot with the given events (breadth first),
 * checks the invariants on each state and transition, and the progress properties on the graph.
 * A violation comes with the shortest event path that reaches it.
 * @example
 * const report = exploreModel({
 *   logic: toolRunMachine,
 *   input: { callId: 'c1', name: 'lookup', speechId: 's1', step: 1 },
 *   events: [{ type: 'WAIT_FOR_PLAYOUT' }, { type: 'PLAYOUT_DONE' }, { type: 'RESULT', output: 'ok' }, { type: 'INTERRUPT', force: true }],
 *   invariants: [{ name: 'aborted only by INTERRUPT', check: ({ event, to }) => !to.matches('aborted') || event?.type !== 'RESULT' }],
 * });
 * console.log(formatReport(report).join('\n')); // states, transitions, ✓/✗ per invariant
 */
export function exploreModel<TLogic extends AnyActorLogic>(o: ExploreOptions<TLogic>): ExplorationReport<SnapshotFrom<TLogic>, EventFromLogic<TLogic>> {
  type S = SnapshotFrom<TLogic>;
  type E = EventFromLogic<TLogic>;
  const logic = o.logic;
  const serialize = o.serialize ?? (defaultSerialize as (s: S) => string);
  const eventsOf = typeof o.events === 'function' ? o.events : () => o.events as readonly E[];
  const maxStates = o.maxStates ?? 500_000;
  const maxKept = o.maxViolationsPerInvariant ?? 1;
  const invariants = o.invariants ?? [];
  const coverage = isMachine(logic) ? new CoverageRecorder(logic) : undefined;

  const { stepFn, initialFn } = stepping(o, coverage);
  const graph: ModelGraph<S, E> = { keys: [], snapshots: [], parent: [], parentEvent: [], edgeFrom: [], edgeTo: [], edgeEvent: [] };
  const index = new Map<string, number>();
  const depthOf: number[] = [];
  const counts = new Map<string, number>(invariants.map((i) => [i.name, 0]));
  const violations: Violation<S, E>[] = [];
  let transitions = 0;
  let stateChanges = 0;
  let truncated = false;

  const pathTo = (v: number, extra?: { event: E; to: S }): ModelPath<S, E> => {
    const events: E[] = [];
    const states: S[] = [];
    for (let x = v; x !== -1; x = graph.parent[x]!) {
      states.push(graph.snapshots[x]!);
      const pe = graph.parentEvent[x];
      if (pe !== undefined) events.push(pe);
    }
    events.reverse();
    states.reverse();
    if (extra) {
      events.push(extra.event);
      states.push(extra.to);
    }
    return { events, states };
  };

  const check = (step: ModelStep<S, E>, fromVertex: number) => {
    for (const inv of invariants) {
      let r: boolean | string;
      try {
        r = inv.check(step);
      } catch (e) {
        r = `the check threw: ${e instanceof Error ? e.message : String(e)}`;
      }
      if (r === true) continue;
      const n = (counts.get(inv.name) ?? 0) + 1;
      counts.set(inv.name, n);
      if (n > maxKept) continue;
      const path = step.event === undefined ? pathTo(fromVertex) : pathTo(fromVertex, { event: step.event, to: step.to });
      violations.push({ invariant: inv.name, message: typeof r === 'string' ? r : 'violated', path });
    }
  };

  const init = initialFn();
  const initKey = serialize(init.snapshot);
  index.set(initKey, 0);
  graph.keys.push(initKey);
  graph.snapshots.push(init.snapshot);
  graph.parent.push(-1);
  graph.parentEvent.push(undefined);
  depthOf.push(0);
  check({ from: undefined, event: undefined, to: init.snapshot, actions: init.actions }, 0);

  for (let v = 0; v < graph.snapshots.length; v++) {
    const from = graph.snapshots[v]!;
    for (const event of eventsOf(from)) {
      const r = stepFn(from, event);
      transitions++;
      const key = serialize(r.snapshot);
      let w = index.get(key);
      if (w === undefined) {
        if (graph.snapshots.length >= maxStates) {
          truncated = true;
          continue;
        }
        w = graph.snapshots.length;
        index.set(key, w);
        graph.keys.push(key);
        graph.snapshots.push(r.snapshot);
        graph.parent.push(v);
        graph.parentEvent.push(event);
        depthOf.push(depthOf[v]! + 1);
      }
      if (w !== v) stateChanges++;
      graph.edgeFrom.push(v);
      graph.edgeTo.push(w);
      graph.edgeEvent.push(event);
      check({ from, event, to: r.snapshot, actions: r.actions }, v);
    }
  }

  const progress = (o.progress ?? []).map((p) => checkProgress(p, graph, pathTo));
  const invariantResults = invariants.map((i) => ({ name: i.name, ...(i.description ? { description: i.description } : {}), violations: counts.get(i.name) ?? 0 }));
  const walker = walkerOf(stepFn, initialFn, eventsOf);
  return {
    ...walker,
    name: o.name ?? (isMachine(logic) ? logic.id : 'model'),
    states: graph.snapshots.length,
    transitions,
    stateChanges,
    depth: depthOf.reduce((a, b) => Math.max(a, b), 0),
    truncated,
    invariants: invariantResults,
    violations,
    progress,
    ...(coverage ? { coverage: coverage.report() } : {}),
    ok: !truncated && violations.length === 0 && progress.every((p) => p.stuck === 0),
    graph,
  };
}

/** The pure step and initial functions of a model (a machine with coverage, or any actor logic). */
function stepping<TLogic extends AnyActorLogic>(o: { logic: TLogic; input?: InputFrom<TLogic> }, coverage?: CoverageRecorder) {
  type S = SnapshotFrom<TLogic>;
  type E = EventFromLogic<TLogic>;
  const logic = o.logic;
  let stepFn: (s: S, e: E) => StepResult<S>;
  let initialFn: () => StepResult<S>;
  if (isMachine(logic)) {
    const stepper = createMachineStepper(logic, coverage);
    stepFn = (s, e) => stepper.next(s as never, e as never) as StepResult<S>;
    initialFn = () => stepper.initial(o.input as never) as StepResult<S>;
  } else {
    let sink: ActionRecord[] = [];
    const self = createActor(logic, { input: o.input as never });
    const scope = recordingScope(self, self.system, (a) => sink.push(a));
    stepFn = (s, e) => {
      sink = [];
      const snapshot = logic.transition(s, e, scope as never) as S;
      return { snapshot, actions: sink };
    };
    initialFn = () => {
      sink = [];
      const snapshot = logic.getInitialSnapshot(scope as never, o.input) as S;
      return { snapshot, actions: sink };
    };
  }
  return { stepFn, initialFn };
}

function walkerOf<S, E>(stepFn: (s: S, e: E) => StepResult<S>, initialFn: () => StepResult<S>, eventsOf: (s: S) => readonly E[]): ModelWalker<S, E> {
  return {
    initial: () => initialFn().snapshot,
    step: (s, e) => {
      const r = stepFn(s, e);
      return { from: s, event: e, to: r.snapshot, actions: r.actions };
    },
    eventsOf: (s) => eventsOf(s),
    replay(events) {
      let s = initialFn().snapshot;
      const states = [s];
      for (const e of events) {
        s = stepFn(s, e).snapshot;
        states.push(s);
      }
      return { events: [...events], states };
    },
  };
}

/**
 * Steps a model without exploring it, for models too large to explore whole: replay paths, walk
 * it at random with {@link pathFromChoices}, drive a system with {@link runPath}.
 * @example
 * const walker = createModelWalker({ logic: composedModel, events: composedEvents });
 * const path = pathFromChoices(walker, [0, 4, 2, 9]);
 */
export function createModelWalker<TLogic extends AnyActorLogic>(
  o: Pick<ExploreOptions<TLogic>, 'logic' | 'input' | 'events'>,
): ModelWalker<SnapshotFrom<TLogic>, EventFromLogic<TLogic>> {
  type S = SnapshotFrom<TLogic>;
  type E = EventFromLogic<TLogic>;
  const { stepFn, initialFn } = stepping(o);
  const eventsOf = typeof o.events === 'function' ? o.events : () => o.events as readonly E[];
  return walkerOf<S, E>(stepFn, initialFn, eventsOf);
}

function checkProgress<S, E>(p: Progress<S, E>, g: ModelGraph<S, E>, pathTo: (v: number) => ModelPath<S, E>): ProgressResult<S, E> {
  const n = g.snapshots.length;
  // Reverse edges restricted to the allowed events, then a backward search from the goal states.
  const head = new Int32Array(n).fill(-1);
  const next = new Int32Array(g.edgeFrom.length).fill(-1);
  for (let i = 0; i < g.edgeFrom.length; i++) {
    if (p.via && !p.via(g.edgeEvent[i]!)) continue;
    const to = g.edgeTo[i]!;
    next[i] = head[to]!;
    head[to] = i;
  }
  const reached = new Uint8Array(n);
  const queue: number[] = [];
  for (let v = 0; v < n; v++) if (p.goal(g.snapshots[v]!)) (reached[v] = 1), queue.push(v);
  for (let qi = 0; qi < queue.length; qi++) {
    for (let e = head[queue[qi]!]!; e !== -1; e = next[e]!) {
      const from = g.edgeFrom[e]!;
      if (!reached[from]) (reached[from] = 1), queue.push(from);
    }
  }
  const stuckVertices: number[] = [];
  for (let v = 0; v < n; v++) if (!reached[v]) stuckVertices.push(v);
  const first = stuckVertices[0];
  return { name: p.name, stuck: stuckVertices.length, stuckVertices, ...(first !== undefined ? { example: pathTo(first) } : {}) };
}

// ── paths ───────────────────────────────────────────────────────────────────

/**
 * The shortest path to every reachable state. With `maximalOnly`, paths that are a prefix of
 * another are dropped: the rest still reach every state.
 * @example const paths = shortestPaths(report, { maximalOnly: true });
 */
export function shortestPaths<S, E>(report: ExplorationReport<S, E>, o: { maximalOnly?: boolean } = {}): ModelPath<S, E>[] {
  const g = report.graph;
  const isParent = new Uint8Array(g.snapshots.length);
  if (o.maximalOnly) for (const p of g.parent) if (p >= 0) isParent[p] = 1;
  const out: ModelPath<S, E>[] = [];
  for (let v = 0; v < g.snapshots.length; v++) {
    if (o.maximalOnly && isParent[v]) continue;
    const events: E[] = [];
    for (let x = v; g.parent[x]! !== -1; x = g.parent[x]!) events.push(g.parentEvent[x]!);
    events.reverse();
    out.push(report.replay(events));
  }
  return out;
}

/**
 * Simple paths (no state visited twice) from the initial state, depth-first with a seeded
 * shuffle of each state's edges, bounded by `maxDepth` events and `maxPaths` paths. A path is
 * emitted when it reaches `maxDepth` or cannot be extended.
 * @example const paths = simplePaths(report, { maxDepth: 12, maxPaths: 200, seed: 1 });
 */
export function simplePaths<S, E>(report: ExplorationReport<S, E>, o: { maxDepth: number; maxPaths: number; seed?: number }): ModelPath<S, E>[] {
  const g = report.graph;
  const n = g.snapshots.length;
  const out: number[][] = [];
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < g.edgeFrom.length; i++) if (g.edgeFrom[i] !== g.edgeTo[i]) adj[g.edgeFrom[i]!]!.push(i);
  let seed = (o.seed ?? 1) >>> 0 || 1;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const onPath = new Uint8Array(n);
  const edges: number[] = [];
  const dfs = (v: number): void => {
    if (out.length >= o.maxPaths) return;
    const options = (adj[v] ?? []).filter((e) => !onPath[g.edgeTo[e]!]);
    if (edges.length >= o.maxDepth || options.length === 0) {
      out.push([...edges]);
      return;
    }
    for (let i = options.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [options[i], options[j]] = [options[j]!, options[i]!];
    }
    for (const e of options) {
      if (out.length >= o.maxPaths) return;
      const w = g.edgeTo[e]!;
      onPath[w] = 1;
      edges.push(e);
      dfs(w);
      edges.pop();
      onPath[w] = 0;
    }
  };
  onPath[0] = 1;
  dfs(0);
  return out.map((es) => report.replay(es.map((e) => g.edgeEvent[e]!)));
}

/**
 * Simple paths sampled from a model too large to explore whole: seeded random walks that never
 * revisit a state (by `serialize`), each up to `maxDepth` events, deduplicated.
 * @example const paths = sampleSimplePaths(walker, { serialize, count: 100, maxDepth: 20, seed: 7 });
 */
export function sampleSimplePaths<S, E extends EventObject>(
  model: ModelWalker<S, E>,
  o: { serialize: (s: S) => string; count: number; maxDepth: number; seed?: number },
): ModelPath<S, E>[] {
  let seed = (o.seed ?? 1) >>> 0 || 1;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const seen = new Set<string>();
  const out: ModelPath<S, E>[] = [];
  for (let attempt = 0; out.length < o.count && attempt < o.count * 10; attempt++) {
    let s = model.initial();
    const visited = new Set([o.serialize(s)]);
    const events: E[] = [];
    while (events.length < o.maxDepth) {
      const options = [...model.eventsOf(s)];
      let moved = false;
      while (options.length) {
        const e = options.splice(Math.floor(rand() * options.length), 1)[0]!;
        const next = model.step(s, e).to;
        const k = o.serialize(next);
        if (visited.has(k)) continue;
        visited.add(k);
        events.push(e);
        s = next;
        moved = true;
        break;
      }
      if (!moved) break;
    }
    const key = formatPath(events);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(model.replay(events));
  }
  return out;
}

/**
 * Builds an event sequence by following the model: at each step the choice picks one of the
 * events the current state offers (`choice % count`). Feed it fast-check's integer arrays for
 * random interleavings that shrink well.
 * @example const path = pathFromChoices(report, [3, 0, 7, 1]);
 */
export function pathFromChoices<S, E>(model: ModelWalker<S, E>, choices: readonly number[]): ModelPath<S, E> {
  let s = model.initial();
  const events: E[] = [];
  const states: S[] = [s];
  for (const c of choices) {
    const offered = model.eventsOf(s);
    if (offered.length === 0) break;
    const e = offered[Math.abs(c) % offered.length]!;
    s = model.step(s, e).to;
    events.push(e);
    states.push(s);
  }
  return { events, states };
}

// ── reports ─────────────────────────────────────────────────────────────────

/**
 * The report as lines: counts, one ✓/✗ line per invariant and progress property, the shortest
 * path of each violation, and coverage when known.
 * @example for (const line of formatReport(report)) console.log(line);
 */
export function formatReport<S, E extends EventObject>(r: ExplorationReport<S, E>, o: { describeState?: (s: S) => string } = {}): string[] {
  const lines = [`${r.name}: ${r.states} states, ${r.transitions} transitions (${r.stateChanges} change state), depth ${r.depth}${r.truncated ? ' — TRUNCATED at the state bound' : ''}`];
  for (const inv of r.invariants) {
    if (inv.violations === 0) {
      lines.push(`  ✓ ${inv.name}`);
      continue;
    }
    lines.push(`  ✗ ${inv.name}: ${inv.violations} violation${inv.violations === 1 ? '' : 's'}`);
    for (const v of r.violations.filter((x) => x.invariant === inv.name)) {
      lines.push(`      ${v.message}`);
      lines.push(`      shortest path (${v.path.events.length} events): ${formatPath(v.path.events as EventObject[])}`);
      if (o.describeState) lines.push(`      state: ${o.describeState(v.path.states[v.path.states.length - 1]!)}`);
    }
  }
  for (const p of r.progress) {
    if (p.stuck === 0) lines.push(`  ✓ ${p.name}`);
    else {
      lines.push(`  ✗ ${p.name}: ${p.stuck} stuck state${p.stuck === 1 ? '' : 's'}`);
      if (p.example) {
        lines.push(`      shortest path to one (${p.example.events.length} events): ${formatPath(p.example.events as EventObject[])}`);
        if (o.describeState) lines.push(`      state: ${o.describeState(p.example.states[p.example.states.length - 1]!)}`);
      }
    }
  }
  if (r.coverage) lines.push(...formatCoverage(r.coverage).map((l) => `  ${l}`));
  return lines;
}

/**
 * Coverage as lines: counts, then what was never exercised.
 * @example formatCoverage(report.coverage!).forEach((l) => console.log(l));
 */
export function formatCoverage(c: MachineCoverage): string[] {
  const lines = [`coverage of ${c.machine}: ${c.stateNodes.covered}/${c.stateNodes.total} state nodes, ${c.transitions.covered}/${c.transitions.total} transitions`];
  if (c.stateNodes.uncovered.length) lines.push(`  never reached: ${c.stateNodes.uncovered.join(', ')}`);
  if (c.transitions.uncovered.length) lines.push(`  never taken: ${c.transitions.uncovered.join('; ')}`);
  return lines;
}

// ── tests against a system under test ───────────────────────────────────────

/**
 * Connects a model to the system under test. `send` makes the system do what the model event
 * says; `check` compares the system's observable state with the model's snapshot and throws on a
 * mismatch. Bound every promise you await in them (see `VirtualClock.runUntil`).
 */
export interface SystemAdapter<S, E, SUT> {
  setup(): SUT | Promise<SUT>;
  send(sut: SUT, event: E, step: ModelStep<S, E>): void | Promise<void>;
  check(sut: SUT, expected: S, at: { index: number; event: E | undefined }): void | Promise<void>;
  teardown?(sut: SUT): void | Promise<void>;
}

/**
 * Drives the system under test along a model path, checking its state after every event.
 * Throws with the path and the failing step on the first mismatch.
 * @example await runPath(report, path.events, adapter);
 */
export async function runPath<S, E extends EventObject, SUT>(report: ModelWalker<S, E>, events: readonly E[], adapter: SystemAdapter<S, E, SUT>): Promise<void> {
  const sut = await adapter.setup();
  let s = report.initial();
  let index = 0;
  let failure: unknown;
  try {
    await adapter.check(sut, s, { index: 0, event: undefined });
    for (const e of events) {
      index++;
      const st = report.step(s, e);
      await adapter.send(sut, e, st);
      s = st.to;
      await adapter.check(sut, s, { index, event: e });
    }
  } catch (e) {
    failure = e;
  } finally {
    try {
      await adapter.teardown?.(sut);
    } catch (e) {
      failure ??= e;
    }
  }
  if (failure !== undefined) {
    const msg = failure instanceof Error ? failure.message : String(failure);
    const where = index === 0 ? 'in the initial state' : `after event ${index} (${formatEvent(events[index - 1]!)})`;
    const err = new Error(`${where}: ${msg}\npath: ${formatPath(events)}`);
    if (failure instanceof Error && failure.stack) err.stack = `${err.message}\n${failure.stack}`;
    throw err;
  }
}

/** Anything shaped like vitest's or jest's `it`/`test`. */
export type TestRegistrar = (name: string, fn: () => Promise<void>, timeout?: number) => void;

/**
 * Registers one test per path: each drives the system under test through the adapter and checks
 * it against the model after every event. Returns the number of tests registered.
 * @example
 * const report = exploreModel({ logic: myMachine, events });
 * describe('generated', () => {
 *   generatePathTests(it, report, shortestPaths(report, { maximalOnly: true }), adapter);
 * });
 */
export function generatePathTests<S, E extends EventObject, SUT>(
  test: TestRegistrar,
  report: ModelWalker<S, E>,
  paths: readonly ModelPath<S, E>[],
  adapter: SystemAdapter<S, E, SUT>,
  o: { prefix?: string; timeout?: number } = {},
): number {
  paths.forEach((p, i) => {
    const name = `${o.prefix ?? 'path'} #${i + 1}: ${formatPath(p.events)}`;
    test(name.length > 400 ? `${name.slice(0, 397)}...` : name, () => runPath(report, p.events, adapter), o.timeout);
  });
  return paths.length;
}
