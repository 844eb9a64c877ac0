import { SpeechchartsError } from '../errors.js';
import { parseScenarioVoice, parseUserAudio, type ScenarioVoice, type UserAudioTurn } from '../voice/scenario-voice.js';

/**
 * A scripted conversation: what the LLM answers, what the tools do, and when user input arrives.
 * Times are milliseconds from the start of the run, on the clock the run uses.
 */
export interface Scenario {
  name: string;
  description?: string;
  session: ScenarioSessionOptions;
  replies: ScenarioReply[];
  tools: Record<string, ScenarioTool>;
  /** Sorted by `atMs` (stable). */
  inputs: ScenarioInput[];
  /** The user's voice: words (espeak-ng) or noises mixed into the microphone at `atMs`, heard by the real VAD. */
  userAudio: UserAudioTurn[];
  /** Barge-in policy and VAD settings for `userAudio`. */
  voice?: ScenarioVoice;
  /** A run still busy after this long is reported as a hang (default 30000). */
  maxDurationMs: number;
  /**
   * The session's agents by name (each name is also the agent's id). Without it the session runs
   * one default agent with every tool and `session.instructions`, as before agents existed.
   */
  agents?: Record<string, ScenarioAgent>;
  /** The agent the session starts with (default: the first of `agents`). */
  startAgent?: string;
}

/** One agent of a scenario: an `Agent`, or an `AgentTask` a tool runs (`runTask`). */
export interface ScenarioAgent {
  instructions: string;
  /** Names of the scenario's `tools` this agent offers. */
  tools: string[];
  /** An `AgentTask`: entered by a tool's `runTask`, ended by a tool's `complete`/`completeWith`. */
  task: boolean;
  /** What the agent does when it takes over (its `onEnter`). */
  onEnter?: ScenarioAgentEnter;
  allowInterruptions?: boolean;
}

/** `say(text)`, or `generateReply({ instructions })` (the reply comes from a reply with `when.afterHandoff`). */
export type ScenarioAgentEnter = { say: string } | { generateReply: { instructions?: string } };

export interface ScenarioSessionOptions {
  allowInterruptions?: boolean;
  maxToolSteps?: number;
  instructions?: string;
}

/**
 * When a reply applies; a reply without `when` is the default. At most one of `userInput`,
 * `afterTool`, `afterHandoff` (what the last history item is); `agent` limits the reply to the
 * agent of that name (alone, it is that agent's default reply).
 */
export interface ScenarioReplyMatch {
  userInput?: string;
  afterTool?: string;
  /** The last history item is a handoff: the reply an agent's `onEnter` asks for. */
  afterHandoff?: true;
  agent?: string;
}

export interface ScenarioToolCall {
  name: string;
  /** JSON arguments (an object is serialized). Default `{}`. */
  arguments: string;
  /** Default `call_<n>`, unique within the run. */
  callId?: string;
}

export interface ScenarioReply {
  when?: ScenarioReplyMatch;
  /**
   * Spoken text (streamed in word-sized chunks). In a reply `when.afterTool`, `{{output}}` is the
   * tool's output and `{{output.field}}` a field of it (when the output is JSON).
   */
  text: string;
  /** Function calls issued after the text. */
  toolCalls: ScenarioToolCall[];
  /** Time to first token (default 150). */
  ttftMs: number;
  /** Delay between streamed chunks (default 20). */
  chunkDelayMs: number;
}

export interface ScenarioTool {
  description: string;
  /** How long the tool works (after its wait for playout, if any). Default 0. */
  durationMs: number;
  /** Wait for the preamble's playout (`ctx.waitForPlayout()`) before working. */
  waitForPlayout: boolean;
  /** Then say this (`ctx.session.say(text)`) and await its playout before working: a status line while the tool runs. */
  say?: string;
  /** Keep working after the abort signal fires (its result is then discarded). */
  ignoreAbort: boolean;
  /** What the tool returns (default "done"). */
  result: unknown;
  /** Throw instead of returning: a `ToolError` (the LLM sees the message) or a plain `Error` (the LLM sees a generic error). */
  throws?: { type: 'ToolError' | 'Error'; message: string };
  /**
   * Return `handoff({ agent, returns })` to a new instance of this scenario agent: the handoff
   * happens once the step that called the tool played whole. Without `returns` no tool reply is
   * generated and the new agent speaks first.
   */
  handoff?: { agent: string; returns?: unknown };
  /** Run this scenario task (`await task.run()`) and return its result. */
  runTask?: string;
  /** In a task's tool: `this.complete(...)` with the call's arguments (`"arguments"`) or with `value`. */
  complete?: { with: 'arguments' } | { with: 'value'; value: unknown };
}

