import type { SnapshotFrom } from 'xstate';
import type { agentActivityMachine } from '../../machines/agent-activity.machine.js';
import type { AgentState, agentStateMachine } from '../../machines/agent-state.machine.js';
import type { schedulerMachine } from '../../machines/scheduler.machine.js';
import type { speechHandleMachine } from '../../machines/speech-handle.machine.js';
import type { toolRunMachine } from '../../machines/tool-run.machine.js';
import type { TurnDetectionMode, UserTurnTimer, userTurnMachine } from '../../machines/user-turn.machine.js';
import type { bargeInMachine } from '../../machines/barge-in.machine.js';
import type { PreemptiveSlot } from '../core/preemptive-slot.js';
import type { SessionState } from '../core/session-state.js';
import { abortedToolOutput } from '../core/tool-output.js';
import type { ChatItem } from '../ports/chat-item.js';

/** The composed model's bounds, events and state: what the exploration, the invariants and the runtime adapter share. */

export interface ModelBounds {
  speeches: number;
  toolsPerSpeech: number;
  maxToolSteps: number;
  textChunksPerStep: number;
  speechesBeforeStart: number;
  /** Tools may say, reply (and await that speech) or interrupt. */
  toolsSpeak: boolean;
  /** Agent transitions asked for per session (`updateAgent`, a tool's handoff, a tool running a task); 0: one agent. */
  agentTransitions: number;
  /**
   * Agents' hooks speak: an `onEnter` greets with `generateReply` (not awaited, at any time after it
   * was called: a slow one may speak after its agent left), an `onExit` says goodbye and awaits it.
   */
  hooksSpeak?: boolean;
  /**
   * Your agent's tools and what each declares it does (`checkAgent`); absent: one probe tool that
   * may do anything the other bounds allow.
   */
  tools?: readonly ModelToolSpec[];
  /** `generateReply`/`say` from outside (default true); off when the voice makes the replies. */
  apiSpeech?: boolean;
  /** The user's voice turns (the user-turn machine composed in); absent: no voice input. */
  voice?: VoiceBounds;
}

/** The user's voice in the composed model: the turn detection mode and how much the user says. */
export interface VoiceBounds {
  turnDetection: TurnDetectionMode;
  preemptiveGeneration: boolean;
  /** Stretches of user speech (VAD starts) per session. */
  speechStarts: number;
  /** Final transcripts per session (each one word). */
  transcripts: number;
  /** The barge-in policy composed in (LiveKit's defaults): the voice pauses, resumes and interrupts the agent. */
  bargeIn?: boolean;
}

/** The timers of the voice: the user turn's and the barge-in policy's. */
export type VoiceTimer = UserTurnTimer | 'minDuration' | 'falseInterruption';

/** The barge-in policy in the model, and what its runtime keeps beside the machine. */
export interface BargeInModel {
  snap: BargeInSnapshot;
  key: string;
  /** When the user's current speech started (model clock). */
  startedAt: number;
  /** The speech it paused (it resumes that one and no other). */
  held: string | null;
  /** The speech it last interrupted (named in a false-interruption report). */
  interrupted: string | null;
  /** The speech whose changes it follows, and the one it last reported (audible or not). */
  tracked: string | null;
  reported: string | null;
  reportedAudible: boolean;
}

/** A tool of the checked agent: its name and declared behavior. */
export interface ModelToolSpec {
  name: string;
  behavior: import('../tool-behavior.js').ToolBehavior;
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
  /** Off here; on in {@link AGENT_BOUNDS}. */
  agentTransitions: 0,
};

/** The bounds of the second exploration: tools that say, reply and interrupt. */
export const TOOLS_SPEAK_BOUNDS: Readonly<ModelBounds> = { ...MODEL_BOUNDS, toolsPerSpeech: 1, toolsSpeak: true };

/**
 * The third exploration: agents. Handoffs from outside and from tools, a tool that runs an
 * `AgentTask` and awaits it, the task completing, `onExit` settling late, close anywhere, with
 * tools that speak (what a tool says during a transition is the leaving agent's own).
 */
