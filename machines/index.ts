/**
 * The statecharts of speechcharts, pure (no I/O, no timers): compose them into your own actors,
 * traverse them with `xstate/graph`, or run them with the runtime's effects via `speechcharts`.
 */
export { speechHandleMachine, type SpeechHandleContext, type SpeechHandleEvent, type SpeechHandleInput } from './speech-handle.machine.js';
export { toolRunMachine, type ToolRunContext, type ToolRunEvent, type ToolRunInput } from './tool-run.machine.js';
export { schedulerMachine, SPEECH_PRIORITY, type QueuedSpeech, type SchedulerContext, type SchedulerEvent } from './scheduler.machine.js';
export { agentActivityMachine, type AgentActivityContext, type AgentActivityEvent, type AgentActivityInput } from './agent-activity.machine.js';
export { agentStateMachine, type AgentState, type AgentStateEvent } from './agent-state.machine.js';
export { HOLDS_WAITERS, type InterruptEvent } from './interrupt-event.js';
export {
  bargeInMachine,
  countWords,
  resolveBargeInOptions,
  BARGE_IN_TAGS,
  DEFAULT_BARGE_IN_OPTIONS,
  type BargeInContext,
  type BargeInEvent,
  type BargeInInput,
  type BargeInOptions,
} from './barge-in.machine.js';
export {
  userTurnMachine,
  resolveUserTurnOptions,
  baseLanguage,
  DEFAULT_USER_TURN_OPTIONS,
  DEFAULT_UNLIKELY_THRESHOLDS,
  USER_TURN_TAGS,
  type TurnDetectionMode,
  type UserState,
  type UserTurnContext,
  type UserTurnEvent,
  type UserTurnInput,
  type UserTurnOptions,
} from './user-turn.machine.js';