export interface ScenarioInput {
  atMs: number;
  /** `session.interrupt({ force })` before anything else, as API-injected input does. */
  interrupt: boolean;
  force: boolean;
  /** `session.generateReply({ userInput })`. */
  userInput?: string;
  /** `session.say(say)`, without the LLM. */
  say?: string;
  priority?: number;
  allowInterruptions?: boolean;
}

/** One problem in a scenario: the path of the bad field and what is wrong with it. */
export interface ScenarioIssue {
  path: string;
  message: string;
}

/**
 * A scenario that cannot run. `message` names each bad field, e.g.
 * `inputs[2].atMs must be a non-negative number, got -5`; `issues` lists them one by one.
 */
export class ScenarioError extends SpeechchartsError {
  readonly issues: ScenarioIssue[];
  constructor(issues: ScenarioIssue[], source?: string) {
    const lines = issues.map((i) => (i.path ? `${i.path} ${i.message}` : i.message));
    const head = source ? `${source}: ` : '';
    super(lines.length === 1 ? `${head}${lines[0]}` : `${head}${lines.length} problems:\n  ${lines.join('\n  ')}`);
    this.issues = issues;
  }
}

const PRIORITY_NAMES: Record<string, number> = { low: 0, normal: 5, high: 10 };

const TOP_KEYS = ['$schema', 'name', 'description', 'session', 'agents', 'startAgent', 'replies', 'tools', 'inputs', 'userAudio', 'voice', 'maxDurationMs'];
const SESSION_KEYS = ['allowInterruptions', 'maxToolSteps', 'instructions'];
const REPLY_KEYS = ['when', 'text', 'toolCalls', 'ttftMs', 'chunkDelayMs', 'note'];
const CALL_KEYS = ['name', 'arguments', 'callId'];
const TOOL_KEYS = ['description', 'durationMs', 'waitForPlayout', 'say', 'ignoreAbort', 'result', 'throws', 'handoff', 'runTask', 'complete', 'completeWith', 'note'];
const AGENT_KEYS = ['instructions', 'tools', 'task', 'onEnter', 'allowInterruptions', 'note'];
const WHEN_KEYS = ['userInput', 'afterTool', 'afterHandoff', 'agent'];
const INPUT_KEYS = ['atMs', 'interrupt', 'force', 'userInput', 'say', 'priority', 'allowInterruptions', 'note'];

/**
 * Validates parsed JSON as a scenario and fills in the defaults. Throws {@link ScenarioError}
 * naming every bad field (unknown fields too, with the closest known name).
 * @example
 * const scenario = parseScenario(JSON.parse(await readFile('examples/tool-preamble-interrupt.json', 'utf8')));
 */
