import { fromTransition, type SnapshotFrom } from 'xstate';
import type { AgentState, AgentStateEvent, agentStateMachine } from '../../machines/agent-state.machine.js';
import { SPEECH_PRIORITY, type SchedulerEvent, type schedulerMachine } from '../../machines/scheduler.machine.js';
import type { SpeechHandleEvent, SpeechHandleInput, speechHandleMachine } from '../../machines/speech-handle.machine.js';
import type { ToolRunEvent, ToolRunInput, toolRunMachine } from '../../machines/tool-run.machine.js';
import { SessionRouter, type MachinePort, type SessionMachines, type SessionShell } from '../core/session-router.js';
import { cloneSessionState, initialSessionState, type SessionState } from '../core/session-state.js';
import { abortedToolOutput } from '../core/tool-output.js';
import type { ChatItem } from '../ports/chat-item.js';
import type { ActionRecord } from '../testing/model-explorer.js';
import { delayOf, steppers } from './machine-steppers.js';

export { coverage, machineKey, resetCoverage } from './machine-steppers.js';

/**
 * The composed system model: the session's own routing ({@link SessionRouter}, the code the
 * runtime runs) over the real machines of `machines/`, stepped purely (snapshots, no actors), with
 * up to three speeches and two tool runs each. Only the world around the router is modelled here:
 * the pipeline (LLM chunks, the end of a step, the audio output's reports, failures), the tools
 * (they await their preamble, return, fail, and may `say`/`generateReply` and await that speech, or
 * call `session.interrupt()`), and the callers awaiting each speech. A change to the routing is a
 * change to what this model explores.
 */

export interface ModelBounds {
  speeches: number;
  toolsPerSpeech: number;
  maxToolSteps: number;
  textChunksPerStep: number;
  speechesBeforeStart: number;
  /** Tools may say, reply (and await that speech) or interrupt. */
  toolsSpeak: boolean;
}

/** The bounds of the composed model (see docs/model-based-testing.md for why they suffice). */
export const MODEL_BOUNDS: Readonly<ModelBounds> = {
  /** Speeches created per session (by the API or by tools; queued, current, waiting for tools or finished). */
  speeches: 2,
  /** Tool calls per speech. */
  toolsPerSpeech: 2,
  /** `maxToolSteps` of the modelled session: step 1 may call tools, step 2 is the final reply. */
  maxToolSteps: 1,
  /** Text chunks per generation step. */
  textChunksPerStep: 1,
  /** Speeches created before `start()` (queued while scheduling is paused). */
  speechesBeforeStart: 1,
  /** Off here; on in {@link TOOLS_SPEAK_BOUNDS}, with one tool per speech, to keep both explorations exhaustive. */
  toolsSpeak: false,
};

/** The bounds of the second exploration: tools that say, reply and interrupt. */
export const TOOLS_SPEAK_BOUNDS: Readonly<ModelBounds> = { ...MODEL_BOUNDS, toolsPerSpeech: 1, toolsSpeak: true };

/** `speechcharts check --deep`: three speeches, with tools quiet and with tools that speak (minutes). */
export const DEEP_BOUNDS: readonly Readonly<ModelBounds>[] = [
  { ...MODEL_BOUNDS, speeches: 3, toolsPerSpeech: 1 },
  { ...TOOLS_SPEAK_BOUNDS, speeches: 3 },
];

type ToolAddress = { speech: number; tool: number };

