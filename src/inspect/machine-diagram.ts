import type { AnyStateMachine } from 'xstate';
import { toDirectedGraph } from 'xstate/graph';

/**
 * A machine definition reduced to what a diagram needs, as plain JSON: it travels in trace files
 * (so a trace replays with its diagrams, even for machines the reader does not have) and to the page.
 */
export interface MachineGraph {
  /** The machine's id (its root state node id). */
  id: string;
  /** Every state node, root first, in document order. */
  nodes: MachineGraphNode[];
  transitions: MachineGraphTransition[];
}

export interface MachineGraphNode {
  /** The state node id, e.g. `speechHandle.active.generating`. */
  id: string;
  /** Keys from the root, e.g. `['active', 'generating']` (empty for the root). */
  path: string[];
  parent: string | null;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** Id of the initial child (compound states). */
  initial: string | null;
  tags: string[];
  entry: string[];
  exit: string[];
  invoke: string[];
  /** A final state whose name says something went wrong (interrupted, aborted, failed, …). */
  bad: boolean;
}

export interface MachineGraphTransition {
  source: string;
  /** The event type; `always` for eventless transitions, `after 500ms` for delayed ones. */
  event: string;
  /** Target state node ids; empty for a targetless transition (actions only). */
  targets: string[];
  guard: string | null;
  /** Earlier candidates for the same event are guarded: this one is their fallback. */
  fallback: boolean;
  actions: string[];
}

/** State names that mean "this did not end well": such final states are drawn (and highlighted) in red. */
export const BAD_OUTCOME = /interrupt|abort|fail|error|cancel|reject|timeout/i;

/**
 * Reduces a machine definition to a {@link MachineGraph} (via `xstate/graph`'s `toDirectedGraph`).
 * @example const graph = describeMachine(speechHandleMachine); graph.nodes.map((n) => n.id);
 */
export function describeMachine(machine: AnyStateMachine): MachineGraph {
  const nodes: MachineGraphNode[] = [];
  const transitions: MachineGraphTransition[] = [];
  const visit = (dg: ReturnType<typeof toDirectedGraph>): void => {
    const sn = dg.stateNode;
    const initial = sn.initial?.target?.[0]?.id ?? null;
    nodes.push({
      id: sn.id,
      path: [...sn.path],
      parent: sn.parent?.id ?? null,
      type: sn.type,
      initial: sn.type === 'compound' ? initial : null,
      tags: [...sn.tags],
      entry: sn.entry.map(nameOf),
      exit: sn.exit.map(nameOf),
      invoke: sn.invoke.map((i) => (typeof i.src === 'string' ? i.src : nameOf(i.src))),
      bad: sn.type === 'final' && BAD_OUTCOME.test(sn.key),
    });
    const seenGuarded = new Set<string>();
    const add = (event: string, t: { target?: readonly { id: string }[] | undefined; guard?: unknown; actions: readonly unknown[] }) => {
      const guard = t.guard === undefined ? null : nameOf(t.guard);
      transitions.push({
        source: sn.id,
        event,
        targets: (t.target ?? []).map((x) => x.id),
        guard,
        fallback: guard === null && seenGuarded.has(event),
        actions: t.actions.map(nameOf),
      });
      if (guard !== null) seenGuarded.add(event);
    };
    // toDirectedGraph lists one edge per target; group them back into transitions.
    const seen = new Set<unknown>();
    for (const e of dg.edges) {
      if (seen.has(e.transition)) continue;
      seen.add(e.transition);
      add(eventLabel(e.transition.eventType), e.transition);
    }
    for (const t of sn.always ?? []) add('always', t);
    for (const child of dg.children) visit(child);
  };
  visit(toDirectedGraph(machine));
  return { id: machine.id, nodes, transitions };
}

export interface DiagramOptions {
  /**
   * `full` (default, for docs): entry actions, tags, targetless handlers and transition actions.
   * `compact` (for the live page, where several diagrams share a screen): state names, events and guards.
   */
  detail?: 'full' | 'compact';
}

/**
 * Graphviz DOT for a machine graph. Every state carries `id="state:<state node id>"` and classes
 * (`state`, `atomic|compound|final`, `bad`), every transition `id="t:<source>|<event>|<target>"`,
 * so a page can highlight active states and the last transition taken. Output is deterministic.
 * @example const dot = machineGraphToDot(describeMachine(toolRunMachine));
 */