export function parseScenario(json: unknown, o: { source?: string } = {}): Scenario {
  const v = new Validator();
  const root = v.object(json, '');
  if (!root) throw new ScenarioError(v.issues, o.source);
  v.known(root, '', TOP_KEYS);

  const name = v.optString(root, 'name', '') ?? 'scenario';
  const description = v.optString(root, 'description', '');
  const maxDurationMs = v.optNumber(root, 'maxDurationMs', '', { min: 1 }) ?? 30_000;

  const session: ScenarioSessionOptions = {};
  if (root.session !== undefined) {
    const s = v.object(root.session, 'session');
    if (s) {
      v.known(s, 'session', SESSION_KEYS);
      const allow = v.optBoolean(s, 'allowInterruptions', 'session');
      if (allow !== undefined) session.allowInterruptions = allow;
      const steps = v.optNumber(s, 'maxToolSteps', 'session', { min: 0, integer: true });
      if (steps !== undefined) session.maxToolSteps = steps;
      const instr = v.optString(s, 'instructions', 'session');
      if (instr !== undefined) session.instructions = instr;
    }
  }

  const tools: Record<string, ScenarioTool> = {};
  if (root.tools !== undefined) {
    const t = v.object(root.tools, 'tools');
    if (t) {
      for (const [toolName, spec] of Object.entries(t)) {
        const path = `tools.${toolName}`;
        if (!/^[A-Za-z0-9_-]{1,64}$/.test(toolName)) v.issue('tools', `has a tool named ${JSON.stringify(toolName)}: tool names must match [A-Za-z0-9_-]{1,64}`);
        const tool = parseTool(v, spec, path);
        if (tool) tools[toolName] = tool;
      }
    }
  }

  const agents = root.agents === undefined ? undefined : parseAgents(v, root.agents, tools);
  let startAgent: string | undefined;
  if (root.startAgent !== undefined) {
    startAgent = v.reqString(root, 'startAgent', '');
    if (startAgent !== undefined && !agents) v.issue('startAgent', 'needs "agents" to name one of');
    else if (startAgent !== undefined && agents && !agents[startAgent]) v.issue('startAgent', `names ${JSON.stringify(startAgent)}, which is not an agent of this scenario${agentList(agents)}`);
    else if (startAgent !== undefined && agents?.[startAgent]?.task) v.issue('startAgent', `names ${JSON.stringify(startAgent)}, a task: a task is entered by a tool's "runTask", not first`);
  } else if (agents) {
    startAgent = Object.keys(agents).find((n) => !agents[n]!.task);
    if (startAgent === undefined && Object.keys(agents).length) v.issue('agents', 'has only tasks: one agent must not be a task, to start with');
  }
  if (agents && session.instructions !== undefined) v.issue('session.instructions', 'does not apply with "agents": give each agent its "instructions"');
  checkAgentTools(v, tools, agents);

  const replies: ScenarioReply[] = [];
  const rawReplies = v.array(root.replies, 'replies', { required: true });
  rawReplies?.forEach((r, i) => {
    const reply = parseReply(v, r, `replies[${i}]`, tools, agents);
    if (reply) replies.push(reply);
  });
  if (rawReplies && rawReplies.length === 0) v.issue('replies', 'must list at least one reply');

  const userAudio = parseUserAudio(root.userAudio, 'userAudio', (p, m) => v.issue(p, m));
  const voice = parseScenarioVoice(root.voice, 'voice', (p, m) => v.issue(p, m));
  userAudio.forEach((t, i) => {
    const final = t.transcript?.final;
    if (final !== undefined && !replies.some((x) => answersUserInput(x, final)))
      v.issue(`userAudio[${i}].transcript`, `final ${JSON.stringify(final)} has no reply: add a reply with when.userInput equal to it, or a default reply without "when"`);
  });

  const inputs: ScenarioInput[] = [];
  // A scenario driven by the user's voice alone needs no API input.
  const rawInputs = v.array(root.inputs, 'inputs', { required: userAudio.length === 0 });
  rawInputs?.forEach((r, i) => {
    const input = parseInput(v, r, `inputs[${i}]`, replies);
    if (input) inputs.push(input);
  });
  if (rawInputs && rawInputs.length === 0 && userAudio.length === 0) v.issue('inputs', 'must list at least one input (or give "userAudio")');

  // The step after a tool step sees the outputs in call order: the last call's output is what a
  // reply's when.afterTool matches, so that one needs a reply (or there must be a default reply).
  const hasDefault = replies.some((r) => !r.when);
  replies.forEach((r, i) => {
    const j = r.toolCalls.length - 1;
    const c = r.toolCalls[j];
    if (!c || !tools[c.name] || hasDefault) return;
    // A handoff without `returns` asks for no tool reply: the new agent speaks first.
    const h = tools[c.name]!.handoff;
    if (h && !('returns' in h)) return;
    if (!replies.some((x) => x.when?.afterTool === c.name))
      v.issue(
        `replies[${i}].toolCalls[${j}].name`,
        `calls ${c.name} (the last call of this reply), but no reply has when.afterTool ${JSON.stringify(c.name)} to answer after it (nor is there a default reply without "when")`,
      );
  });

  // An agent that asks for a reply when it enters needs one: a reply after a handoff, for it.
  for (const [agentName, a] of Object.entries(agents ?? {})) {
    if (!a.onEnter || !('generateReply' in a.onEnter)) continue;
    const answered = replies.some((x) => !x.when || ((x.when.agent === undefined || x.when.agent === agentName) && (x.when.afterHandoff || isAgentDefault(x))));
    if (!answered)
      v.issue(`agents.${agentName}.onEnter.generateReply`, `has no reply: add a reply with when { "afterHandoff": true, "agent": ${JSON.stringify(agentName)} }, or a default reply without "when"`);
  }

  if (v.issues.length) throw new ScenarioError(v.issues, o.source);
  inputs.sort((a, b) => a.atMs - b.atMs);
  return {
    name,
    ...(description !== undefined ? { description } : {}),
    session,
    replies,
    tools,
    inputs,
    userAudio,
    ...(voice ? { voice } : {}),
    maxDurationMs,
    ...(agents ? { agents } : {}),
    ...(startAgent !== undefined ? { startAgent } : {}),
  };
}

