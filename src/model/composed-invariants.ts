import { HOLDS_WAITERS } from '../../machines/interrupt-event.js';
import type { Invariant, ModelStep, Progress } from '../testing/model-explorer.js';
import { fail, isFinal } from './check-helpers.js';
import { voiceInvariants, voiceProgress } from './voice-invariants.js';
import {
  PIPELINE_EVENT_TYPES,
  blockedOn,
  blockedOnTask,
  currentSpeech,
  outcomeOf,
  serializeComposed,
  type ComposedSnapshot,
  type ComposedState,
  type ModelEvent,
} from './composed-model.js';

/**
 * The invariants of the composed system, as named predicates checked on every reachable state and
 * transition of the composed model (the session's routing over the machines), and its progress
 * properties (from every state, something can still end every speech).
 */

type CStep = ModelStep<ComposedSnapshot, ModelEvent>;
type CInvariant = Invariant<ComposedSnapshot, ModelEvent>;

const isInterrupt = (e: ModelEvent | undefined) => e?.type === 'INTERRUPT' || e?.type === 'INTERRUPT_SPEECH' || e?.type === 'CLOSE';
const refused = (t: CStep) => t.to.context.last === 'InterruptionRefusedError';

function entities(s: ComposedSnapshot) {
  const out: { id: string; snap: { status: string; value: unknown; hasTag(t: string): boolean }; waiter: string }[] = [];
  for (const sp of s.context.speeches) {
    out.push({ id: sp.id, snap: sp.snap, waiter: sp.waiter });
    for (const t of sp.tools) out.push({ id: t.callId, snap: t.snap, waiter: t.waiter });
  }
  return out;
}


// ── the composed system ────────────────────────────────────────────────────