export type ModelEvent =
  // ── session API ──
  | { type: 'START' }
  /** `session.generateReply({ userInput })`: interruptible, normal priority. */
  | { type: 'REPLY' }
  /** `session.say(stream, { allowInterruptions: false })`: text streamed by the pipeline, uninterruptible. */
  | { type: 'SAY' }
  | { type: 'INTERRUPT'; force: boolean }
  /** `handle.interrupt({ force })` on the speech created `speech`-th (0-based). */
  | { type: 'INTERRUPT_SPEECH'; speech: number; force: boolean }
  /** `handle.pause()` / `handle.resume()` on the speech holding the floor. */
  | { type: 'PAUSE' }
  | { type: 'RESUME' }
  | { type: 'CLOSE' }
  // ── pipeline of the speech holding the floor ──
  /** The LLM (or the say stream) yields text; the TTS turns it into one frame that plays at once. */
  | { type: 'TEXT_CHUNK' }
  /** The LLM yields a function call (replies only). */
  | { type: 'TOOL_CALL' }
  /** The LLM stream ends. */
  | { type: 'STEP_DONE' }
  /** The audio output reports the step's segment played out. */
  | { type: 'PLAYOUT_DONE' }
  | { type: 'LLM_ERROR' }
  | { type: 'TTS_ERROR' }
  // ── a running tool (`tool` of the speech created `speech`-th), on the floor or not ──
  /** Awaits its preamble again (`ctx.waitForPlayout()`), returns, or throws `ToolError`. */
  | ({ type: 'TOOL_WAIT' } & ToolAddress)
  | ({ type: 'TOOL_RESULT' } & ToolAddress)
  | ({ type: 'TOOL_ERROR' } & ToolAddress)
  /** `await ctx.session.say(stream).waitForPlayout()`: a status line, interruptible. */
  | ({ type: 'TOOL_SAY' } & ToolAddress)
  /** `await ctx.session.generateReply({ instructions }).waitForPlayout()`. */
  | ({ type: 'TOOL_REPLY' } & ToolAddress)
  /** `ctx.session.interrupt()` from inside the tool. */
  | ({ type: 'TOOL_INTERRUPT' } & ToolAddress);

export const API_EVENT_TYPES = ['START', 'REPLY', 'SAY', 'INTERRUPT', 'INTERRUPT_SPEECH', 'PAUSE', 'RESUME', 'CLOSE'] as const;
/** The world's events: what the pipeline and the tools do without a new user input. */
export const PIPELINE_EVENT_TYPES = ['TEXT_CHUNK', 'TOOL_CALL', 'STEP_DONE', 'PLAYOUT_DONE', 'LLM_ERROR', 'TTS_ERROR', 'TOOL_WAIT', 'TOOL_RESULT', 'TOOL_ERROR', 'TOOL_SAY', 'TOOL_REPLY', 'TOOL_INTERRUPT'] as const;

export type SpeechSnapshot = SnapshotFrom<typeof speechHandleMachine>;
export type ToolRunSnapshot = SnapshotFrom<typeof toolRunMachine>;
export type SchedulerSnapshot = SnapshotFrom<typeof schedulerMachine>;
export type AgentStateSnapshot = SnapshotFrom<typeof agentStateMachine>;

/** How the last `waitForPlayout()` of a speech went (its creator awaits it). */
export type SpeechWaiter = 'none' | 'pending' | 'resolved' | 'interrupted' | 'failed';
/** How the last `ctx.waitForPlayout()` of a tool went. */
export type ToolWaiter = 'none' | 'pending' | 'resolved' | 'rejected';

export interface ToolModel {
  callId: string;
  step: number;
  snap: ToolRunSnapshot;
  key: string;
  waiter: ToolWaiter;
  /** The speech this tool created and awaits (its waiter is that speech's), if any. */
  awaits: string | null;
}

/** The pipeline's side of a step (the router keeps the rest). */
export interface PipelineStep {
  index: number;
  chunks: number;
  /** The step's audio played while the output was not paused (so a cut keeps the text). */
  heard: boolean;
  /** The LLM stream ended (or failed): no more chunks. */
  llmDone: boolean;
  /** The segment was flushed: the output reports its end later (PLAYOUT_DONE). */
  playoutRequested: boolean;
}

export interface SpeechModel {
  id: string;
  kind: 'reply' | 'say';
  allowInterruptions: boolean;
  priority: number;
  snap: SpeechSnapshot;
  key: string;
  waiter: SpeechWaiter;
  pipeline: PipelineStep | null;
  tools: ToolModel[];
  /** The router released it (history committed, floor or queue place given up). */
  released: boolean;
  /** The tool whose `say`/`generateReply` created it, if any. */
  createdBy: string | null;
}

/** What the API call of the last event returned. */
export type ApiOutcome = 'ok' | 'SessionClosedError' | 'InterruptionRefusedError' | 'none';

export interface ComposedState {
  /** Constant per model. */
  bounds: Readonly<ModelBounds>;
  /** The router's data: the same object shape the runtime holds. */
  session: SessionState;
  /** The audio output's pause (it outlives a speech). */
  audioPaused: boolean;
  scheduler: SchedulerSnapshot;
  schedulerKey: string;
  agent: AgentStateSnapshot;
  agentKey: string;
  /** What `session.agentState` reports (the agent machine's value, never 'closed'). */
  shownAgentState: AgentState;
  speeches: SpeechModel[];
  /** Floor grants (`speech#step`) and unstarted ends (`speech#0`), in order: history must follow it. */
  grants: string[];
  // Below: per path or per step, not part of the state's identity.
  history: string[];
  errors: string[];
  last: ApiOutcome;
  /** Effects of the last event, e.g. `speech_1:abortWaiters`, `timer:tool_call_1_1`, `unrouted:speech_1:foo`. */
  effects: string[];
}

