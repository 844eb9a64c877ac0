import { fromTransition, type AnyStateMachine, type EventFromLogic, type SnapshotFrom } from 'xstate';
import { agentStateMachine, type AgentState, type AgentStateEvent } from '../../machines/agent-state.machine.js';
import { schedulerMachine, SPEECH_PRIORITY, type SchedulerEvent } from '../../machines/scheduler.machine.js';
import { speechHandleMachine, type SpeechHandleEvent } from '../../machines/speech-handle.machine.js';
import { toolRunMachine, type ToolRunEvent } from '../../machines/tool-run.machine.js';
import { CoverageRecorder, createMachineStepper, type ActionRecord, type StepResult } from '../testing/model-explorer.js';

/**
 * The composed system model: the scheduler, the agent state and up to three speeches with up to
 * two tool runs each, stepped with the real machines from `machines/` (pure transitions, no
 * actors), and the runtime's routing between them mirrored in one place ({@link SessionMirror},
 * method for method after `src/agent-session.ts`). The runtime's own state that the machines do
 * not hold (a step's audio segment, history, pending waiters, the audio output's pause) is
 * modelled as plain data beside the machine snapshots.
 *
 * Events are the session API (`START`, `REPLY`, `SAY`, `INTERRUPT`, `INTERRUPT_SPEECH`,
 * `PAUSE`, `RESUME`, `CLOSE`) and the pipeline (LLM chunks and errors, TTS errors,
 * playout done, tool waits, results and errors), always aimed at the speech holding the floor.
 */

export interface ModelBounds {
  speeches: number;
  toolsPerSpeech: number;
  maxToolSteps: number;
  textChunksPerStep: number;
  speechesBeforeStart: number;
}

/** The bounds of the composed model (see docs/model-based-testing.md for why they suffice). */
export const MODEL_BOUNDS: Readonly<ModelBounds> = {
  /** Speeches created per session (queued, current or finished). */
  speeches: 3,
  /** Tool calls per speech. */
  toolsPerSpeech: 2,
  /** `maxToolSteps` of the modelled session: step 1 may call tools, step 2 is the final reply. */
  maxToolSteps: 1,
  /** Text chunks per generation step. */
  textChunksPerStep: 1,
  /** Speeches created before `start()` (queued while scheduling is paused). */
  speechesBeforeStart: 1,
};

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
  /** Tool `tool` (index within the speech) awaits its preamble again (`ctx.waitForPlayout()`), returns, or throws `ToolError`. */
  | { type: 'TOOL_WAIT'; tool: number }
  | { type: 'TOOL_RESULT'; tool: number }
  | { type: 'TOOL_ERROR'; tool: number };

export const API_EVENT_TYPES = ['START', 'REPLY', 'SAY', 'INTERRUPT', 'INTERRUPT_SPEECH', 'PAUSE', 'RESUME', 'CLOSE'] as const;
export const PIPELINE_EVENT_TYPES = ['TEXT_CHUNK', 'TOOL_CALL', 'STEP_DONE', 'PLAYOUT_DONE', 'LLM_ERROR', 'TTS_ERROR', 'TOOL_WAIT', 'TOOL_RESULT', 'TOOL_ERROR'] as const;

export type SpeechSnapshot = SnapshotFrom<typeof speechHandleMachine>;
export type ToolRunSnapshot = SnapshotFrom<typeof toolRunMachine>;
export type SchedulerSnapshot = SnapshotFrom<typeof schedulerMachine>;
export type AgentStateSnapshot = SnapshotFrom<typeof agentStateMachine>;

/** How the last `waitForPlayout()` of a speech went. */
export type SpeechWaiter = 'none' | 'pending' | 'resolved' | 'interrupted' | 'failed';
/** How the last `ctx.waitForPlayout()` of a tool went. */
export type ToolWaiter = 'none' | 'pending' | 'resolved' | 'rejected';
export type AbortReason = 'interrupt' | 'close' | 'speechFailed';
export type ToolOutput = null | 'ok' | 'error' | `aborted:${AbortReason}`;

export interface ToolModel {
  callId: string;
  step: number;
  snap: ToolRunSnapshot;
  key: string;
  waiter: ToolWaiter;
  /** What the LLM will see (null until the run is final). */
  output: ToolOutput;
}