/** A reply that answers this user input (for any agent, or a default reply). */
function answersUserInput(r: ScenarioReply, userInput: string): boolean {
  return !r.when || r.when.userInput === userInput || isAgentDefault(r);
}

/** `when: { agent }` alone: that agent's default reply. */
function isAgentDefault(r: ScenarioReply): boolean {
  return !!r.when && r.when.userInput === undefined && r.when.afterTool === undefined && !r.when.afterHandoff;
}

function parseAgents(v: Validator, raw: unknown, tools: Record<string, ScenarioTool>): Record<string, ScenarioAgent> | undefined {
  const all = v.object(raw, 'agents');
  if (!all) return undefined;
  const agents: Record<string, ScenarioAgent> = {};
  if (Object.keys(all).length === 0) v.issue('agents', 'must name at least one agent (or leave "agents" out)');
  for (const [agentName, spec] of Object.entries(all)) {
    const path = `agents.${agentName}`;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(agentName)) v.issue('agents', `has an agent named ${JSON.stringify(agentName)}: agent names must match [A-Za-z0-9_-]{1,64}`);
    const a = v.object(spec, path);
    if (!a) continue;
    v.known(a, path, AGENT_KEYS);
    v.optString(a, 'note', path);
    const instructions = v.reqString(a, 'instructions', path);
    const toolNames: string[] = [];
    const list = v.array(a.tools, `${path}.tools`, { required: false });
    list?.forEach((t, i) => {
      if (typeof t !== 'string') return v.issue(`${path}.tools[${i}]`, `must be a tool name, got ${show(t)}`);
      if (!tools[t]) return v.issue(`${path}.tools[${i}]`, `names ${JSON.stringify(t)}, which is not a tool of this scenario${toolList(tools)}`);
      if (toolNames.includes(t)) return v.issue(`${path}.tools[${i}]`, `names ${JSON.stringify(t)} twice`);
      toolNames.push(t);
    });
    const agent: ScenarioAgent = { instructions: instructions ?? '', tools: toolNames, task: v.optBoolean(a, 'task', path) ?? false };
    const allow = v.optBoolean(a, 'allowInterruptions', path);
    if (allow !== undefined) agent.allowInterruptions = allow;
    if (a.onEnter !== undefined) {
      const ep = `${path}.onEnter`;
      const e = v.object(a.onEnter, ep);
      if (e) {
        v.known(e, ep, ['say', 'generateReply']);
        const keys = Object.keys(e).filter((k) => k === 'say' || k === 'generateReply');
        if (keys.length !== 1) v.issue(ep, 'must have exactly one of "say" or "generateReply"');
        else if (keys[0] === 'say') {
          const say = v.reqString(e, 'say', ep);
          if (say !== undefined) agent.onEnter = { say };
        } else if (e.generateReply === true) agent.onEnter = { generateReply: {} };
        else {
          const gp = `${ep}.generateReply`;
          const g = v.object(e.generateReply, gp);
          if (g) {
            v.known(g, gp, ['instructions']);
            const instr = v.optString(g, 'instructions', gp);
            agent.onEnter = { generateReply: instr !== undefined ? { instructions: instr } : {} };
          }
        }
      }
    }
    agents[agentName] = agent;
  }
  return agents;
}