// ── names shared with the runtime adapter ──────────────────────────────────

/**
 * The user input of a reply: named after its speech, so history lines are predictable.
 * @example userInputOf('speech_2') // 'input for speech_2'
 */
export function userInputOf(speechId: string): string {
  return `input for ${speechId}`;
}

/**
 * The text chunk of a step: one word, so the heard-text cut is exact.
 * @example chunkText('speech_2', 1) // 's2.1 '
 */
export function chunkText(speechId: string, step: number): string {
  return `${speechId.replace('speech_', 's')}.${step} `;
}

/**
 * The call id of a speech's `index`-th tool call (0-based).
 * @example toolCallId('speech_2', 0) // 'call_2_1'
 */
export function toolCallId(speechId: string, index: number): string {
  return `call_${speechId.replace('speech_', '')}_${index + 1}`;
}

/** The tool output the model's tools produce. */
export const TOOL_OK = 'ok';
export const TOOL_FAILED = 'tool failed';

/**
 * A history item as one comparable line (model and runtime alike).
 * @example historyLine(item) // 'assistant:s1.1  [interrupted]', 'output:call_1_1:aborted:interrupt'
 */
export function historyLine(i: ChatItem): string {
  if (i.type === 'message') return `${i.role}:${i.content}${i.interrupted ? ' [interrupted]' : ''}`;
  if (i.type === 'function_call') return `call:${i.callId}`;
  const kind = !i.isError
    ? 'ok'
    : i.output === abortedToolOutput('interrupt')
      ? 'aborted:interrupt'
      : i.output === abortedToolOutput('close')
        ? 'aborted:close'
        : i.output === abortedToolOutput('speechFailed')
          ? 'aborted:speechFailed'
          : 'error';
  return `output:${i.callId}:${kind}`;
}

/**
 * A speech machine snapshot's outcome, undefined while it runs.
 * @example outcomeOf(sp.snap) // 'interrupted'
 */
export function outcomeOf(s: SpeechSnapshot): 'done' | 'interrupted' | 'failed' | undefined {
  if (s.status !== 'done') return undefined;
  return s.value as 'done' | 'interrupted' | 'failed';
}

const isFinal = (s: { status: string }) => s.status === 'done';

// ── one step of the model: the router over snapshots, and the world around it ──

function cloneState(s: ComposedState): ComposedState {
  return {
    ...s,
    session: cloneSessionState(s.session),
    // A released speech never changes again (nothing routes to it): share it.
    speeches: s.speeches.map((sp) => (sp.released ? sp : { ...sp, pipeline: sp.pipeline ? { ...sp.pipeline } : null, tools: sp.tools.map((t) => ({ ...t })) })),
    grants: [...s.grants],
    errors: [...s.errors],
    last: 'none',
    effects: [],
  };
}

/**
 * One event applied to a draft state: the router routes, this class plays the machines (pure
 * snapshots), the shell (pipeline, audio output) and the callers (waiters, tools).
 */
class ModelWorld implements SessionMachines, SessionShell {
  readonly router: SessionRouter;
  private readonly microtasks: (() => void)[] = [];

  constructor(readonly s: ComposedState) {
    this.router = new SessionRouter(s.session, this, this, { maxToolSteps: s.bounds.maxToolSteps });
  }

  // ── SessionMachines: the machines as snapshots ──

  readonly scheduler = {
    snapshot: () => this.s.scheduler,
    send: (ev: SchedulerEvent) => {
      const r = steppers.scheduler.next(this.s.scheduler, ev);
      this.s.scheduler = r.snapshot;
      this.s.schedulerKey = r.key;
      for (const a of r.actions) {
        if (delayOf(a) !== undefined) this.s.effects.push('timer:scheduler');
        else this.route('scheduler', () => this.router.schedulerAction(a.type, a.params));
      }
    },
  };

  readonly agent = {
    snapshot: () => this.s.agent,
    send: (ev: AgentStateEvent) => {
      const r = steppers.agent.next(this.s.agent, ev);
      this.s.agent = r.snapshot;
      this.s.agentKey = r.key;
      if (r.snapshot.value !== 'closed') this.s.shownAgentState = r.snapshot.value as AgentState;
      for (const a of r.actions) this.s.effects.push(delayOf(a) !== undefined ? 'timer:agentState' : `unrouted:agentState:${a.type}`);
    },
  };