/** The runtime's `StepRun`, reduced to what decides behaviour and history. */
export interface StepModel {
  index: number;
  text: string;
  chunks: number;
  /** The step's audio was played while the output was not paused (so an interrupt keeps the text). */
  heard: boolean;
  speaking: boolean;
  /** The LLM stream ended (or failed): no more chunks. */
  llmDone: boolean;
  segmentOpen: boolean;
  /** The runtime holds a playout report for the segment (after flush, or at a stop). */
  playoutRequested: boolean;
  playoutDone: boolean;
  messageCommitted: boolean;
  toolsCommitted: boolean;
  /** Indexes into the speech's `tools`. */
  tools: number[];
}

export interface SpeechModel {
  id: string;
  kind: 'reply' | 'say';
  allowInterruptions: boolean;
  priority: number;
  snap: SpeechSnapshot;
  key: string;
  waiter: SpeechWaiter;
  step: StepModel | null;
  tools: ToolModel[];
  authorized: boolean;
  released: boolean;
  /** What the speech put in history, one letter a line (u user, a/A assistant/interrupted, c call, o output). */
  committed: string;
}

/** What the API call of the last event returned. */
export type ApiOutcome = 'ok' | 'SessionClosedError' | 'InterruptionRefusedError' | 'none';

export interface ComposedState {
  /** Constant per model. */
  bounds: Readonly<ModelBounds>;
  started: boolean;
  closed: boolean;
  /** The audio output's pause (it outlives a speech). */
  audioPaused: boolean;
  /** The speech whose pause holds the audio output (the runtime's `audioHeldBy`). */
  audioHeldBy: string | null;
  scheduler: SchedulerSnapshot;
  schedulerKey: string;
  agent: AgentStateSnapshot;
  agentKey: string;
  /** What `session.agentState` reports (the agent machine's value, never 'closed'). */
  shownAgentState: AgentState;
  speeches: SpeechModel[];
  // Below: per path or per step, not part of the state's identity.
  history: string[];
  errors: string[];
  last: ApiOutcome;
  /** Effects of the last event, e.g. `speech_1:abortWaiters`, `timer:tool_call_1_1`, `unrouted:speech_1:foo`. */
  effects: string[];
}

// ── machine steppers (shared, with coverage) ───────────────────────────────

export const coverage = {
  speechHandle: new CoverageRecorder(speechHandleMachine),
  toolRun: new CoverageRecorder(toolRunMachine),
  scheduler: new CoverageRecorder(schedulerMachine),
  agentState: new CoverageRecorder(agentStateMachine),
};

/**
 * Forgets what the composed explorations exercised so far.
 * @example resetCoverage(); exploreModel({ logic: composedModel, ... }); coverage.scheduler.report();
 */
export function resetCoverage(): void {
  for (const c of Object.values(coverage)) {
    c.nodes.clear();
    c.transitions.clear();
  }
}

/**
 * Memoized stepping: snapshots are interned (one object per value and context) and our machines
 * are functions of value, context and event, so a step computed once is the same every time.
 */
function memoStepper<M extends AnyStateMachine>(machine: M, cov: CoverageRecorder) {
  const stepper = createMachineStepper(machine, cov);
  const memo = new WeakMap<object, Map<string, StepResult<SnapshotFrom<M>> & { key: string }>>();
  return {
    initial: stepper.initial,
    initialInterned(input?: unknown): { snap: SnapshotFrom<M>; key: string } {
      return intern(machine.id, stepper.initial(input as never).snapshot as never) as { snap: SnapshotFrom<M>; key: string };
    },
    next(snapshot: SnapshotFrom<M>, event: EventFromLogic<M>): StepResult<SnapshotFrom<M>> & { key: string } {
      let m = memo.get(snapshot as object);
      if (!m) memo.set(snapshot as object, (m = new Map()));
      const k = eventKey(event);
      let r = m.get(k);
      if (!r) {
        const fresh = stepper.next(snapshot, event);
        const i = intern(machine.id, fresh.snapshot as never);
        r = { snapshot: i.snap as SnapshotFrom<M>, key: i.key, actions: fresh.actions };
        m.set(k, r);
      }
      return r;
    },
  };
}