/** What the agent tools name must exist and be of the right kind, and a task's `complete` only belongs to tasks. */
function checkAgentTools(v: Validator, tools: Record<string, ScenarioTool>, agents: Record<string, ScenarioAgent> | undefined): void {
  for (const [toolName, t] of Object.entries(tools)) {
    const path = `tools.${toolName}`;
    const target = t.handoff?.agent ?? t.runTask;
    if (target === undefined && !t.complete) continue;
    if (!agents) {
      v.issue(path, `${t.handoff ? '"handoff"' : t.runTask !== undefined ? '"runTask"' : '"complete"'} needs "agents" (the scenario has none)`);
      continue;
    }
    if (t.handoff) {
      const a = agents[t.handoff.agent];
      if (!a) v.issue(`${path}.handoff`, `names ${JSON.stringify(t.handoff.agent)}, which is not an agent of this scenario${agentList(agents)}`);
      else if (a.task) v.issue(`${path}.handoff`, `names ${JSON.stringify(t.handoff.agent)}, a task: run a task with "runTask" (it returns a value), hand off to an agent`);
    }
    if (t.runTask !== undefined) {
      const a = agents[t.runTask];
      if (!a) v.issue(`${path}.runTask`, `names ${JSON.stringify(t.runTask)}, which is not an agent of this scenario${agentList(agents)}`);
      else if (!a.task) v.issue(`${path}.runTask`, `names ${JSON.stringify(t.runTask)}, which is not a task: give it "task": true`);
    }
    if (t.complete) {
      const users = Object.entries(agents).filter(([, a]) => a.tools.includes(toolName));
      const plain = users.find(([, a]) => !a.task);
      if (plain) v.issue(path, `completes a task, but agent ${JSON.stringify(plain[0])} (not a task) offers it: only tasks may offer a "complete" tool`);
    }
  }
}

function agentList(agents: Record<string, ScenarioAgent>): string {
  return ` (agents: ${Object.keys(agents).join(', ')})`;
}

function parseTool(v: Validator, spec: unknown, path: string): ScenarioTool | undefined {
  const t = v.object(spec, path);
  if (!t) return undefined;
  v.known(t, path, TOOL_KEYS);
  v.optString(t, 'note', path);
  const tool: ScenarioTool = {
    description: v.optString(t, 'description', path) ?? 'A scripted tool.',
    durationMs: v.optNumber(t, 'durationMs', path, { min: 0 }) ?? 0,
    waitForPlayout: v.optBoolean(t, 'waitForPlayout', path) ?? false,
    ignoreAbort: v.optBoolean(t, 'ignoreAbort', path) ?? false,
    result: t.result === undefined ? 'done' : t.result,
  };
  const say = v.optString(t, 'say', path);
  if (say !== undefined) {
    if (say.trim() === '') v.issue(`${path}.say`, 'must be a non-empty string');
    else tool.say = say;
  }
  if (t.throws !== undefined) {
    const p = `${path}.throws`;
    const th = v.object(t.throws, p);
    if (th) {
      v.known(th, p, ['type', 'message']);
      const type = th.type === undefined ? 'ToolError' : th.type;
      if (type !== 'ToolError' && type !== 'Error') v.issue(`${p}.type`, `must be "ToolError" or "Error", got ${show(type)}`);
      const message = v.reqString(th, 'message', p);
      if (message !== undefined && (type === 'ToolError' || type === 'Error')) tool.throws = { type, message };
    }
    if (t.result !== undefined) v.issue(path, 'has both "result" and "throws": a tool either returns or throws');
  }
  if (t.handoff !== undefined) {
    const hp = `${path}.handoff`;
    if (typeof t.handoff === 'string') {
      if (t.handoff.trim() === '') v.issue(hp, 'must name an agent');
      else tool.handoff = { agent: t.handoff };
    } else {
      const h = v.object(t.handoff, hp);
      if (h) {
        v.known(h, hp, ['agent', 'returns']);
        const agent = v.reqString(h, 'agent', hp);
        if (agent !== undefined) tool.handoff = { agent, ...('returns' in h ? { returns: h.returns } : {}) };
      }
    }
  }
  const runTask = v.optString(t, 'runTask', path);
  if (runTask !== undefined) {
    if (runTask.trim() === '') v.issue(`${path}.runTask`, 'must name a task agent');
    else tool.runTask = runTask;
  }
  if (t.complete !== undefined && t.complete !== true) v.issue(`${path}.complete`, `must be true (complete the task with the call's arguments), got ${show(t.complete)}; use "completeWith" for a fixed value`);
  if (t.complete === true && t.completeWith !== undefined) v.issue(path, 'has both "complete" and "completeWith": a task completes with the arguments or with a value');
  else if (t.complete === true) tool.complete = { with: 'arguments' };
  else if (t.completeWith !== undefined) tool.complete = { with: 'value', value: t.completeWith };
  // One outcome per tool: what it returns is its result, a handoff's `returns`, or the task's result.
  const outcomes = [t.handoff !== undefined && 'handoff', t.runTask !== undefined && 'runTask', t.throws !== undefined && 'throws', tool.complete && (t.complete === true ? 'complete' : 'completeWith')].filter(Boolean) as string[];
  if (outcomes.length > 1) v.issue(path, `has ${outcomes.map((x) => `"${x}"`).join(' and ')}: give it one of them`);
  if (t.result !== undefined && (t.handoff !== undefined || t.runTask !== undefined))
    v.issue(path, `has "result" and "${t.handoff !== undefined ? 'handoff' : 'runTask'}": ${t.handoff !== undefined ? 'a handoff returns its "returns"' : 'a task tool returns the task\'s result'}`);
  return tool;
}