  private pendingCreator: string | null = null;
  private pendingKind: 'reply' | 'say' = 'reply';

  createSpeech(input: Required<SpeechHandleInput>): void {
    const { snap, key } = steppers.speech.initial(input);
    // Every creator awaits its speech (the adapter calls waitForPlayout() on each handle it creates).
    this.s.speeches.push({
      id: input.id,
      kind: this.pendingKind,
      allowInterruptions: input.allowInterruptions,
      priority: input.priority,
      snap,
      key,
      waiter: 'pending',
      pipeline: null,
      tools: [],
      released: false,
      createdBy: this.pendingCreator,
    });
  }

  private readonly speechPorts = new Map<string, MachinePort<SpeechSnapshot, SpeechHandleEvent>>();
  private readonly toolPorts = new Map<string, MachinePort<ToolRunSnapshot, ToolRunEvent>>();

  speech(id: string): MachinePort<SpeechSnapshot, SpeechHandleEvent> {
    let port = this.speechPorts.get(id);
    if (!port) this.speechPorts.set(id, (port = this.speechPortOf(this.speechModel(id))));
    return port;
  }

  private speechPortOf(sp: SpeechModel): MachinePort<SpeechSnapshot, SpeechHandleEvent> {
    return {
      snapshot: () => sp.snap,
      send: (ev: SpeechHandleEvent) => {
        const r = steppers.speech.next(sp.snap, ev);
        sp.snap = r.snapshot;
        sp.key = r.key;
        for (const a of r.actions) this.speechAction(sp, a);
      },
    };
  }

  createTool(input: ToolRunInput): void {
    const sp = this.speechModel(input.speechId);
    const { snap, key } = steppers.tool.initial(input);
    sp.tools.push({ callId: input.callId, step: input.step, snap, key, waiter: 'none', awaits: null });
  }

  tool(callId: string): MachinePort<ToolRunSnapshot, ToolRunEvent> {
    let port = this.toolPorts.get(callId);
    if (!port) this.toolPorts.set(callId, (port = this.toolPortOf(this.toolModel(callId))));
    return port;
  }

  private toolPortOf(t: ToolModel): MachinePort<ToolRunSnapshot, ToolRunEvent> {
    return {
      snapshot: () => t.snap,
      send: (ev: ToolRunEvent) => {
        const r = steppers.tool.next(t.snap, ev);
        t.snap = r.snapshot;
        t.key = r.key;
        for (const a of r.actions) this.toolAction(t, a, ev);
      },
    };
  }

  /** The speech handle facade's own actions (waiters); the rest is the router's. */
  private speechAction(sp: SpeechModel, a: ActionRecord): void {
    this.s.effects.push(`${sp.id}:${a.type}`);
    if (delayOf(a) !== undefined) return void this.s.effects.push(`timer:${sp.id}`);
    switch (a.type) {
      case 'resolveWaiters':
        if (sp.waiter === 'pending') sp.waiter = 'resolved';
        return;
      case 'abortWaiters':
        if (sp.waiter === 'pending') sp.waiter = 'interrupted';
        return;
      case 'failWaiters':
        if (sp.waiter === 'pending') sp.waiter = 'failed';
        return;
      default:
        this.route(sp.id, () => this.router.speechAction(sp.id, a.type, a.params));
    }
  }

  /** The tool run facade's own actions (waiters, signal); its outputs are the router's. */
  private toolAction(t: ToolModel, a: ActionRecord, ev: ToolRunEvent): void {
    this.s.effects.push(`${t.callId}:${a.type}`);
    if (delayOf(a) !== undefined) return void this.s.effects.push(`timer:${t.callId}`);
    switch (a.type) {
      case 'resolvePlayoutWaiters':
        if (t.waiter === 'pending') t.waiter = 'resolved';
        return;
      case 'rejectPlayoutWaiters':
        if (t.waiter === 'pending') t.waiter = 'rejected';
        return;
      case 'abortSignal':
        return;
      case 'recordOutput':
        return this.router.toolAction(t.callId, 'recordOutput', ev);
      case 'recordAbortOutput':
        return this.router.toolAction(t.callId, 'recordAbortOutput', { reason: t.snap.context.abortReason });
      default:
        this.s.effects.push(`unrouted:${t.callId}:${a.type}`);
    }
  }