function eventKey(e: object): string {
  let k = '';
  for (const [name, v] of Object.entries(e)) k += `${name}=${String(v)};`;
  return k;
}

const steppers = {
  speech: memoStepper(speechHandleMachine, coverage.speechHandle),
  tool: memoStepper(toolRunMachine, coverage.toolRun),
  scheduler: memoStepper(schedulerMachine, coverage.scheduler),
  agent: memoStepper(agentStateMachine, coverage.agentState),
};

/**
 * Machine snapshot identity: value and context (our machines keep no counters).
 * @example machineKey(snapshot) // '[{"active":"generating"},{"id":"speech_1",...}]'
 */
export function machineKey(s: { value: unknown; context: unknown }): string {
  return JSON.stringify([s.value, s.context]);
}

// Equal snapshots share one object and a short key: the graph holds many states, few distinct
// machine snapshots.
const interned = new Map<string, { snap: unknown; key: string }>();
function intern<T extends { value: unknown; context: unknown }>(machine: string, s: T): { snap: T; key: string } {
  const k = `${machine}|${machineKey(s)}`;
  let hit = interned.get(k);
  if (!hit) interned.set(k, (hit = { snap: s, key: String(interned.size) }));
  return hit as { snap: T; key: string };
}

function isFinal(s: { status: string }): boolean {
  return s.status === 'done';
}

function delayOf(a: ActionRecord): number | undefined {
  const p = a.params as { delay?: unknown } | undefined;
  return typeof p?.delay === 'number' ? p.delay : undefined;
}

// ── the runtime's routing, mirrored ────────────────────────────────────────

function cloneState(s: ComposedState): ComposedState {
  return {
    ...s,
    // A released speech never changes again (nothing routes to it): share it.
    speeches: s.speeches.map((sp) =>
      sp.released
        ? sp
        : {
            ...sp,
            step: sp.step ? { ...sp.step, tools: [...sp.step.tools] } : null,
            tools: sp.tools.map((t) => ({ ...t })),
          },
    ),
    history: [...s.history],
    errors: [...s.errors],
    last: 'none',
    effects: [],
  };
}

/**
 * The routing of `AgentSession` between its actors, applied to a draft of the model state.
 * Use {@link stepComposed} rather than this class directly.
 * @example new SessionMirror(draft).apply({ type: 'INTERRUPT', force: true });
 * Each method mirrors the runtime method of the same name; machine actions are dispatched to the
 * same hooks as the runtime's `provide()` implementations. Code the runtime runs in a later
 * microtask (a step's start) is queued and drained before the event's step ends.
 */
export class SessionMirror {
  private readonly microtasks: (() => void)[] = [];
  private refused = false;

  constructor(readonly s: ComposedState) {}

  // ── machine sends ──

  private sendScheduler(ev: SchedulerEvent): void {
    const r = steppers.scheduler.next(this.s.scheduler, ev);
    const { snapshot: snap, key } = r;
    this.s.scheduler = snap;
    this.s.schedulerKey = key;
    for (const a of r.actions) {
      if (delayOf(a) !== undefined) this.s.effects.push('timer:scheduler');
      else if (a.type === 'grantFloor') this.grantFloor((a.params as { id: string }).id);
      else this.unrouted('scheduler', a);
    }
  }

  private setAgentState(type: AgentStateEvent['type']): void {
    const r = steppers.agent.next(this.s.agent, { type } as AgentStateEvent);
    const { snapshot: snap, key } = r;
    this.s.agent = snap;
    this.s.agentKey = key;
    if (snap.value !== 'closed') this.s.shownAgentState = snap.value as AgentState;
    for (const a of r.actions) {
      if (delayOf(a) !== undefined) this.s.effects.push('timer:agentState');
      else this.unrouted('agentState', a);
    }
  }

  private sendSpeech(sp: SpeechModel, ev: SpeechHandleEvent): void {
    const r = steppers.speech.next(sp.snap, ev);
    const { snapshot: snap, key } = r;
    sp.snap = snap;
    sp.key = key;
    for (const a of r.actions) this.speechAction(sp, a);
  }