function parseReply(v: Validator, raw: unknown, path: string, tools: Record<string, ScenarioTool>, agents: Record<string, ScenarioAgent> | undefined): ScenarioReply | undefined {
  const r = v.object(raw, path);
  if (!r) return undefined;
  v.known(r, path, REPLY_KEYS);
  v.optString(r, 'note', path);
  let when: ScenarioReplyMatch | undefined;
  if (r.when !== undefined) {
    const wp = `${path}.when`;
    const w = v.object(r.when, wp);
    if (w) {
      v.known(w, wp, WHEN_KEYS);
      const keys = Object.keys(w).filter((k) => k === 'userInput' || k === 'afterTool' || k === 'afterHandoff');
      let agent: string | undefined;
      if (w.agent !== undefined) {
        agent = v.reqString(w, 'agent', wp);
        if (agent !== undefined && !agents) v.issue(`${wp}.agent`, 'needs "agents" to name one of');
        else if (agent !== undefined && agents && !agents[agent]) v.issue(`${wp}.agent`, `names ${JSON.stringify(agent)}, which is not an agent of this scenario${agentList(agents)}`);
      }
      if (keys.length > 1 || (keys.length === 0 && w.agent === undefined))
        v.issue(wp, 'must have exactly one of "userInput" or "afterTool" or "afterHandoff" (or only "agent": that agent\'s default reply)');
      else if (keys[0] === 'userInput') {
        const s = v.reqString(w, 'userInput', wp);
        if (s !== undefined) when = { userInput: s };
      } else if (keys[0] === 'afterTool') {
        const s = v.reqString(w, 'afterTool', wp);
        if (s !== undefined) {
          if (!tools[s]) v.issue(`${wp}.afterTool`, `names ${JSON.stringify(s)}, which is not a tool of this scenario${toolList(tools)}`);
          when = { afterTool: s };
        }
      } else if (keys[0] === 'afterHandoff') {
        if (w.afterHandoff !== true) v.issue(`${wp}.afterHandoff`, `must be true, got ${show(w.afterHandoff)}`);
        else if (!agents) v.issue(`${wp}.afterHandoff`, 'needs "agents": there is no handoff without them');
        else when = { afterHandoff: true };
      } else when = {};
      if (when && agent !== undefined) when.agent = agent;
    }
  }
  const text = v.optString(r, 'text', path) ?? '';
  for (const m of text.matchAll(/\{\{([^}]*)\}\}/g)) {
    if (!/^output(\.[A-Za-z0-9_]+)*$/.test(m[1]!.trim())) v.issue(`${path}.text`, `has ${m[0]}: the only placeholder is {{output}} or {{output.field}} (the tool's output)`);
    else if (when?.afterTool === undefined) v.issue(`${path}.text`, `has ${m[0]}, which needs when.afterTool (it is that tool's output)`);
  }
  const toolCalls: ScenarioToolCall[] = [];
  const calls = v.array(r.toolCalls, `${path}.toolCalls`, { required: false });
  calls?.forEach((c, j) => {
    const cp = `${path}.toolCalls[${j}]`;
    const call = v.object(c, cp);
    if (!call) return;
    v.known(call, cp, CALL_KEYS);
    const name = v.reqString(call, 'name', cp);
    if (name !== undefined && !tools[name]) v.issue(`${cp}.name`, `names ${JSON.stringify(name)}, which is not a tool of this scenario${toolList(tools)}`);
    let args = '{}';
    if (call.arguments !== undefined) {
      if (typeof call.arguments === 'string') args = call.arguments;
      else if (call.arguments !== null && typeof call.arguments === 'object' && !Array.isArray(call.arguments)) args = JSON.stringify(call.arguments);
      else v.issue(`${cp}.arguments`, `must be an object (or a JSON string), got ${show(call.arguments)}`);
    }
    const callId = v.optString(call, 'callId', cp);
    if (name !== undefined) toolCalls.push({ name, arguments: args, ...(callId !== undefined ? { callId } : {}) });
  });
  if (text.trim() === '' && (!calls || calls.length === 0)) v.issue(path, 'must have "text" or "toolCalls" (or both)');
  return {
    ...(when ? { when } : {}),
    text,
    toolCalls,
    ttftMs: v.optNumber(r, 'ttftMs', path, { min: 0 }) ?? 150,
    chunkDelayMs: v.optNumber(r, 'chunkDelayMs', path, { min: 0 }) ?? 20,
  };
}