export const AGENT_BOUNDS: Readonly<ModelBounds> = { ...MODEL_BOUNDS, toolsPerSpeech: 1, toolsSpeak: true, agentTransitions: 1 };

/** Chains of transitions: a second one asked during the first, a handoff during a task, a task's end; one speech. */
export const AGENT_CHAIN_BOUNDS: Readonly<ModelBounds> = { ...AGENT_BOUNDS, speeches: 1, agentTransitions: 3 };

/**
 * Agents whose hooks speak: each `onEnter` may greet (`generateReply`, not awaited; the first
 * agent's greeting is the session's first reply, whose tools hand off or run a task) and each
 * `onExit` may say goodbye and await it, with tools that speak, handoffs from outside and close
 * anywhere. No reply is asked from outside: the hooks make the speeches.
 */
export const AGENT_HOOK_BOUNDS: Readonly<ModelBounds> = { ...AGENT_BOUNDS, apiSpeech: false, hooksSpeak: true };

/**
 * The user's voice turns composed with the session: the user-turn machine (endpointing timers fired
 * in deadline order, transcripts, the end-of-turn model's answers, manual commits) commits turns
 * through the session's routing, preemptive generation included, with interrupts, pauses, LLM and
 * TTS failures and close anywhere. One exploration per turn detection mode; the replies are the
 * voice's own and make no tool calls (the other explorations cover tools).
 */
export const VOICE_BOUNDS: readonly Readonly<ModelBounds>[] = (['vad', 'eot', 'stt', 'manual'] as const).map((turnDetection) => ({
  ...MODEL_BOUNDS,
  toolsPerSpeech: 0,
  apiSpeech: false,
  // 'vad' with the barge-in policy, as `attachVoiceInput` composes them: the user's voice pauses, resumes and interrupts the agent.
  voice: { turnDetection, preemptiveGeneration: true, speechStarts: 2, transcripts: 2, bargeIn: turnDetection === 'vad' },
}));

/** `--deep`: 'eot' with barge-in, voice turns beside a reply asked from outside (preemptive generation must wait for it), and three turns. */
export const DEEP_VOICE_BOUNDS: readonly Readonly<ModelBounds>[] = [
  { ...MODEL_BOUNDS, toolsPerSpeech: 0, apiSpeech: false, voice: { turnDetection: 'eot', preemptiveGeneration: true, speechStarts: 2, transcripts: 2, bargeIn: true } },
  { ...MODEL_BOUNDS, toolsPerSpeech: 0, voice: { turnDetection: 'vad', preemptiveGeneration: true, speechStarts: 1, transcripts: 2 } },
  { ...MODEL_BOUNDS, toolsPerSpeech: 0, apiSpeech: false, speeches: 3, voice: { turnDetection: 'vad', preemptiveGeneration: true, speechStarts: 3, transcripts: 3 } },
];

/** `speechcharts check --deep`: three speeches, with tools quiet, with tools that speak, and with hooks that speak (minutes). */
export const DEEP_BOUNDS: readonly Readonly<ModelBounds>[] = [
  { ...MODEL_BOUNDS, speeches: 3, toolsPerSpeech: 1 },
  { ...TOOLS_SPEAK_BOUNDS, speeches: 3 },
  // A greeting, a goodbye and a reply asked by a tool or a hook beside them.
  { ...AGENT_HOOK_BOUNDS, speeches: 3, toolsSpeak: false },
];

