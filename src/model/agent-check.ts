import { Agent } from '../agents/agent.js';
import { InvalidArgumentError } from '../errors.js';
import type { Tool } from '../tool.js';
import { TOOL_BEHAVIOR_KEYS, type ToolBehavior } from '../tool-behavior.js';
import { exploreModel, formatPath, type ModelPath } from '../testing/model-explorer.js';
import { createComposedModel, describeComposed, MODEL_BOUNDS, type ComposedSnapshot, type ModelBounds, type ModelEvent, type ModelToolSpec } from './composed-model.js';
import { classifyStuck, composedInvariants, composedProgress } from './invariants.js';

/** One problem the check found in your agent, with the shortest event path to it. */
export interface AgentCheckFinding {
  /** The invariant or progress property that fails. */
  property: string;
  message: string;
  path: ModelEvent[];
  /** The state at the end of the path, in one line. */
  state: string;
}

export interface AgentCheckReport {
  ok: boolean;
  states: number;
  transitions: number;
  /** The tools explored, with their declared behavior. */
  tools: ModelToolSpec[];
  /** Tools that declared no behavior: explored as tools that only return. */
  undeclared: string[];
  bounds: ModelBounds;
  findings: AgentCheckFinding[];
}

export interface CheckAgentOptions {
  /** Your agents (the first is the one a session starts with); their tools are what the LLM may call. */
  agents: readonly Agent[] | Agent;
  /** Speeches per explored session (default 2: a reply and one more, from the user or a tool). */
  speeches?: number;
  /**
   * Your agents' hooks speak: an `onEnter` greets (`generateReply`, not awaited, maybe late) and an
   * `onExit` says goodbye and awaits it. Default: true when any agent overrides `onEnter` or `onExit`.
   */
  hooksSpeak?: boolean;
}

/** An agent whose class overrides `onEnter` or `onExit` (its hooks may speak). */
function overridesHooks(a: Agent): boolean {
  const proto = Object.getPrototypeOf(a) as Agent;
  return proto.onEnter !== Agent.prototype.onEnter || proto.onExit !== Agent.prototype.onExit;
}

/**
 * Explores the session's own routing (the code `AgentSession` runs) with your agent's tools doing
 * what they declare (`tool({ behavior })`), in every interleaving with user input, the pipeline,
 * interrupts, handoffs and close, and checks the package's invariants on every state: no wait-for
 * cycle (deadlock), every speech can end, every transition completes, close completes, no input is
 * dropped. It proves properties of the declared behaviour over the real routing; it does not run
 * your tools' code, prompts or models.
 * @example
 * const report = checkAgent({ agents: [new Greeter()] });
 * if (!report.ok) console.log(formatAgentCheck(report).join('\n'));
 */
export function checkAgent(o: CheckAgentOptions): AgentCheckReport {
  const agents = Array.isArray(o.agents) ? o.agents : [o.agents as Agent];
  if (agents.length === 0) throw new InvalidArgumentError('checkAgent: agents must name at least one agent');
  const byName = new Map<string, ModelToolSpec>();
  const undeclared: string[] = [];
  for (const a of agents) {
    if (!a || typeof a !== 'object' || typeof (a as Agent).tools !== 'object') throw new InvalidArgumentError('checkAgent: agents must be Agent instances');
    for (const [name, t] of Object.entries(a.tools as Record<string, Tool>)) {
      if (byName.has(name)) continue;
      const behavior: ToolBehavior = t.behavior ?? {};
      if (!t.behavior) undeclared.push(name);
      byName.set(name, { name, behavior });
    }
  }
  const tools = [...byName.values()];
  const any = (k: (typeof TOOL_BEHAVIOR_KEYS)[number]) => tools.some((t) => t.behavior[k] === true);
  const speeches = o.speeches ?? 2;
  if (!Number.isInteger(speeches) || speeches < 1 || speeches > 3) throw new InvalidArgumentError(`checkAgent: speeches must be 1, 2 or 3, got ${speeches}`);
  const bounds: ModelBounds = {
    ...MODEL_BOUNDS,
    speeches,
    toolsPerSpeech: 1,
    toolsSpeak: any('says') || any('replies') || any('interrupts'),
    // A handoff, a task, or (with several agents) a handoff from outside.
    agentTransitions: any('handsOff') || any('runsTask') || agents.length > 1 ? 1 : 0,
    tools: tools.length ? tools : undefined,
    hooksSpeak: o.hooksSpeak ?? agents.some(overridesHooks),
  };
  const m = createComposedModel(bounds);
  const r = exploreModel({ logic: m.logic, name: 'your agent', events: m.events, serialize: m.serialize, invariants: composedInvariants, progress: composedProgress, maxStates: 1_000_000 });
  const findings: AgentCheckFinding[] = [];
  for (const v of r.violations) findings.push({ property: v.invariant, message: v.message, path: v.path.events, state: describeComposed(v.path.states.at(-1)!) });
  for (const p of r.progress) {
    const { unexplained } = classifyStuck(r.graph.snapshots, p.stuckVertices);
    if (!unexplained.length) continue;
    const path = r.replay(eventsTo(r.graph, unexplained[0]!)) as ModelPath<ComposedSnapshot, ModelEvent>;
    findings.push({ property: p.name, message: `${unexplained.length} states from which it cannot happen`, path: path.events, state: describeComposed(path.states.at(-1)!) });
  }
  if (r.truncated) findings.push({ property: 'exploration bound', message: 'the exploration hit its bound of 1,000,000 states: lower speeches', path: [], state: '' });
  return { ok: findings.length === 0, states: r.states, transitions: r.transitions, tools, undeclared, bounds, findings };
}

/**
 * The report as lines for a terminal.
 * @example console.log(formatAgentCheck(checkAgent({ agents: [agent] })).join('\n'));
 */
export function formatAgentCheck(r: AgentCheckReport): string[] {
  const out = [
    `your agent: ${r.states.toLocaleString('en-US')} states, ${r.transitions.toLocaleString('en-US')} transitions (${r.bounds.speeches} speeches, 1 tool call each${r.bounds.agentTransitions ? ', 1 agent transition' : ''}${r.bounds.hooksSpeak ? ', hooks that speak' : ''})`,
    `  tools: ${r.tools.map((t) => `${t.name} {${Object.entries(t.behavior).filter(([, v]) => v).map(([k]) => k).join(', ') || 'returns'}}`).join('; ') || '(none)'}`,
  ];
  if (r.undeclared.length) out.push(`  no behavior declared (explored as tools that only return): ${r.undeclared.join(', ')}`);
  if (r.ok) out.push('  ✓ no deadlock, every speech and transition can end, close completes, no input dropped');
  for (const f of r.findings) {
    out.push(`  ✗ ${f.property}: ${f.message}`);
    if (f.path.length) out.push(`      shortest path (${f.path.length} events): ${formatPath(f.path)}`);
    if (f.state) out.push(`      state: ${f.state}`);
  }
  return out;
}

function eventsTo<E>(g: { parent: number[]; parentEvent: (E | undefined)[] }, v: number): E[] {
  const events: E[] = [];
  for (let x = v; g.parent[x]! !== -1; x = g.parent[x]!) events.push(g.parentEvent[x]!);
  return events.reverse();
}