export function machineGraphToDot(graph: MachineGraph, o: DiagramOptions = {}): string {
  const full = (o.detail ?? 'full') === 'full';
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const children = new Map<string, MachineGraphNode[]>();
  // Appended in place: copying the list per child made wide graphs quadratic.
  const push = <T>(m: Map<string, T[]>, k: string, v: T): void => void (m.get(k) ?? m.set(k, []).get(k)!).push(v);
  for (const n of graph.nodes) if (n.parent) push(children, n.parent, n);
  const targetless = new Map<string, MachineGraphTransition[]>();
  for (const t of graph.transitions) if (t.targets.length === 0) push(targetless, t.source, t);
  const isCluster = (n: MachineGraphNode) => (n.type === 'compound' || n.type === 'parallel') && (children.get(n.id)?.length ?? 0) > 0;
  const dotName = new Map<string, string>();
  graph.nodes.forEach((n, i) => dotName.set(n.id, `n${i}`));
  const root = graph.nodes[0];
  if (!root) throw new Error(`machineGraphToDot: machine '${graph.id}' has no states`);

  // Clusters cannot be edge ends in Graphviz: an edge to or from one attaches to a node inside it
  // (its initial leaf) and is clipped at the cluster's border with lhead/ltail.
  const anchor = (id: string): string => {
    let n = byId.get(id);
    while (n && isCluster(n)) n = byId.get(n.initial ?? children.get(n.id)?.[0]?.id ?? '');
    return dotName.get(n?.id ?? id) ?? 'any';
  };
  // Graphviz measures text with its built-in Helvetica metrics; browsers map Helvetica to a metric twin.
  const font = 'Helvetica';
  const out: string[] = [];
  out.push(`digraph ${q(graph.id)} {`);
  out.push(`  graph [id=${q(`machine:${graph.id}`)}, class="machine", rankdir=LR, compound=true, fontname=${q(font)}, fontsize=11, nodesep=0.25, ranksep=0.45, pad=0.15, bgcolor="transparent"];`);
  out.push(`  node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#64748b", fontname=${q(font)}, fontsize=11, margin="0.12,0.05", height=0.3];`);
  out.push(`  edge [fontname=${q(font)}, fontsize=9, color="#94a3b8", fontcolor="#334155", arrowsize=0.6];`);
  let initN = 0;
  const initMarker = (indent: string, target: string): void => {
    const name = `i${initN++}`;
    out.push(`${indent}${name} [shape=point, width=0.09, height=0.09, fillcolor="#334155", color="#334155", label=""];`);
    out.push(`${indent}${name} -> ${anchor(target)}${byId.get(target) && isCluster(byId.get(target)!) ? ` [lhead=${clusterName(dotName, target)}]` : ''};`);
  };
  const emit = (n: MachineGraphNode, indent: string): void => {
    const kids = children.get(n.id) ?? [];
    if (isCluster(n)) {
      out.push(`${indent}subgraph ${clusterName(dotName, n.id)} {`);
      out.push(`${indent}  id=${q(`state:${n.id}`)}; class=${q(classes(n))}; style="rounded,filled"; fillcolor="#f8fafc"; color="#64748b"; penwidth=1; margin=10;`);
      out.push(`${indent}  label=<${labelHtml(n, targetless.get(n.id) ?? [], full)}>; labeljust=l;`);
      if (n.initial) initMarker(indent + '  ', n.initial);
      for (const k of kids) emit(k, indent + '  ');
      out.push(`${indent}}`);
      return;
    }
    const attrs = [`id=${q(`state:${n.id}`)}`, `class=${q(classes(n))}`, `label=<${labelHtml(n, targetless.get(n.id) ?? [], full)}>`];
    if (n.type === 'final') attrs.push('peripheries=2', n.bad ? 'color="#dc2626"' : 'color="#16a34a"');
    out.push(`${indent}${dotName.get(n.id)} [${attrs.join(', ')}];`);
  };
  if (root.initial) initMarker('  ', root.initial);
  for (const k of children.get(root.id) ?? []) emit(k, '  ');

  const edgeIds = new Map<string, number>();
  let anyNode = false;
  for (const t of graph.transitions) {
    for (const target of t.targets) {
      const src = byId.get(t.source);
      const tgt = byId.get(target);
      if (!src || !tgt) continue;
      let from: string;
      const attrs: string[] = [];
      if (src.id === root.id) {
        // Root-level handlers apply in every state: drawn from one "any state" node.
        anyNode = true;
        from = 'any';
      } else {
        from = anchor(src.id);
        if (isCluster(src)) attrs.push(`ltail=${clusterName(dotName, src.id)}`);
      }
      const to = anchor(tgt.id);
      if (isCluster(tgt) && !isAncestor(byId, tgt.id, src.id)) attrs.push(`lhead=${clusterName(dotName, tgt.id)}`);
      const base = `t:${t.source}|${t.event}|${target}`;
      const n = (edgeIds.get(base) ?? 0) + 1;
      edgeIds.set(base, n);
      attrs.unshift(`id=${q(n === 1 ? base : `${base}|#${n}`)}`, `class=${q(`transition${BAD_OUTCOME.test(t.event) || tgt.bad ? ' bad' : ''}`)}`, `label=<${edgeLabelHtml(t, full)}>`);
      if (t.event === 'always') attrs.push('style=dashed');
      out.push(`  ${from} -> ${to} [${attrs.join(', ')}];`);
    }
  }
  if (anyNode) out.push(`  any [id=${q(`state:${root.id}`)}, class="state root", label="any state", shape=box, style="rounded,dashed", fontcolor="#64748b", color="#94a3b8"];`);
  out.push('}');
  return out.join('\n') + '\n';
}

/**
 * Renders a machine (or its {@link MachineGraph}) to SVG with Graphviz compiled to WebAssembly
 * (@viz-js/viz): offline, deterministic (the generator comment is stripped).
 * @example const svg = await renderMachineSvg(speechHandleMachine);
 */
export async function renderMachineSvg(machine: AnyStateMachine | MachineGraph, o: DiagramOptions = {}): Promise<string> {
  const graph = isMachineGraph(machine) ? machine : describeMachine(machine);
  const viz = await loadViz();
  const svg = viz.renderString(machineGraphToDot(graph, o), { format: 'svg', engine: 'dot' });
  return svg.replace(/<!-- Generated by graphviz[^>]*-->\n?/, '');
}

/**
 * True for an XState machine definition (what `createMachine`/`setup().createMachine` return).
 * @example Object.values(await import('speechcharts/machines')).filter(isStateMachine)
 */
export function isStateMachine(x: unknown): x is AnyStateMachine {
  return typeof x === 'object' && x !== null && 'root' in x && 'config' in x && typeof (x as AnyStateMachine).transition === 'function';
}

/**
 * True for a {@link MachineGraph} (JSON), false for a live machine definition.
 * @example isMachineGraph(JSON.parse(body)) // validate a graph posted by the page
 */
export function isMachineGraph(x: unknown): x is MachineGraph {
  return typeof x === 'object' && x !== null && Array.isArray((x as MachineGraph).nodes) && Array.isArray((x as MachineGraph).transitions);
}

type Viz = Awaited<ReturnType<typeof import('@viz-js/viz').instance>>;
let vizPromise: Promise<Viz> | undefined;
// Loaded on first use: the WebAssembly module is ~1 MB and only diagram users need it.
function loadViz(): Promise<Viz> {
  vizPromise ??= import('@viz-js/viz').then((m) => m.instance());
  return vizPromise;
}

function clusterName(dotName: Map<string, string>, id: string): string {
  return `cluster_${dotName.get(id)}`;
}

function isAncestor(byId: Map<string, MachineGraphNode>, ancestor: string, id: string): boolean {
  for (let n = byId.get(id); n; n = n.parent ? byId.get(n.parent) : undefined) if (n.id === ancestor) return true;
  return false;
}

function classes(n: MachineGraphNode): string {
  return ['state', n.type, ...(n.bad ? ['bad'] : []), ...n.tags.map((t) => `tag-${t.replace(/[^A-Za-z0-9_-]/g, '_')}`)].join(' ');
}

function labelHtml(n: MachineGraphNode, targetless: MachineGraphTransition[], full: boolean): string {
  const key = n.path[n.path.length - 1] ?? n.id;
  const lines = [`<B>${html(key)}</B>`];
  if (!full) return lines[0]!;
  const small = (s: string) => `<FONT POINT-SIZE="8" COLOR="#64748b">${html(s)}</FONT>`;
  if (n.tags.length) lines.push(small(`tags: ${n.tags.join(', ')}`));
  if (n.entry.length) lines.push(small(`entry / ${n.entry.join(', ')}`));
  if (n.exit.length) lines.push(small(`exit / ${n.exit.join(', ')}`));
  if (n.invoke.length) lines.push(small(`invoke ${n.invoke.join(', ')}`));
  for (const t of targetless) lines.push(small(`${transitionText(t)}${t.actions.length ? ` / ${t.actions.join(', ')}` : ''}`));
  return lines.join('<BR/>');
}

function edgeLabelHtml(t: MachineGraphTransition, full: boolean): string {
  const head = html(transitionText(t));
  return full && t.actions.length ? `${head}<BR/><FONT POINT-SIZE="8" COLOR="#64748b">/ ${html(t.actions.join(', '))}</FONT>` : head;
}

function transitionText(t: MachineGraphTransition): string {
  return `${t.event}${t.guard ? ` [${t.guard}]` : t.fallback ? ' [else]' : ''}`;
}

function eventLabel(type: string): string {
  if (type === '') return 'always';
  const after = /^xstate\.after\.(\d+)\./.exec(type);
  return after ? `after ${after[1]}ms` : type;
}

/** A readable name for an action, guard or actor logic as XState stores it. */
function nameOf(x: unknown): string {
  if (typeof x === 'string') return x;
  if (x && (typeof x === 'object' || typeof x === 'function')) {
    const o = x as { type?: unknown; name?: unknown; id?: unknown };
    if (typeof o.type === 'string' && o.type) return o.type.replace(/^xstate\./, '');
    if (typeof o.id === 'string' && o.id) return o.id;
    if (typeof o.name === 'string' && o.name) return o.name;
  }
  return 'inline';
}

function html(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function q(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