/** A tool run: the `tool`-th call of the speech created `speech`-th (both 0-based). */
export type ToolAddress = { speech: number; tool: number };

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
  /** The LLM yields a function call (replies only); `name` when the model has your tools. */
  | { type: 'TOOL_CALL'; name?: string }
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
  | ({ type: 'TOOL_INTERRUPT' } & ToolAddress)
  /** `await ctx.speechHandle.waitForPlayout()`: the tool awaits the whole speech that called it. */
  | ({ type: 'TOOL_AWAIT_SPEECH' } & ToolAddress)
  // ── agents ──
  /** `session.updateAgent(new Agent(...))` from outside. */
  | { type: 'UPDATE_AGENT' }
  /** The tool returns `handoff({ agent })` (nothing to return: no tool reply). */
  | ({ type: 'TOOL_HANDOFF' } & ToolAddress)
  /** The tool calls `await task.run()` on a new `AgentTask`. */
  | ({ type: 'TOOL_RUN_TASK' } & ToolAddress)
  /** The task speaking for the session calls `complete(result)`. */
  | { type: 'TASK_COMPLETE' }
  /** The `onExit` of the agent entry `agent` (0-based) settles. */
  | { type: 'EXIT_DONE'; agent: number }
  /** The agent entry's `onEnter` calls `session.generateReply({ instructions })` (a greeting; not awaited). */
  | { type: 'ENTER_REPLY'; agent: number }
  /** The agent entry's running `onExit` calls `await session.say(goodbye).waitForPlayout()`. */
  | { type: 'EXIT_SAY'; agent: number }
  // ── the user's voice (VAD, STT, end-of-turn model, the turn's timers) ──
  | { type: 'USER_SPEECH_STARTED' }
  | { type: 'USER_SPEECH_ENDED' }
  /** The STT's final transcript: one word, `w1`, `w2`, … in order. */
  | { type: 'USER_TRANSCRIPT' }
  | { type: 'STT_END_OF_SPEECH' }
  /** The end-of-turn model answers the pause it was asked about: the turn is likely over, or not. */
  | { type: 'EOT_PREDICTED'; likely: boolean }
  /** `session.commitUserTurn()` / `session.clearUserTurn()`. */
  | { type: 'USER_COMMIT' }
  | { type: 'USER_CLEAR' }
  /** The clock reaches the earliest deadline of the user turn's timers. */
  | { type: 'TIMER_ELAPSED'; timer: VoiceTimer };

export const API_EVENT_TYPES = ['START', 'REPLY', 'SAY', 'INTERRUPT', 'INTERRUPT_SPEECH', 'PAUSE', 'RESUME', 'CLOSE', 'UPDATE_AGENT'] as const;
/** What agents' code does on its own: a task completes, an `onExit` settles. */
export const AGENT_WORLD_EVENT_TYPES = ['TASK_COMPLETE', 'EXIT_DONE', 'TOOL_HANDOFF', 'TOOL_RUN_TASK', 'ENTER_REPLY', 'EXIT_SAY'] as const;
/** The world's events: what the pipeline and the tools do without a new user input. */
/** What the user's voice does: speech, transcripts, the end-of-turn model, time passing. */
export const VOICE_EVENT_TYPES = ['USER_SPEECH_STARTED', 'USER_SPEECH_ENDED', 'USER_TRANSCRIPT', 'STT_END_OF_SPEECH', 'EOT_PREDICTED', 'TIMER_ELAPSED'] as const;
export const PIPELINE_EVENT_TYPES = ['TEXT_CHUNK', 'TOOL_CALL', 'STEP_DONE', 'PLAYOUT_DONE', 'LLM_ERROR', 'TTS_ERROR', 'TOOL_WAIT', 'TOOL_RESULT', 'TOOL_ERROR', 'TOOL_SAY', 'TOOL_REPLY', 'TOOL_INTERRUPT', 'TOOL_AWAIT_SPEECH'] as const;

export type SpeechSnapshot = SnapshotFrom<typeof speechHandleMachine>;
export type ToolRunSnapshot = SnapshotFrom<typeof toolRunMachine>;
export type SchedulerSnapshot = SnapshotFrom<typeof schedulerMachine>;
export type AgentStateSnapshot = SnapshotFrom<typeof agentStateMachine>;
export type ActivitySnapshot = SnapshotFrom<typeof agentActivityMachine>;
export type UserTurnSnapshot = SnapshotFrom<typeof userTurnMachine>;
export type BargeInSnapshot = SnapshotFrom<typeof bargeInMachine>;

/**
 * The user's voice: the user-turn machine, its timers on the model's clock, the runtime's prepared
 * reply, and a ledger of what the user said for the invariants.
 */