  private route(who: string, fn: () => void): void {
    try {
      fn();
    } catch {
      this.s.effects.push(`unrouted:${who}`);
    }
  }

  private speechModel(id: string): SpeechModel {
    const sp = this.s.speeches.find((x) => x.id === id);
    if (!sp) throw new Error(`model: no speech ${id}`);
    return sp;
  }

  private toolModel(callId: string): ToolModel {
    for (const sp of this.s.speeches) for (const t of sp.tools) if (t.callId === callId) return t;
    throw new Error(`model: no tool run ${callId}`);
  }

  // ── SessionShell: the pipeline and the audio output ──

  startStep(id: string, index: number): void {
    const sp = this.speechModel(id);
    sp.pipeline = { index, chunks: 0, heard: false, llmDone: false, playoutRequested: false };
    this.s.grants.push(`${id}#${index}`);
    // The runtime runs a step in a later microtask.
    this.microtasks.push(() => this.router.stepRunning(id, index));
  }

  stopStreams(): void {}

  cutAudio(id: string, index: number): void {
    const sp = this.speechModel(id);
    // clearBuffer() ends the segment and any pause of the output; the cut position comes back later.
    this.s.audioPaused = false;
    const heard = sp.pipeline?.index === index && sp.pipeline.heard;
    this.microtasks.push(() => this.router.cutReported(id, heard ? (this.s.session.speeches.get(id)?.step?.text ?? '') : ''));
  }

  pauseAudio(): void {
    this.s.audioPaused = true;
  }

  resumeAudio(): void {
    this.s.audioPaused = false;
  }

  itemAdded(): void {}
  toolsExecuted(): void {}

  released(id: string): void {
    const sp = this.speechModel(id);
    sp.released = true;
    if (!this.s.grants.some((g) => g.startsWith(`${id}#`))) this.s.grants.push(`${id}#0`);
  }

  effectError(): void {
    this.s.errors.push('callback');
  }

  // ── the events ──

  apply(ev: ModelEvent): void {
    const s = this.s;
    const cur = currentSpeech(s);
    switch (ev.type) {
      case 'START':
        if (s.session.closed) s.last = 'SessionClosedError';
        else {
          s.last = 'ok';
          this.router.start();
        }
        break;
      case 'REPLY':
        this.create(null, 'reply', true);
        break;
      case 'SAY':
        this.create(null, 'say', false);
        break;
      case 'INTERRUPT':
        s.last = this.router.interruptAll(ev.force, 'interrupt').refused ? 'InterruptionRefusedError' : 'ok';
        break;
      case 'CLOSE':
        s.last = 'ok';
        if (s.session.closed) break;
        this.router.beginClose();
        this.drain(); // the model's cuts report at once, so every speech is released here
        this.router.endClose();
        break;
      case 'INTERRUPT_SPEECH': {
        // SpeechHandle.interrupt(): a finished speech is left as it is; a refusal throws.
        const sp = s.speeches[ev.speech];
        if (!sp || isFinal(sp.snap)) break;
        s.last = this.router.interruptSpeech(sp.id, ev.force) ? 'ok' : 'InterruptionRefusedError';
        break;
      }
      case 'PAUSE':
        if (cur) this.router.pause(cur.id);
        break;
      case 'RESUME':
        if (cur) this.router.resume(cur.id);
        break;
      case 'TOOL_WAIT':
      case 'TOOL_RESULT':
      case 'TOOL_ERROR':
      case 'TOOL_SAY':
      case 'TOOL_REPLY':
      case 'TOOL_INTERRUPT':
        this.toolEvent(ev);
        break;
      default:
        if (cur) this.pipeline(cur, ev);
    }
    this.drain();
    s.history = s.session.history.map(historyLine);
  }

  private drain(): void {
    for (let task = this.microtasks.shift(); task; task = this.microtasks.shift()) task();
  }

  private create(creator: ToolModel | null, kind: 'reply' | 'say', allowInterruptions: boolean): void {
    const s = this.s;
    if (s.session.closed) {
      s.last = 'SessionClosedError';
      return;
    }
    s.last = 'ok';
    this.pendingCreator = creator?.callId ?? null;
    this.pendingKind = kind;
    const id = this.router.createSpeech({
      kind,
      // A tool's reply has instructions, no user input.
      userInput: kind === 'reply' && !creator ? userInputOf(`speech_${s.session.nextSpeech + 1}`) : undefined,
      priority: SPEECH_PRIORITY.NORMAL,
      allowInterruptions,
    });
    this.pendingCreator = null;
    if (creator) creator.awaits = id;
  }