function parseInput(v: Validator, raw: unknown, path: string, replies: ScenarioReply[]): ScenarioInput | undefined {
  const r = v.object(raw, path);
  if (!r) return undefined;
  v.known(r, path, INPUT_KEYS);
  const atMs = v.reqNumber(r, 'atMs', path, { min: 0 });
  const interrupt = v.optBoolean(r, 'interrupt', path) ?? false;
  const force = v.optBoolean(r, 'force', path) ?? false;
  const userInput = v.optString(r, 'userInput', path);
  const say = v.optString(r, 'say', path);
  const allowInterruptions = v.optBoolean(r, 'allowInterruptions', path);
  v.optString(r, 'note', path);
  let priority: number | undefined;
  if (r.priority !== undefined) {
    if (typeof r.priority === 'string' && r.priority.toLowerCase() in PRIORITY_NAMES) priority = PRIORITY_NAMES[r.priority.toLowerCase()];
    else if (typeof r.priority === 'number' && Number.isFinite(r.priority)) priority = r.priority;
    else v.issue(`${path}.priority`, `must be a number or "low", "normal" or "high", got ${show(r.priority)}`);
  }
  if (force && !interrupt) v.issue(`${path}.force`, 'only applies with "interrupt": true');
  if (userInput !== undefined && say !== undefined) v.issue(path, 'has both "userInput" and "say": one input either asks the LLM or speaks a fixed text');
  if (userInput === undefined && say === undefined && !interrupt) v.issue(path, 'does nothing: give it "userInput", "say" or "interrupt": true');
  if (userInput === undefined && say === undefined && (priority !== undefined || allowInterruptions !== undefined))
    v.issue(path, '"priority" and "allowInterruptions" apply to the speech of "userInput" or "say", and this input has neither');
  if (userInput !== undefined && !replies.some((x) => answersUserInput(x, userInput)))
    v.issue(`${path}.userInput`, `${JSON.stringify(userInput)} has no reply: add a reply with when.userInput equal to it, or a default reply without "when"`);
  if (atMs === undefined) return undefined;
  return {
    atMs,
    interrupt,
    force,
    ...(userInput !== undefined ? { userInput } : {}),
    ...(say !== undefined ? { say } : {}),
    ...(priority !== undefined ? { priority } : {}),
    ...(allowInterruptions !== undefined ? { allowInterruptions } : {}),
  };
}

