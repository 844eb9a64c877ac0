/** speechcharts: speech orchestration for voice agents on XState v5 statecharts. */
export { AgentSession, type AgentSessionOptions, type InspectObserver } from './agent-session.js';
export { SpeechHandle, type SpeechOutcome } from './speech-handle.js';
export { RunContext } from './run-context.js';
export { Agent, AgentNotRunningError, type AgentOptions } from './agents/agent.js';
export { AgentTask, AgentTaskError } from './agents/agent-task.js';
export { StopResponse } from './agents/stop-response.js';
export { handoff, Handoff } from './agents/handoff.js';
export { tool, isTool, type Tool, type ToolDefinition, type ToolExecuteOptions } from './tool.js';
export type { ToolBehavior } from './tool-behavior.js';
export {
  SpeechchartsError,
  SpeechInterruptedError,
  SpeechFailedError,
  InterruptionRefusedError,
  ToolError,
  SessionClosedError,
  InvalidArgumentError,
  DependencyStalledError,
  RunInProgressError,
  LiveKitPluginError,
  type StalledDependency,
  type InterruptReason,
} from './errors.js';
export type { AgentSessionEventMap, AgentSessionEvent } from './session-events.js';
export type { AgentMetrics, LLMMetrics, TTSMetrics, EOUMetrics, MessageMetrics } from './metrics.js';
export type { LLM, LLMChunk, LLMRequest, ToolSchema } from './ports/llm.js';
export type { TTS } from './ports/tts.js';
export type { AudioOutput, PlayoutResult } from './ports/audio-output.js';
export { frameDuration, createAudioFrame, type AudioFrame } from './ports/audio-frame.js';
export type { ChatItem, ChatMessage, FunctionCallItem, FunctionCallOutputItem, AgentHandoffItem } from './ports/chat-item.js';
export { realClock, type Clock } from './ports/clock.js';
export { DEFAULT_IO_TIMEOUT_MS, type IoTimeouts } from './runtime/io-timeouts.js';
export { heardText } from './runtime/heard-text.js';
export { SPEECH_PRIORITY } from '../machines/scheduler.machine.js';
export type { AgentState } from '../machines/agent-state.machine.js';
export { RunResult } from './testing/run-result.js';
export { RunAssert } from './testing/run-assert.js';
export { EventAssert } from './testing/event-assert.js';
export type { RunEvent } from './testing/run-event.js';
export { withMockTools, type MockTarget, type ToolMock } from './testing/with-mock-tools.js';
