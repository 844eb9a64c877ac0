/** Fakes for testing agents built on speechcharts: virtual time, a scripted LLM, a fake TTS, a virtual audio device. */
export { VirtualClock, VirtualClockStallError } from './virtual-clock.js';
export { VirtualAudioOutput, type VirtualSegment } from './virtual-audio-output.js';
export { FakeTTS, type FakeTTSOptions } from './fake-tts.js';
export { ScriptedLLM, NoScriptedReplyError, type ScriptedReply, type ReplyMatch } from './scripted-llm.js';
export { FakeLLM, NoFakeResponseError, type FakeLLMResponse } from './fake-llm.js';
export { RunResult } from './run-result.js';
export { RunAssert } from './run-assert.js';
export { EventAssert } from './event-assert.js';
export type { RunEvent } from './run-event.js';
export { withMockTools, type MockTarget, type ToolMock } from './with-mock-tools.js';
export { askJudge, VERDICT_TOOL, JUDGE_INSTRUCTIONS, type Verdict } from './judge.js';
export {
  exploreModel,
  createModelWalker,
  createMachineStepper,
  CoverageRecorder,
  definedTransitions,
  shortestPaths,
  simplePaths,
  sampleSimplePaths,
  pathFromChoices,
  runPath,
  generatePathTests,
  formatReport,
  formatCoverage,
  formatEvent,
  formatPath,
  type ActionRecord,
  type ModelStep,
  type Invariant,
  type Progress,
  type ExploreOptions,
  type ExplorationReport,
  type ModelWalker,
  type ModelPath,
  type ModelGraph,
  type Violation,
  type ProgressResult,
  type InvariantResult,
  type MachineCoverage,
  type StepResult,
  type MachineStepper,
  type SystemAdapter,
  type TestRegistrar,
} from './model-explorer.js';

export { checkAgent, formatAgentCheck, type AgentCheckReport, type AgentCheckFinding, type CheckAgentOptions } from '../model/agent-check.js';