export const composedInvariants: CInvariant[] = [
  {
    name: 'an INTERRUPT (allowed or forced) leaves no waiter pending',
    description: 'After an accepted interrupt, no interrupted speech and none of its tool runs has a pending waiter; after a forced one (or close), no waiter is pending anywhere.',
    check: (t) => {
      if (!isInterrupt(t.event) || refused(t)) return true;
      const forced = t.event!.type === 'CLOSE' || (t.event!.type === 'INTERRUPT' && t.event!.force);
      const bad: string[] = [];
      for (const sp of t.to.context.speeches) {
        const ended = outcomeOf(sp.snap) === 'interrupted';
        if ((ended || forced) && sp.waiter === 'pending') bad.push(`${sp.id} still has a pending playout waiter`);
        for (const tool of sp.tools) if ((ended || forced) && tool.waiter === 'pending') bad.push(`tool ${tool.callId} of ${sp.id} still waits for playout`);
      }
      return fail(bad);
    },
  },
  {
    name: 'waiters are held only in states tagged holdsWaiters',
    check: ({ to }) => fail(entities(to).filter((e) => e.waiter === 'pending' && !e.snap.hasTag(HOLDS_WAITERS)).map((e) => `${e.id} holds a waiter in ${JSON.stringify(e.snap.value)}`)),
  },
  {
    name: 'a waiter settles the way its machine ended',
    description: 'done → resolved, interrupted → SpeechInterruptedError, failed → SpeechFailedError; an aborted tool run rejects its waiters, a tool wait resolves only once the preamble played.',
    check: ({ to }) => {
      const bad: string[] = [];
      for (const sp of to.context.speeches) {
        const o = outcomeOf(sp.snap);
        const want = o === 'done' ? 'resolved' : o;
        if (sp.waiter !== 'none' && sp.waiter !== 'pending' && sp.waiter !== want) bad.push(`${sp.id} ended ${o ?? 'not yet'} but its waiter was ${sp.waiter}`);
        for (const t of sp.tools) {
          const aborted = t.snap.value === 'aborted';
          if (aborted && t.waiter === 'resolved' && !t.snap.context.playoutDone) bad.push(`tool ${t.callId} was aborted before its preamble played but its wait resolved`);
          if (t.waiter === 'rejected' && !aborted) bad.push(`tool ${t.callId} rejected its wait though it was not aborted`);
          if (!isFinal(t.snap) && t.waiter === 'resolved' && !t.snap.context.playoutDone) bad.push(`tool ${t.callId} resolved its wait before the preamble played`);
        }
      }
      return fail(bad);
    },
  },
  {
    name: 'at most one speech holds the floor, and only while a step generates or plays',
    description: 'A speech waiting for its tools (or for the floor again, for its tool reply) has given the floor up.',
    check: ({ to }) => {
      const s = to.context;
      const active = s.speeches.filter((sp) => onFloorState(sp.snap));
      const bad: string[] = [];
      if (active.length > 1) bad.push(`${active.map((x) => x.id).join(', ')} are active together`);
      const cur = s.scheduler.context.current;
      for (const sp of active) if (sp.id !== cur) bad.push(`${sp.id} is active without the floor (current: ${cur ?? 'none'})`);
      if (cur && !active.some((sp) => sp.id === cur)) bad.push(`the floor is held by ${cur}, which is not active`);
      return fail(bad);
    },
  },
  {
    name: 'an interrupt never pauses scheduling',
    check: (t) => {
      if (t.event?.type !== 'INTERRUPT' && t.event?.type !== 'INTERRUPT_SPEECH') return true;
      const before = t.from!.context.scheduler.value;
      const after = t.to.context.scheduler.value;
      return before === after || `the scheduler went from ${String(before)} to ${String(after)} on ${t.event.type}`;
    },
  },
  {
    name: 'the floor is granted whenever it is free',
    check: ({ to }) => {
      const sc = to.context.scheduler;
      return !(sc.matches('active') && sc.context.current === null && sc.context.queue.length > 0) || `the floor is free with ${sc.context.queue.map((q) => q.id).join(', ')} queued`;
    },
  },
  {
    name: 'no input is dropped: every unfinished speech is queued or holds the floor',
    check: ({ to }) => {
      const sc = to.context.scheduler.context;
      const bad: string[] = [];
      for (const sp of to.context.speeches) {
        if (isFinal(sp.snap)) continue;
        if (sp.released) bad.push(`${sp.id} was released before it ended`);
        else if (waitsForFloor(sp.snap) && sc.current !== sp.id && !sc.queue.some((q) => q.id === sp.id) && !heldByTransition(to.context, sp.id))
          bad.push(`${sp.id} waits for the floor but is neither in the scheduler's queue nor held for an agent transition`);
      }
      return fail(bad);
    },
  },
  {
    name: 'every user input ends in a speech or a typed rejection',
    check: (t) => {
      if (t.event?.type !== 'REPLY' && t.event?.type !== 'SAY' && t.event?.type !== 'START') return true;
      const { last, speeches } = t.to.context;
      const closed = t.to.context.session.closed;
      if (t.from!.context.session.closed) return last === 'SessionClosedError' || `${t.event.type} on a closed session returned ${last}, not SessionClosedError`;
      if (t.event.type === 'START') return last === 'ok' || `START returned ${last}`;
      if (closed || last !== 'ok') return `${t.event.type} returned ${last}`;
      return speeches.length === t.from!.context.speeches.length + 1 || `${t.event.type} created no speech`;
    },
  },
  {
    name: 'an uninterruptible speech refuses a plain interrupt, visibly, and nothing changes',
    check: (t) => {
      const e = t.event;
      if (e?.type !== 'INTERRUPT' && e?.type !== 'INTERRUPT_SPEECH') return true;
      if (e.force) return t.to.context.last === 'ok' || `a forced interrupt returned ${t.to.context.last}`;
      const target = e.type === 'INTERRUPT' ? currentSpeech(t.from!.context) : t.from!.context.speeches[e.speech];
      const shouldRefuse = !!target && !isFinal(target.snap) && !target.allowInterruptions;
      if (!shouldRefuse) return t.to.context.last === 'ok' || `an allowed interrupt returned ${t.to.context.last}`;
      if (t.to.context.last !== 'InterruptionRefusedError') return `interrupting uninterruptible ${target.id} returned ${t.to.context.last}`;
      return serializeComposed(t.from!) === serializeComposed(t.to) || 'a refused interrupt changed the state';
    },
  },
  {
    name: 'CLOSE and a forced INTERRUPT end every speech and tool run (no state lacks an exit)',
    check: (t) => {
      const e = t.event;
      if (!(e?.type === 'CLOSE' || (e?.type === 'INTERRUPT' && e.force))) return true;
      const bad = entities(t.to).filter((x) => !isFinal(x.snap) && t.from!.context.speeches.some((sp) => sp.id === x.id || sp.tools.some((tl) => tl.callId === x.id)));
      const msgs = bad.map((x) => `${x.id} is still ${JSON.stringify(x.snap.value)} after ${e.type}`);
      if (e.type === 'CLOSE') {
        for (const a of t.to.context.activities) if (!isFinal(a.snap)) msgs.push(`agent ${a.key} is still ${String(a.snap.value)} after CLOSE`);
        for (const sp of t.to.context.speeches) for (const tl of sp.tools) if (tl.task === 'pending') msgs.push(`${tl.callId}'s task.run() still waits after CLOSE`);
        if (t.to.context.session.transitions.length) msgs.push('an agent transition is still under way after CLOSE');
        if (!isFinal(t.to.context.scheduler)) msgs.push(`the scheduler is ${String(t.to.context.scheduler.value)} after CLOSE`);
        if (!isFinal(t.to.context.agent)) msgs.push(`the agent state is ${String(t.to.context.agent.value)} after CLOSE`);
      }
      return fail(msgs);
    },
  },
  {
    name: 'a closed session absorbs every event',
    check: (t) => !t.from?.context.session.closed || serializeComposed(t.from) === serializeComposed(t.to) || `${t.event!.type} changed a closed session`,
  },
  {
    name: 'no state waits on a timer',
    check: ({ to }) => fail(to.context.effects.filter((e) => e.startsWith('timer:')).map((e) => `${e.slice(6)} scheduled a delayed event`)),
  },
  {
    name: 'every machine action is routed by the runtime',
    description: 'The model knows every action the machines emit; a new action must be routed here (and in the runtime).',
    check: ({ to }) => fail(to.context.effects.filter((e) => e.startsWith('unrouted:')).map((e) => `no routing for ${e.slice(9)}`)),
  },
  {
    name: 'no tool run outlives its speech',
    check: ({ to }) => fail(to.context.speeches.flatMap((sp) => (isFinal(sp.snap) ? sp.tools.filter((t) => !isFinal(t.snap)).map((t) => `tool ${t.callId} still runs after ${sp.id} ended`) : []))),
  },
  {
    name: 'the agent state agrees with the floor',
    description: 'Nobody on the floor: thinking while a speech waits for its tools, else listening; someone on it: never listening.',
    check: ({ to }) => {
      const s = to.context;
      if (!s.session.started || s.session.closed) return true;
      const cur = s.scheduler.context.current;
      if (cur === null) {
        const pausedAgent = (id: string) => {
          const a = s.activities.find((x) => x.key === s.session.speeches.get(id)?.agent);
          return a !== undefined && a.snap.value === 'paused';
        };
        const waiting = s.speeches.find((sp) => !isFinal(sp.snap) && !pausedAgent(sp.id));
        const want = waiting ? 'thinking' : 'listening';
        return s.shownAgentState === want || `nobody holds the floor${waiting ? ` and ${waiting.id} waits for its tools` : ''}, but the agent is ${s.shownAgentState}`;
      }
      return s.shownAgentState !== 'listening' || `${cur} holds the floor but the agent is listening`;
    },
  },
  {
    name: 'tools run in steps 1..maxToolSteps and are refused after',
    check: ({ to, event }) => {
      if (event?.type !== 'TOOL_CALL') return true;
      const refused = to.context.effects.find((e) => e.startsWith('toolRefused:'));
      const cur = currentSpeech(to.context) ?? to.context.speeches.find((sp) => sp.tools.length && sp.tools.at(-1)!.snap.status === 'done');
      const t = cur?.tools.at(-1);
      if (!t) return true;
      const st = to.context.session.speeches.get(cur!.id)?.step;
      const within = t.step <= to.context.bounds.maxToolSteps && (st?.index !== t.step || st.toolsOffered);
      if (within && refused) return `${t.callId} (step ${t.step}, maxToolSteps ${to.context.bounds.maxToolSteps}) was refused`;
      if (!within && !refused) return `${t.callId} (step ${t.step}, past maxToolSteps ${to.context.bounds.maxToolSteps}) ran`;
      return true;
    },
  },
  {
    name: 'the wait-for graph has no cycle',
    description:
      'Edges: a tool → the speech it created and awaits; a speech waiting for the floor → the speech holding it; a speech waiting for its tools → each running tool. A cycle is a deadlock that no I/O can end.',
    check: ({ to }) => {
      const cycle = waitForCycle(to.context);
      return cycle === null || `deadlock: ${cycle.join(' → ')}`;
    },
  },
  {
    name: 'exactly one agent speaks for the session outside transitions',
    description: 'Started, not closed, no transition under way: one activity is active and it is the active agent; the others are paused (under a task) or done.',
    check: ({ to }) => {
      const s = to.context;
      if (!s.session.started || s.session.closed || s.session.transitions.length > 0) return true;
      const bad: string[] = [];
      const active = s.activities.filter((a) => a.snap.value === 'active');
      if (active.length !== 1 || active[0]!.key !== s.session.activeAgent)
        bad.push(`active activities [${active.map((a) => a.key).join(',')}] but the active agent is ${s.session.activeAgent}`);
      for (const a of s.activities) if (!isFinal(a.snap) && a.snap.value !== 'active' && a.snap.value !== 'paused') bad.push(`${a.key} is ${String(a.snap.value)} with no transition under way`);
      if (s.session.held.length) bad.push(`turns [${s.session.held.join(',')}] are held with no transition under way`);
      return fail(bad);
    },
  },
  {
    name: 'a turn held during a transition is answered by the agent active after it',
    description: 'A held speech that starts speaks for the agent active when it starts, never for the agent that left.',
    check: ({ from, to }) => {
      if (!from) return true;
      const bad: string[] = [];
      for (const [id, r] of to.context.session.speeches) {
        const before = from.context.session.speeches.get(id);
        if (!before?.held || r.agent === null || before.agent !== null) continue;
        if (r.agent !== to.context.session.activeAgent) bad.push(`${id} waited for a transition but speaks for ${r.agent}, not ${to.context.session.activeAgent}`);
      }
      return fail(bad);
    },
  },
  {
    name: 'a tool\'s handoff happens if and only if its step played whole',
    description:
      'A handoff returned by a tool takes effect once its step has played (the tool output is then in history as returned); if its speech was interrupted or failed first, it does not happen and its output says so.',
    check: ({ to }) => {
      const s = to.context;
      const bad: string[] = [];
      for (const sp of s.speeches)
        for (const t of sp.tools) {
          if (!t.handoffTo) continue;
          const line = s.history.find((l) => l.startsWith(`output:${t.callId}:`));
          if (!line) continue; // not committed yet
          const asked = s.activities.some((a) => a.key === t.handoffTo) || s.session.transitions.some((x) => x.kind === 'handoff' && x.to === t.handoffTo);
          const interrupted = line !== `output:${t.callId}:ok`;
          if (interrupted && asked) bad.push(`${t.callId}'s handoff to ${t.handoffTo} happened though its output is ${line}`);
          if (!interrupted && !asked && !s.session.closed) bad.push(`${t.callId}'s handoff to ${t.handoffTo} played whole but never happened`);
        }
      return fail(bad);
    },
  },
  {
    name: 'history follows the order things were heard',
    description:
      'The messages of a step (the user input of a reply, the assistant text of the step) come after those of every step that had the floor before it; a reply that ended before it started counts when it ended.',
    check: ({ to }) => {
      const s = to.context;
      const at = new Map<string, number[]>();
      s.history.forEach((line, i) => {
        const tag = messageTag(line);
        if (tag) at.set(tag, [...(at.get(tag) ?? []), i]);
      });
      const bad: string[] = [];
      let lastMax = -1;
      let lastTag = '';
      for (const g of s.grants) {
        const lines = at.get(g) ?? (g.endsWith('#0') ? at.get(g.replace(/#0$/, '#1')) : undefined);
        if (!lines) continue;
        if (Math.min(...lines) < lastMax) bad.push(`${g} is recorded before ${lastTag}, which had the floor first: ${s.history.join(' | ')}`);
        if (Math.max(...lines) > lastMax) {
          lastMax = Math.max(...lines);
          lastTag = g;
        }
      }
      return fail(bad);
    },
  },
  ...voiceInvariants,
];

function heldByTransition(s: ComposedState, id: string): boolean {
  return s.session.transitions.length > 0 && s.session.speeches.get(id)?.held === true;
}

/** Generating, playing or held: the states of a speech holding the floor. */
function onFloorState(snap: { status: string; value: unknown }): boolean {
  if (snap.status === 'done') return false;
  const v = snap.value as { active?: string } | string;
  return typeof v === 'object' && (v.active === 'generating' || v.active === 'playingOut' || v.active === 'paused');
}

function waitsForFloor(snap: { value: unknown }): boolean {
  return snap.value === 'queued' || (snap.value as { active?: string }).active === 'awaitingFloor';
}

/** `speech_2#1` for the messages of step 1 of speech_2 (its user input or its assistant text). */
function messageTag(line: string): string | null {
  let tag = tags.get(line);
  if (tag === undefined) tags.set(line, (tag = parseTag(line)));
  return tag;
}
const tags = new Map<string, string | null>();

function parseTag(line: string): string | null {
  const user = /^user:input for (speech_\d+)$/.exec(line);
  if (user) return `${user[1]}#1`;
  const said = /^assistant:s(\d+)\.(\d+) /.exec(line);
  return said ? `speech_${said[1]}#${said[2]}` : null;
}

/**
 * A cycle in the wait-for graph, as the ids along it, or null.
 * @example waitForCycle(state) // ['speech_1', 'call_1_1', 'speech_2', 'speech_1']
 */
export function waitForCycle(s: ComposedState): string[] | null {
  const edges = new Map<string, string[]>();
  const add = (a: string, b: string) => edges.set(a, [...(edges.get(a) ?? []), b]);
  const cur = s.scheduler.context.current;
  for (const sp of s.speeches) {
    if (isFinal(sp.snap)) continue;
    if (waitsForFloor(sp.snap) && cur && cur !== sp.id) add(sp.id, cur);
    const st = s.session.speeches.get(sp.id)?.step;
    if ((sp.snap.value as { active?: string }).active === 'awaitingTools' && st)
      for (const t of sp.tools) if (st.tools.includes(t.callId) && !isFinal(t.snap)) add(sp.id, t.callId);
    for (const t of sp.tools) {
      const on = blockedOn(t, s);
      if (on && !isFinal(t.snap)) add(t.callId, on.id);
      const task = blockedOnTask(t);
      if (task && !isFinal(t.snap)) add(t.callId, task.key);
    }
    // A held turn waits for the transition under way.
    if (s.session.speeches.get(sp.id)?.held) add(sp.id, 'transition');
  }
  // The transition waits for the leaving agent's speeches on the floor or queued for it; a task
  // that has not entered yet waits for the transition.
  const head = s.session.transitions[0];
  if (head?.begun && !head.switched && head.leaving) {
    const leaving = head.leaving;
    const of = (id: string) => {
      const r = s.session.speeches.get(id);
      return r !== undefined && (r.agent ?? r.origin) === leaving;
    };
    if (cur && of(cur)) add('transition', cur);
    for (const q of s.scheduler.context.queue) if (of(q.id)) add('transition', q.id);
  }
  for (const tr of s.session.transitions) if (tr.kind === 'task' && !s.activities.some((a) => a.key === tr.task)) add(tr.task, 'transition');
  // An onExit that awaits its goodbye: the transition waits for the onExit, the onExit for that speech.
  for (const a of s.activities) {
    const goodbye = a.exitPending && a.goodbye ? s.speeches.find((sp) => sp.id === a.goodbye && !isFinal(sp.snap)) : undefined;
    if (!goodbye) continue;
    add(`${a.key}.onExit`, goodbye.id);
    if (head?.begun && !head.switched && head.leaving === a.key) add('transition', `${a.key}.onExit`);
  }
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, 1);
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      if (state.get(m) === 1) return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 2);
    return null;
  };
  for (const n of edges.keys()) {
    if (state.has(n)) continue;
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

const pipelineTypes = new Set<string>(PIPELINE_EVENT_TYPES);
/** What agents' code does on its own (TOOL_HANDOFF and TOOL_RUN_TASK are tool choices, not needed for progress). */
const agentWorld = new Set<string>(['TASK_COMPLETE', 'EXIT_DONE']);

export const composedProgress: Progress<ComposedSnapshot, ModelEvent>[] = [
  {
    name: 'every speech can end without new input (pipeline and tool events, START and RESUME only)',
    description:
      'From every reachable state, a state where every speech is final is reachable when I/O completes and tools go on (a tool awaiting a speech it created is blocked until that speech settles): no input is parked where nothing will serve it.',
    goal: (s) => s.context.speeches.every((sp) => isFinal(sp.snap)),
    via: (e) => pipelineTypes.has(e.type) || agentWorld.has(e.type) || e.type === 'START' || e.type === 'RESUME',
  },
  {
    name: 'every agent transition completes without new input',
    description:
      'From every reachable state, a state with no agent transition under way is reachable when I/O completes, tools go on, hooks settle and a running task completes: no handoff or task waits on something that waits on it.',
    goal: (s) => s.context.session.transitions.length === 0 || s.context.session.closed,
    via: (e) => pipelineTypes.has(e.type) || agentWorld.has(e.type) || e.type === 'START' || e.type === 'RESUME',
  },
  {
    name: 'close completes from every state',
    description: 'CLOSE, then I/O completing: every speech, tool run and agent activity ends and every task.run() settles.',
    goal: (s) =>
      s.context.session.closed &&
      s.context.speeches.every((sp) => isFinal(sp.snap) && sp.tools.every((t) => t.task !== 'pending')) &&
      s.context.activities.every((a) => isFinal(a.snap)),
    via: (e) => e.type === 'CLOSE' || pipelineTypes.has(e.type),
  },
  ...voiceProgress,
];

/**
 * Runtime bugs the exploration finds that are reported (each with a failing test of the real
 * runtime) and not yet fixed. A stuck state they explain is listed apart, not hidden: the check
 * still fails on any stuck state they do not explain.
 */
export interface KnownBug {
  name: string;
  /** The failing test that reproduces it on the real runtime. */
  test: string;
  explains(s: ComposedSnapshot): boolean;
}

export const KNOWN_RUNTIME_BUGS: KnownBug[] = [
  // Empty: the two bugs this suite found were fixed (fba64b9). An entry looks like
  // { name, test: 'test/<its failing test>.test.ts', explains: (s) => <the stuck state's signature> }.
];

/**
 * Splits stuck vertices into those a known bug explains and the rest.
 * @example const { unexplained } = classifyStuck(report.graph.snapshots, report.progress[0]!.stuckVertices);
 */
export function classifyStuck(states: readonly ComposedSnapshot[], vertices: readonly number[]) {
  const known = new Map<string, number>();
  const unexplained: number[] = [];
  for (const v of vertices) {
    const bug = KNOWN_RUNTIME_BUGS.find((b) => b.explains(states[v]!));
    if (bug) known.set(bug.name, (known.get(bug.name) ?? 0) + 1);
    else unexplained.push(v);
  }
  return { known, unexplained };
}