  private sendTool(sp: SpeechModel, t: ToolModel, ev: ToolRunEvent): void {
    const r = steppers.tool.next(t.snap, ev);
    const { snapshot: snap, key } = r;
    t.snap = snap;
    t.key = key;
    for (const a of r.actions) this.toolAction(sp, t, a, ev);
  }

  private unrouted(who: string, a: ActionRecord): void {
    this.s.effects.push(`unrouted:${who}:${a.type}`);
  }

  /** The speech handle's `provide()` implementations (src/speech-handle.ts) and their session hooks. */
  private speechAction(sp: SpeechModel, a: ActionRecord): void {
    this.s.effects.push(`${sp.id}:${a.type}`);
    if (delayOf(a) !== undefined) {
      this.s.effects.push(`timer:${sp.id}`);
      return;
    }
    const ctx = sp.snap.context;
    switch (a.type) {
      case 'startStep':
        return this.startStep(sp, ctx.step);
      case 'interruptTools':
        return this.interruptTools(sp, ctx.interruptReason ?? 'speechFailed');
      case 'refuseInterrupt':
        this.refused = true;
        return;
      case 'resolveWaiters':
        if (sp.waiter === 'pending') sp.waiter = 'resolved';
        return;
      case 'abortWaiters':
        if (sp.waiter === 'pending') sp.waiter = 'interrupted';
        return;
      case 'failWaiters':
        if (sp.waiter === 'pending') sp.waiter = 'failed';
        return;
      case 'stopAudio':
        return this.stopAudio(sp);
      case 'pauseAudio':
        this.s.audioHeldBy = sp.id;
        this.s.audioPaused = true;
        return;
      case 'resumeAudio':
        this.s.audioHeldBy = null;
        this.s.audioPaused = false;
        return;
      case 'finishSpeech':
        return this.finish(sp, (a.params as { outcome: 'done' | 'interrupted' | 'failed' }).outcome);
      default:
        return this.unrouted(sp.id, a);
    }
  }