  private toolEvent(ev: Extract<ModelEvent, ToolAddress>): void {
    const t = this.s.speeches[ev.speech]?.tools[ev.tool];
    if (!t || isFinal(t.snap)) return;
    const send = (e: ToolRunEvent) => this.router.dispatch(() => this.tool(t.callId).send(e));
    switch (ev.type) {
      case 'TOOL_WAIT':
        t.waiter = 'pending';
        return send({ type: 'WAIT_FOR_PLAYOUT' });
      case 'TOOL_RESULT':
        return send({ type: 'RESULT', output: TOOL_OK });
      case 'TOOL_ERROR':
        return send({ type: 'ERROR', output: TOOL_FAILED });
      case 'TOOL_SAY':
        return this.create(t, 'say', true);
      case 'TOOL_REPLY':
        return this.create(t, 'reply', true);
      case 'TOOL_INTERRUPT':
        this.s.last = this.router.interruptAll(false, 'interrupt').refused ? 'InterruptionRefusedError' : 'ok';
        return;
    }
  }

  private pipeline(sp: SpeechModel, ev: ModelEvent): void {
    const p = sp.pipeline;
    const st = this.s.session.speeches.get(sp.id)?.step;
    if (!p || !st || st.index !== p.index || isFinal(sp.snap)) return;
    const r = this.router;
    switch (ev.type) {
      case 'TEXT_CHUNK':
        p.chunks++;
        r.textChunk(sp.id, p.index, chunkText(sp.id, p.index));
        // The TTS makes one frame; the output plays it unless paused (the adapter lets it play).
        r.frameQueued(sp.id, p.index);
        p.heard = p.heard || !this.s.audioPaused;
        r.speaking(sp.id, p.index);
        return;
      case 'TOOL_CALL': {
        const callId = toolCallId(sp.id, sp.tools.length);
        const refusal = r.toolCall(sp.id, p.index, { callId, name: 'probe', arguments: '{}' });
        const t = sp.tools.find((x) => x.callId === callId);
        if (!t) return;
        if (refusal) {
          this.s.effects.push(`toolRefused:${callId}@${p.index}`);
          return r.dispatch(() => this.tool(callId).send({ type: 'ERROR', output: refusal }));
        }
        // The tool starts by awaiting its preamble, like the seed scenario: ctx.waitForPlayout().
        t.waiter = 'pending';
        return r.dispatch(() => this.tool(callId).send({ type: 'WAIT_FOR_PLAYOUT' }));
      }
      case 'LLM_ERROR':
      case 'TTS_ERROR':
        p.llmDone = true;
        this.s.errors.push(ev.type === 'LLM_ERROR' ? 'llm' : 'tts');
        return r.fail(sp.id, ev.type === 'LLM_ERROR' ? 'llm' : 'tts');
      case 'STEP_DONE':
        p.llmDone = true;
        r.generationDone(sp.id, p.index);
        if (!r.step(sp.id, p.index)) return;
        // The shell flushes an open segment and waits for its report; else the step is over now.
        if (st.segmentOpen) p.playoutRequested = true;
        else r.playoutDone(sp.id, p.index, st.text, false);
        return;
      case 'PLAYOUT_DONE':
        return r.playoutDone(sp.id, p.index, st.text, false);
      default:
        return;
    }
  }
}

// ── the logic ──────────────────────────────────────────────────────────────

function initialState(bounds: Readonly<ModelBounds>): ComposedState {
  const sched = steppers.scheduler.initial();
  // The session's constructor pauses scheduling until start().
  const paused = steppers.scheduler.next(sched.snap, { type: 'PAUSE' });
  const agent = steppers.agent.initial();
  return {
    bounds,
    session: initialSessionState(),
    audioPaused: false,
    scheduler: paused.snapshot,
    schedulerKey: paused.key,
    agent: agent.snap,
    agentKey: agent.key,
    shownAgentState: 'initializing',
    speeches: [],
    grants: [],
    history: [],
    errors: [],
    last: 'none',
    effects: [],
  };
}

/**
 * Steps the composed state (pure: the given state is not modified).
 * @example const next = stepComposed(state, { type: 'REPLY' });
 */