export interface VoiceModel {
  snap: UserTurnSnapshot;
  key: string;
  /** Model clock (ms): advances only when a timer elapses. */
  now: number;
  /** Deadlines of the timers the machines asked for and have not cancelled. */
  timers: Partial<Record<VoiceTimer, number>>;
  /** The barge-in policy, when composed in. */
  bargeIn: BargeInModel | null;
  /** The user is speaking (between the VAD's start and end). */
  speaking: boolean;
  speechStarts: number;
  transcripts: number;
  /** The end-of-turn model was asked about the current pause and has not answered. */
  eotAsked: boolean;
  /** What the agent state last told the machine: thinking or speaking. */
  agentBusy: boolean;
  /** The runtime's prepared reply (preemptive generation), null when none. */
  prepared: PreemptiveSlot | null;
  /** Ledger: transcripts the user said since the last commit, clear or close. */
  said: string[];
  /** Replies that took a prepared reply: the transcript it was made for, the reply's user input, and whether the request (history, instructions, tools) was the one it was made with. */
  took: { speechId: string; preparedFor: string; userInput: string; sameRequest: boolean }[];
}

/** One agent entry's activity, and its hooks as the world runs them. */
export interface ActivityModel {
  key: string;
  agentId: string;
  snap: ActivitySnapshot;
  /** The machine snapshot's interned key. */
  skey: string;
  /** `onExit` was called and has not settled (EXIT_DONE settles it). */
  exitPending: boolean;
  /** A task's `complete()` was called. */
  completed: boolean;
  /** Its `onEnter` greeted (ENTER_REPLY): once per entry. */
  greeted: boolean;
  /** The goodbye its `onExit` said and awaits (EXIT_SAY); `onExit` settles only once that speech did. */
  goodbye: string | null;
}

/** How the last `waitForPlayout()` of a speech went (its creator awaits it). */
export type SpeechWaiter = 'none' | 'pending' | 'resolved' | 'interrupted' | 'failed';
/** How the last `ctx.waitForPlayout()` of a tool went. */
export type ToolWaiter = 'none' | 'pending' | 'resolved' | 'rejected';

export interface ToolModel {
  callId: string;
  /** The tool's name (`probe` in the package's own model). */
  name: string;
  step: number;
  snap: ToolRunSnapshot;
  key: string;
  waiter: ToolWaiter;
  /** The speech this tool created and awaits (its waiter is that speech's), if any. */
  awaits: string | null;
  /** The task (agent entry key) whose `run()` this tool awaits, and how that went. */
  awaitsTask: string | null;
  task: 'none' | 'pending' | 'resolved' | 'rejected';
  /** The agent entry this tool's `handoff(...)` named, if it returned one. */
  handoffTo: string | null;
  /** The router refused the call (past `maxToolSteps`, or tools not offered): it never executed. */
  refused: boolean;
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
  /** Agent entries' activities, in entry order. */
  activities: ActivityModel[];
  /** The user's voice turns, when the bounds have a voice. */
  voice: VoiceModel | null;
  /** Agent transitions asked for so far (bounded by `agentTransitions`). */
  transitionsAsked: number;
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
  if (i.type === 'agent_handoff') return `handoff:${i.oldAgentId ?? '-'}>${i.newAgentId}`;
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
  if (t.task === 'pending') return undefined;
  if (!t.awaits) return undefined;
  const sp = s.speeches.find((x) => x.id === t.awaits);
  return sp && sp.waiter === 'pending' ? sp : undefined;
}

/**
 * A tool that awaits `task.run()` is blocked from the call until the run settles: while the
 * transition to the task is under way too, not only once the task entered (a tool cannot return
 * from `await task.run()` before it settles). Gives the task's agent key.
 * @example blockedOnTask(tool)?.key // 'agent_2'
 */
export function blockedOnTask(t: ToolModel): { key: string } | undefined {
  return t.task === 'pending' && t.awaitsTask ? { key: t.awaitsTask } : undefined;
}

/** The activity of an agent entry, if it entered. */
export function activityOf(s: ComposedState, key: string | null): ActivityModel | undefined {
  return key === null ? undefined : s.activities.find((a) => a.key === key);
}