  /** The tool run's `provide()` implementations (src/tool-run.ts) and the session's tool hooks. */
  private toolAction(sp: SpeechModel, t: ToolModel, a: ActionRecord, ev: ToolRunEvent): void {
    this.s.effects.push(`${t.callId}:${a.type}`);
    if (delayOf(a) !== undefined) {
      this.s.effects.push(`timer:${t.callId}`);
      return;
    }
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
        if (ev.type === 'RESULT') t.output = 'ok';
        else if (ev.type === 'ERROR') t.output = 'error';
        else return;
        return this.toolSettled(sp, t, false);
      case 'recordAbortOutput':
        t.output = `aborted:${t.snap.context.abortReason ?? 'interrupt'}`;
        return this.toolSettled(sp, t, true);
      default:
        return this.unrouted(t.callId, a);
    }
  }

  private drain(): void {
    for (let task = this.microtasks.shift(); task; task = this.microtasks.shift()) task();
  }

  // ── AgentSession's public API ──

  /** Applies one model event (API call or pipeline event) and everything it causes synchronously. */
  apply(ev: ModelEvent): void {
    const s = this.s;
    const cur = this.current();
    switch (ev.type) {
      case 'START':
        this.start();
        break;
      case 'REPLY':
        this.createSpeech('reply', true, SPEECH_PRIORITY.NORMAL);
        break;
      case 'SAY':
        this.createSpeech('say', false, SPEECH_PRIORITY.NORMAL);
        break;
      case 'INTERRUPT':
        this.interruptAll(ev.force, 'interrupt');
        break;
      case 'CLOSE':
        this.close();
        break;
      case 'INTERRUPT_SPEECH': {
        // SpeechHandle.interrupt(): a finished speech is left as it is; a refusal throws.
        const sp = s.speeches[ev.speech];
        if (!sp || isFinal(sp.snap)) break;
        this.refused = false;
        this.sendSpeech(sp, { type: 'INTERRUPT', force: ev.force });
        s.last = this.refused ? 'InterruptionRefusedError' : 'ok';
        break;
      }
      case 'PAUSE':
        if (cur && cur.snap.can({ type: 'PAUSE' })) this.sendSpeech(cur, { type: 'PAUSE' });
        break;
      case 'RESUME':
        if (cur && cur.snap.matches({ active: 'paused' } as never)) this.sendSpeech(cur, { type: 'RESUME' });
        break;
      default:
        if (cur) this.pipeline(cur, ev);
    }
    this.drain();
  }

  private start(): void {
    if (this.s.closed) {
      this.s.last = 'SessionClosedError';
      return;
    }
    this.s.last = 'ok';
    if (this.s.started) return;
    this.s.started = true;
    this.setAgentState('STARTED');
    this.sendScheduler({ type: 'RESUME' });
  }

  private close(): void {
    this.s.last = 'ok';
    if (this.s.closed) return;
    this.s.closed = true;
    // The model releases every floor synchronously, so the awaited interrupt has settled here.
    this.interruptAll(true, 'close');
    this.sendScheduler({ type: 'CLOSE' });
    this.setAgentState('CLOSE');
  }

  private createSpeech(kind: 'reply' | 'say', allowInterruptions: boolean, priority: number): void {
    const s = this.s;
    if (s.closed) {
      s.last = 'SessionClosedError';
      return;
    }
    s.last = 'ok';
    const id = `speech_${s.speeches.length + 1}`;
    const { snap, key } = steppers.speech.initialInterned({ id, priority, allowInterruptions, maxToolSteps: s.bounds.maxToolSteps });
    // Every creator awaits its speech (the adapter calls waitForPlayout() on each handle it creates).
    s.speeches.push({ id, kind, allowInterruptions, priority, snap, key, waiter: 'pending', step: null, tools: [], authorized: false, released: false, committed: '' });
    this.sendScheduler({ type: 'ENQUEUE', id, priority });
  }

  private interruptAll(force: boolean, reason: 'interrupt' | 'close'): void {
    const s = this.s;
    const current = this.current();
    if (!force && current && !isFinal(current.snap) && !current.allowInterruptions) {
      s.last = 'InterruptionRefusedError';
      return;
    }
    s.last = 'ok';
    // Queued speeches first: interrupting the current one first would hand them the floor.
    const runs = s.speeches.filter((sp) => !sp.released);
    const ordered = [...runs].sort((a, b) => Number(a === current) - Number(b === current));
    for (const sp of ordered) {
      if (isFinal(sp.snap)) continue;
      if (!force && !sp.allowInterruptions) continue;
      this.sendSpeech(sp, { type: 'INTERRUPT', force, reason });
    }
  }

  private current(): SpeechModel | undefined {
    const id = this.s.scheduler.context.current;
    return id ? this.s.speeches.find((sp) => sp.id === id && !sp.released) : undefined;
  }

  private grantFloor(id: string): void {
    const sp = this.s.speeches.find((x) => x.id === id && !x.released);
    if (!sp) return;
    sp.authorized = true;
    this.setAgentState('THINKING');
    this.sendSpeech(sp, { type: 'AUTHORIZE' });
  }

  // ── speech hooks ──

  private startStep(sp: SpeechModel, step: number): void {
    if (step > 1) this.setAgentState('THINKING');
    this.microtasks.push(() => this.runStep(sp, step));
  }

  private interruptTools(sp: SpeechModel, reason: AbortReason): void {
    const st = sp.step;
    if (!st) return;
    for (const i of st.tools) {
      const t = sp.tools[i]!;
      if (isFinal(t.snap)) continue;
      if (reason === 'speechFailed') this.sendTool(sp, t, { type: 'SPEECH_FAILED' });
      else this.sendTool(sp, t, { type: 'INTERRUPT', force: true, reason });
    }
  }

  private stopAudio(sp: SpeechModel): void {
    const st = sp.step;
    if (!st || !st.segmentOpen || st.playoutDone) {
      // A speech paused before its first frame must not leave the sink holding the next one.
      if (this.s.audioHeldBy === sp.id) {
        this.s.audioHeldBy = null;
        this.s.audioPaused = false;
      }
      return;
    }
    this.s.audioHeldBy = null;
    st.playoutRequested = true;
    // clearBuffer() ends the segment and any pause of the output.
    this.s.audioPaused = false;
  }

  private toolSettled(sp: SpeechModel, t: ToolModel, aborted: boolean): void {
    if (aborted) return; // the speech is ending; finish() commits every output
    const st = sp.step;
    if (sp.released || !st || !st.tools.some((i) => sp.tools[i] === t)) return;
    this.commitToolsIfSettled(sp, st);
    this.sendSpeech(sp, { type: 'TOOL_SETTLED', callId: t.callId });
  }

  /** A final speech: commit what was heard, then free the floor for the next speech. */
  private finish(sp: SpeechModel, outcome: 'done' | 'interrupted' | 'failed'): void {
    const st = sp.step;
    if (outcome !== 'done' && st) {
      if (!st.messageCommitted) this.commitMessage(sp, st, st.playoutRequested && st.heard ? st.text : '', true);
      this.commitTools(sp, st);
    }
    // A reply that ended before its first step still records what the user said.
    if (!st && sp.kind === 'reply') this.addItem(sp, 'u', `user:${userInputOf(sp.id)}`);
    sp.released = true;
    if (sp.authorized) this.sendScheduler({ type: 'RELEASE', id: sp.id });
    else this.sendScheduler({ type: 'REMOVE', id: sp.id });
    if (this.s.scheduler.context.current === null && this.s.started) this.setAgentState('LISTENING');
  }

  // ── a step's pipeline (runStep, pumpAudio, startTool) ──

  private runStep(sp: SpeechModel, index: number): void {
    if (isFinal(sp.snap)) return;
    sp.step = {
      index,
      text: '',
      chunks: 0,
      heard: false,
      speaking: false,
      llmDone: false,
      segmentOpen: false,
      playoutRequested: false,
      playoutDone: false,
      messageCommitted: false,
      toolsCommitted: false,
      tools: [],
    };
    if (index === 1 && sp.kind === 'reply') this.addItem(sp, 'u', `user:${userInputOf(sp.id)}`);
  }

  private pipeline(sp: SpeechModel, ev: ModelEvent): void {
    const st = sp.step;
    if (!st || isFinal(sp.snap)) return;
    switch (ev.type) {
      case 'TEXT_CHUNK': {
        st.chunks++;
        st.text += chunkText(sp.id, st.index);
        // The TTS makes one frame; the output plays it unless paused (the adapter lets it play).
        st.segmentOpen = true;
        st.heard = st.heard || !this.s.audioPaused;
        if (!st.speaking) {
          st.speaking = true;
          this.setAgentState('SPEAKING');
        }
        return;
      }
      case 'TOOL_CALL':
        return this.startTool(sp, st);
      case 'LLM_ERROR':
      case 'TTS_ERROR':
        st.llmDone = true;
        this.s.errors.push(ev.type === 'LLM_ERROR' ? 'llm' : 'tts');
        this.sendSpeech(sp, { type: 'FAIL', error: ev.type === 'LLM_ERROR' ? 'llm' : 'tts' });
        return;
      case 'STEP_DONE':
        st.llmDone = true;
        this.sendSpeech(sp, { type: 'GENERATION_DONE' });
        if (isFinal(sp.snap) || sp.step !== st) return;
        if (st.segmentOpen) {
          st.playoutRequested = true; // flush(); the output reports the end later (PLAYOUT_DONE)
          return;
        }
        return this.playoutDone(sp, st);
      case 'PLAYOUT_DONE':
        return this.playoutDone(sp, st);
      case 'TOOL_WAIT':
      case 'TOOL_RESULT':
      case 'TOOL_ERROR': {
        const t = sp.tools[ev.tool];
        if (!t || isFinal(t.snap)) return;
        if (ev.type === 'TOOL_WAIT') {
          t.waiter = 'pending';
          return this.sendTool(sp, t, { type: 'WAIT_FOR_PLAYOUT' });
        }
        return this.sendTool(sp, t, ev.type === 'TOOL_RESULT' ? { type: 'RESULT', output: 'ok' } : { type: 'ERROR', output: 'tool failed' });
      }
      default:
        return;
    }
  }

  private startTool(sp: SpeechModel, st: StepModel): void {
    const callId = toolCallId(sp.id, sp.tools.length);
    const { snap, key } = steppers.tool.initialInterned({ callId, name: 'probe', speechId: sp.id, step: st.index });
    const t: ToolModel = { callId, step: st.index, snap, key, waiter: 'none', output: null };
    sp.tools.push(t);
    st.tools.push(sp.tools.length - 1);
    this.sendSpeech(sp, { type: 'TOOL_STARTED', callId });
    if (st.index > this.s.bounds.maxToolSteps) return this.sendTool(sp, t, { type: 'ERROR', output: 'no more tool calls allowed' });
    // The tool starts by awaiting its preamble, like the seed scenario: ctx.waitForPlayout().
    t.waiter = 'pending';
    this.sendTool(sp, t, { type: 'WAIT_FOR_PLAYOUT' });
  }

  private playoutDone(sp: SpeechModel, st: StepModel): void {
    st.playoutDone = true;
    this.commitMessage(sp, st, st.text, false);
    for (const i of st.tools) this.sendTool(sp, sp.tools[i]!, { type: 'PLAYOUT_DONE' });
    this.commitToolsIfSettled(sp, st);
    if (st.tools.some((i) => !isFinal(sp.tools[i]!.snap))) this.setAgentState('THINKING');
    this.sendSpeech(sp, { type: 'PLAYOUT_DONE' });
  }

  // ── history ──

  private commitMessage(sp: SpeechModel, st: StepModel, content: string, interrupted: boolean): void {
    if (st.messageCommitted) return;
    st.messageCommitted = true;
    if (content.trim() === '') return;
    this.addItem(sp, interrupted ? 'A' : 'a', `assistant:${content}${interrupted ? ' [interrupted]' : ''}`);
  }

  private commitToolsIfSettled(sp: SpeechModel, st: StepModel): void {
    if (!st.playoutDone || st.toolsCommitted) return;
    if (st.tools.some((i) => sp.tools[i]!.output === null)) return;
    this.commitTools(sp, st);
  }

  private commitTools(sp: SpeechModel, st: StepModel): void {
    if (st.toolsCommitted || st.tools.length === 0) return;
    st.toolsCommitted = true;
    for (const i of st.tools) this.addItem(sp, 'c', `call:${sp.tools[i]!.callId}`);
    for (const i of st.tools) {
      const o = sp.tools[i]!.output;
      if (o !== null) this.addItem(sp, 'o', `output:${sp.tools[i]!.callId}:${o}`);
    }
  }

  private addItem(sp: SpeechModel, letter: string, line: string): void {
    sp.committed += letter;
    this.s.history.push(line);
  }
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