export function stepComposed(state: ComposedState, event: ModelEvent): ComposedState {
  const draft = cloneState(state);
  new ModelWorld(draft).apply(event);
  return draft;
}

/**
 * The composed model as XState actor logic (`fromTransition`), with the events it offers in each
 * state and its state identity. Explore it with `exploreModel`, or run it with `createActor` as an
 * executable specification.
 * @example
 * const { logic, events, serialize } = createComposedModel({ speeches: 2 });
 * const report = exploreModel({ logic, events, serialize });
 */
export function createComposedModel(bounds: Partial<ModelBounds> = {}) {
  const b: Readonly<ModelBounds> = Object.freeze({ ...MODEL_BOUNDS, ...bounds });
  const logic = fromTransition((state: ComposedState, event: ModelEvent) => stepComposed(state, event), () => initialState(b));
  return { logic, events: composedEvents, serialize: serializeComposed, serializeWithHistory: serializeComposedWithHistory, bounds: b };
}

/** The composed model at {@link MODEL_BOUNDS}. */
export const composedModel = createComposedModel().logic;

export type ComposedSnapshot = SnapshotFrom<typeof composedModel>;

/**
 * The speech holding the floor, if any.
 * @example currentSpeech(snapshot.context)?.id // 'speech_1'
 */
export function currentSpeech(s: ComposedState): SpeechModel | undefined {
  const id = s.scheduler.context.current;
  return id ? s.speeches.find((sp) => sp.id === id && !sp.released) : undefined;
}

/**
 * A tool that awaits a speech it created cannot do anything else until that speech settles.
 * @example blocked(tool, state) // true while its status speech is pending
 */
export function blockedOn(t: ToolModel, s: ComposedState): SpeechModel | undefined {
  if (!t.awaits) return undefined;
  const sp = s.speeches.find((x) => x.id === t.awaits);
  return sp && sp.waiter === 'pending' ? sp : undefined;
}

/**
 * The events offered in a state: every API call (within the model's bounds), the pipeline events
 * of the speech holding the floor, and what each running tool may do next.
 * @example composedEvents(snapshot).map((e) => e.type) // ['START', 'REPLY', 'SAY', 'INTERRUPT', ...]
 */
export function composedEvents(snapshot: ComposedSnapshot): ModelEvent[] {
  const s = snapshot.context;
  const b = s.bounds;
  const out: ModelEvent[] = [{ type: 'START' }];
  const room = s.speeches.length < b.speeches;
  // Input before start() is queued while scheduling is paused; one such speech shows it is kept.
  if (s.speeches.length < (s.session.started || s.session.closed ? b.speeches : Math.min(b.speeches, b.speechesBeforeStart))) out.push({ type: 'REPLY' }, { type: 'SAY' });
  out.push({ type: 'INTERRUPT', force: false }, { type: 'INTERRUPT', force: true }, { type: 'CLOSE' });
  s.speeches.forEach((sp, i) => {
    if (isFinal(sp.snap)) return;
    out.push({ type: 'INTERRUPT_SPEECH', speech: i, force: false });
    if (!sp.allowInterruptions) out.push({ type: 'INTERRUPT_SPEECH', speech: i, force: true });
    sp.tools.forEach((t, j) => {
      // Tools past maxToolSteps never ran (they failed at once); a tool awaiting its own status speech is blocked.
      if (isFinal(t.snap) || t.step > b.maxToolSteps || blockedOn(t, s)) return;
      const at = { speech: i, tool: j };
      // A second wait once the first one settled.
      if (t.waiter !== 'pending') out.push({ type: 'TOOL_WAIT', ...at });
      out.push({ type: 'TOOL_RESULT', ...at }, { type: 'TOOL_ERROR', ...at });
      if (!b.toolsSpeak) return;
      if (room && !s.session.closed) out.push({ type: 'TOOL_SAY', ...at }, { type: 'TOOL_REPLY', ...at });
      out.push({ type: 'TOOL_INTERRUPT', ...at });
    });
  });
  const cur = currentSpeech(s);
  const p = cur?.pipeline;
  const st = cur ? s.session.speeches.get(cur.id)?.step : undefined;
  if (!cur || !p || !st || st.index !== p.index || isFinal(cur.snap)) return out;
  if (cur.snap.can({ type: 'PAUSE' })) out.push({ type: 'PAUSE' });
  if (cur.snap.matches({ active: 'paused' } as never)) out.push({ type: 'RESUME' });
  if (!p.llmDone && cur.snap.matches('active')) {
    if (p.chunks < b.textChunksPerStep) out.push({ type: 'TEXT_CHUNK' });
    if (cur.kind === 'reply' && cur.tools.length < b.toolsPerSpeech) out.push({ type: 'TOOL_CALL' });
    out.push({ type: 'STEP_DONE' }, { type: 'LLM_ERROR' }, { type: 'TTS_ERROR' });
  }
  if (p.playoutRequested && !st.playoutDone && !s.audioPaused) out.push({ type: 'PLAYOUT_DONE' });
  return out;
}

