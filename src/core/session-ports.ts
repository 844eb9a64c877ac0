import type { AgentActivityEvent, AgentActivityInput } from '../../machines/agent-activity.machine.js';
import type { AgentStateEvent } from '../../machines/agent-state.machine.js';
import type { SchedulerEvent } from '../../machines/scheduler.machine.js';
import type { SpeechHandleEvent, SpeechHandleInput } from '../../machines/speech-handle.machine.js';
import type { ToolRunEvent, ToolRunInput } from '../../machines/tool-run.machine.js';
import type { ChatItem, FunctionCallItem, FunctionCallOutputItem } from '../ports/chat-item.js';

/**
 * What the session's router sees of the world: its machines (live actors in the runtime, pure
 * snapshots in the model explorer) and the shell that does its I/O.
 */

/** A machine as the router sees it: its current snapshot and a way to send it an event. */
export interface MachinePort<S, E> {
  snapshot(): S;
  send(event: E): void;
}

export interface SpeechSnap {
  status: string;
  value: unknown;
  context: { step: number; priority: number; allowInterruptions: boolean; interruptReason: 'interrupt' | 'close' | null };
  can(e: SpeechHandleEvent): boolean;
  matches(v: never): boolean;
}
export interface ActivitySnap {
  status: string;
  value: unknown;
  context: { endedBy: 'exit' | 'close' | null };
}
export interface ToolSnap {
  status: string;
  context: { abortReason: 'interrupt' | 'close' | 'speechFailed' | null };
}

/** The machines of one session, live actors or pure snapshots. */
export interface SessionMachines {
  readonly scheduler: MachinePort<{ value: unknown; context: { current: string | null; queue: readonly { id: string }[] } }, SchedulerEvent>;
  readonly agent: MachinePort<{ value: unknown }, AgentStateEvent>;
  createSpeech(input: Required<SpeechHandleInput>): void;
  speech(id: string): MachinePort<SpeechSnap, SpeechHandleEvent>;
  /** A tool run's machine, with the call's raw arguments beside its input. */
  createTool(input: ToolRunInput & { arguments: string }): void;
  tool(callId: string): MachinePort<ToolSnap, ToolRunEvent>;
  /** An agent entry's activity machine (created when the agent enters). */
  createActivity(input: AgentActivityInput): void;
  activity(key: string): MachinePort<ActivitySnap, AgentActivityEvent>;
}

/** What the router asks of the world: I/O and notifications. */
export interface SessionShell {
  /** Run step `step` of the speech: LLM (or the `say` text) → TTS → audio output. */
  startStep(speechId: string, step: number): void;
  /** Stop the speech's LLM and TTS streams. */
  stopStreams(speechId: string): void;
  /** Clear the audio output under the speech's open segment; report what was heard with `cutReported`. */
  cutAudio(speechId: string, step: number): void;
  pauseAudio(): void;
  resumeAudio(): void;
  itemAdded(item: ChatItem): void;
  toolsExecuted(speechId: string, calls: FunctionCallItem[], outputs: FunctionCallOutputItem[]): void;
  /** The speech is finished, its history committed and its floor (or queue place) given up. */
  released(speechId: string): void;
  /** Call the agent's `onEnter` (not awaited) and report `agentEntered` once it was called. */
  enterAgent(key: string): void;
  /** Call the agent's `onExit` and report `agentExited` once it settled. */
  exitAgent(key: string): void;
  /** The agent's activity ended: settle its task's `run()` waiter. */
  activityEnded(key: string, endedBy: 'exit' | 'close'): void;
  /** The session moved to another agent (`agent_handoff`). */
  agentHandoff(oldAgentId: string | undefined, newAgentId: string): void;
  /** An effect threw: a bug, reported rather than swallowed. */
  effectError(error: unknown): void;
}

export interface SpeechSpec {
  kind: 'say' | 'reply';
  userInput?: string | undefined;
  addToHistory?: boolean;
  priority: number;
  allowInterruptions: boolean;
  /** The agent (activity key) whose hook or tool makes it, if any. */
  origin?: string | null;
}

export type SpeechOutcome = 'done' | 'interrupted' | 'failed';