/**
 * A speech machine snapshot's outcome, undefined while it runs.
 * @example outcomeOf(sp.snap) // 'interrupted'
 */
export function outcomeOf(s: SpeechSnapshot): 'done' | 'interrupted' | 'failed' | undefined {
  if (s.status !== 'done') return undefined;
  return s.value as 'done' | 'interrupted' | 'failed';
}

// ── the logic ──────────────────────────────────────────────────────────────

function initialState(bounds: Readonly<ModelBounds>): ComposedState {
  const sched = steppers.scheduler.initialInterned();
  // The session's constructor pauses scheduling until start().
  const paused = steppers.scheduler.next(sched.snap, { type: 'PAUSE' });
  const agent = steppers.agent.initialInterned();
  return {
    bounds,
    started: false,
    closed: false,
    audioPaused: false,
    audioHeldBy: null,
    scheduler: paused.snapshot,
    schedulerKey: paused.key,
    agent: agent.snap,
    agentKey: agent.key,
    shownAgentState: 'initializing',
    speeches: [],
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
  new SessionMirror(draft).apply(event);
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
 * The events offered in a state: every API call (within the model's bounds) and the pipeline
 * events the fakes can produce for the speech holding the floor.
 * @example composedEvents(snapshot).map((e) => e.type) // ['START', 'REPLY', 'SAY', 'INTERRUPT', ...]
 */
export function composedEvents(snapshot: ComposedSnapshot): ModelEvent[] {
  const s = snapshot.context;
  const b = s.bounds;
  const out: ModelEvent[] = [{ type: 'START' }];
  // Input before start() is queued while scheduling is paused; one such speech shows it is kept.
  if (s.speeches.length < (s.started || s.closed ? b.speeches : Math.min(b.speeches, b.speechesBeforeStart))) out.push({ type: 'REPLY' }, { type: 'SAY' });
  out.push({ type: 'INTERRUPT', force: false }, { type: 'INTERRUPT', force: true }, { type: 'CLOSE' });
  s.speeches.forEach((sp, i) => {
    if (isFinal(sp.snap)) return;
    out.push({ type: 'INTERRUPT_SPEECH', speech: i, force: false });
    if (!sp.allowInterruptions) out.push({ type: 'INTERRUPT_SPEECH', speech: i, force: true });
  });
  const cur = currentSpeech(s);
  const st = cur?.step;
  if (!cur || !st || isFinal(cur.snap)) return out;
  if (cur.snap.can({ type: 'PAUSE' })) out.push({ type: 'PAUSE' });
  if (cur.snap.matches({ active: 'paused' } as never)) out.push({ type: 'RESUME' });
  if (!st.llmDone && cur.snap.matches('active')) {
    if (st.chunks < b.textChunksPerStep) out.push({ type: 'TEXT_CHUNK' });
    if (cur.kind === 'reply' && cur.tools.length < b.toolsPerSpeech) out.push({ type: 'TOOL_CALL' });
    out.push({ type: 'STEP_DONE' }, { type: 'LLM_ERROR' }, { type: 'TTS_ERROR' });
  }
  if (st.playoutRequested && !st.playoutDone && !s.audioPaused) out.push({ type: 'PLAYOUT_DONE' });
  for (const i of st.tools) {
    const t = cur.tools[i]!;
    if (isFinal(t.snap)) continue;
    // A second wait once the first one settled (the runtime never runs tools past maxToolSteps).
    if (t.waiter !== 'pending' && t.step <= b.maxToolSteps) out.push({ type: 'TOOL_WAIT', tool: i });
    out.push({ type: 'TOOL_RESULT', tool: i }, { type: 'TOOL_ERROR', tool: i });
  }
  return out;
}

/**
 * The state's identity for the exploration: machine snapshots and the runtime data that decides
 * behaviour. A finished speech is reduced to its outcome and waiter (its tools are final too).
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
  let out = `${+s.started}${+s.closed}${+s.audioPaused}${s.audioHeldBy ?? '-'}:${s.schedulerKey}:${s.agentKey}:${s.shownAgentState}`;
  for (const sp of s.speeches) {
    if (sp.released && isFinal(sp.snap)) {
      out += `#${sp.kind}${+sp.allowInterruptions}:${String(sp.snap.value)}:${sp.waiter}${history ? `:${+sp.committed.includes('A')}` : ''}`;
      continue;
    }
    const st = sp.step;
    out += `#${sp.kind}${+sp.allowInterruptions}${+sp.authorized}${+sp.released}:${sp.key}:${sp.waiter}:`;
    out += st
      ? `${st.index}${st.chunks}${+st.heard}${+st.speaking}${+st.llmDone}${+st.segmentOpen}${+st.playoutRequested}${+st.playoutDone}${+st.messageCommitted}${+st.toolsCommitted}[${st.tools.join(',')}]`
      : '-';
    for (const t of sp.tools) out += `;${t.key}/${t.waiter}/${t.output}`;
  }
  return out;
}

/**
 * A one-line summary of a state, for violation reports.
 * @example formatReport(report, { describeState: describeComposed })
 */
export function describeComposed(snapshot: ComposedSnapshot): string {
  const s = snapshot.context;
  const sp = s.speeches.map((x) => {
    const v = typeof x.snap.value === 'string' ? x.snap.value : JSON.stringify(x.snap.value);
    const tools = x.tools.map((t) => `${t.callId}=${JSON.stringify(t.snap.value)}${t.waiter === 'pending' ? '(waiting)' : ''}`);
    return `${x.id}[${x.kind}${x.allowInterruptions ? '' : ',uninterruptible'}]=${v}${x.waiter === 'pending' ? '(waited on)' : ''}${tools.length ? ` tools{${tools.join(' ')}}` : ''}`;
  });
  return `scheduler=${JSON.stringify(s.scheduler.value)} current=${s.scheduler.context.current ?? '-'} queue=[${s.scheduler.context.queue.map((q) => q.id).join(',')}] agent=${String(s.agent.value)}${s.audioPaused ? ' audio=paused' : ''}${s.closed ? ' closed' : ''}; ${sp.join('; ')}`;
}