/**
 * The state's identity for the exploration: machine snapshots and the data that decides behaviour.
 * A finished speech is reduced to its outcome and waiter (its tools are final too).
 */
export function serializeComposed(snapshot: ComposedSnapshot): string {
  // e.g. exploreModel({ logic: composedModel, events: composedEvents, serialize: serializeComposed })
  return identity(snapshot, false);
}

/**
 * {@link serializeComposed}, plus whether each finished speech left an interrupted message:
 * for generated runtime tests, so the shortest paths also cover what history records of a cut speech.
 */
export function serializeComposedWithHistory(snapshot: ComposedSnapshot): string {
  return identity(snapshot, true);
}

function identity(snapshot: ComposedSnapshot, history: boolean): string {
  const s = snapshot.context;
  const ses = s.session;
  let out = `${+ses.started}${+ses.closed}${+s.audioPaused}${ses.audioHeldBy ?? '-'}:${s.schedulerKey}:${s.agentKey}:${s.shownAgentState}`;
  for (const sp of s.speeches) {
    if (sp.released && isFinal(sp.snap)) {
      out += `#${sp.kind}${+sp.allowInterruptions}${sp.createdBy ?? ''}:${String(sp.snap.value)}:${sp.waiter}`;
      if (history) out += `:${+s.history.some((l) => l.startsWith(`assistant:${sp.id.replace('speech_', 's')}.`) && l.endsWith('[interrupted]'))}`;
      continue;
    }
    const p = sp.pipeline;
    const r = ses.speeches.get(sp.id);
    const st = r?.step;
    out += `#${sp.kind}${+sp.allowInterruptions}${+sp.released}${sp.createdBy ?? ''}:${sp.key}:${sp.waiter}:`;
    out += p ? `${p.index}${p.chunks}${+p.heard}${+p.llmDone}${+p.playoutRequested}` : '-';
    out += st ? `/${st.index}${+st.segmentOpen}${+st.speaking}${+st.playoutDone}${+st.messageCommitted}${+st.toolsCommitted}[${st.tools.join(',')}]` : '/-';
    if (r) out += `${r.cut[0]}${+r.userCommitted}${r.finishing ?? ''}${r.commitsAfterMessage.length}`;
    for (const t of sp.tools) out += `;${t.key}/${t.waiter}/${historyOutput(ses, t.callId)}/${t.awaits ?? ''}`;
  }
  return out;
}

function historyOutput(ses: SessionState, callId: string): string {
  const o = ses.tools.get(callId)?.output;
  return o ? `${+o.isError}${o.output.length}` : '-';
}

/**
 * A one-line summary of a state, for violation reports.
 * @example formatReport(report, { describeState: describeComposed })
 */
export function describeComposed(snapshot: ComposedSnapshot): string {
  const s = snapshot.context;
  const sp = s.speeches.map((x) => {
    const v = typeof x.snap.value === 'string' ? x.snap.value : JSON.stringify(x.snap.value);
    const tools = x.tools.map((t) => `${t.callId}=${JSON.stringify(t.snap.value)}${t.waiter === 'pending' ? '(waiting for preamble)' : ''}${blockedOn(t, s) ? `(awaiting ${t.awaits})` : ''}`);
    return `${x.id}[${x.kind}${x.allowInterruptions ? '' : ',uninterruptible'}${x.createdBy ? `,by ${x.createdBy}` : ''}]=${v}${x.waiter === 'pending' ? '(waited on)' : ''}${tools.length ? ` tools{${tools.join(' ')}}` : ''}`;
  });
  return `scheduler=${JSON.stringify(s.scheduler.value)} current=${s.scheduler.context.current ?? '-'} queue=[${s.scheduler.context.queue.map((q) => q.id).join(',')}] agent=${String(s.agent.value)}${s.audioPaused ? ' audio=paused' : ''}${s.session.closed ? ' closed' : ''}; ${sp.join('; ')}`;
}