function toolList(tools: Record<string, ScenarioTool>): string {
  const names = Object.keys(tools);
  return names.length ? ` (tools: ${names.join(', ')})` : ' (it has no "tools")';
}

/** A short, readable rendering of a bad value for a message. */
function show(x: unknown): string {
  if (x === undefined) return 'nothing';
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return 'an object';
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x);
  return String(x);
}

function join(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

/** Collects issues instead of stopping at the first one, so a user fixes a file in one go. */
class Validator {
  readonly issues: ScenarioIssue[] = [];

  issue(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  object(x: unknown, path: string): Record<string, unknown> | undefined {
    if (x !== null && typeof x === 'object' && !Array.isArray(x)) return x as Record<string, unknown>;
    this.issue(path, path ? `must be an object, got ${show(x)}` : `a scenario must be a JSON object, got ${show(x)}`);
    return undefined;
  }

  array(x: unknown, path: string, o: { required: boolean }): unknown[] | undefined {
    if (x === undefined) {
      if (o.required) this.issue(path, 'is required (a list)');
      return undefined;
    }
    if (Array.isArray(x)) return x;
    this.issue(path, `must be a list, got ${show(x)}`);
    return undefined;
  }

  known(obj: Record<string, unknown>, path: string, keys: string[]): void {
    for (const k of Object.keys(obj)) {
      if (keys.includes(k)) continue;
      const near = closest(k, keys);
      this.issue(join(path, k), `is not a known field${near ? ` (did you mean "${near}"?)` : ''}; known: ${keys.filter((x) => x !== '$schema').join(', ')}`);
    }
  }

  optString(obj: Record<string, unknown>, key: string, path: string): string | undefined {
    const x = obj[key];
    if (x === undefined) return undefined;
    if (typeof x === 'string') return x;
    this.issue(join(path, key), `must be a string, got ${show(x)}`);
    return undefined;
  }

  reqString(obj: Record<string, unknown>, key: string, path: string): string | undefined {
    if (obj[key] === undefined) {
      this.issue(join(path, key), 'is required (a string)');
      return undefined;
    }
    const s = this.optString(obj, key, path);
    if (s !== undefined && s.trim() === '') {
      this.issue(join(path, key), 'must not be empty');
      return undefined;
    }
    return s;
  }

  optBoolean(obj: Record<string, unknown>, key: string, path: string): boolean | undefined {
    const x = obj[key];
    if (x === undefined) return undefined;
    if (typeof x === 'boolean') return x;
    this.issue(join(path, key), `must be true or false, got ${show(x)}`);
    return undefined;
  }

  optNumber(obj: Record<string, unknown>, key: string, path: string, o: { min?: number; integer?: boolean } = {}): number | undefined {
    const x = obj[key];
    if (x === undefined) return undefined;
    const what = o.integer ? (o.min === 0 ? 'a non-negative integer' : 'an integer') : o.min === 0 ? 'a non-negative number' : o.min !== undefined ? `a number ≥ ${o.min}` : 'a number';
    if (typeof x !== 'number' || !Number.isFinite(x) || (o.min !== undefined && x < o.min) || (o.integer && !Number.isInteger(x))) {
      this.issue(join(path, key), `must be ${what}, got ${show(x)}`);
      return undefined;
    }
    return x;
  }

  reqNumber(obj: Record<string, unknown>, key: string, path: string, o: { min?: number } = {}): number | undefined {
    if (obj[key] === undefined) {
      this.issue(join(path, key), `is required (${o.min === 0 ? 'a non-negative number' : 'a number'} of milliseconds)`);
      return undefined;
    }
    return this.optNumber(obj, key, path, o);
  }
}

/** The known key nearest to a misspelt one (edit distance ≤ 2, case-insensitive), if any. */
function closest(key: string, keys: string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of keys) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) (best = k), (bestD = d);
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
