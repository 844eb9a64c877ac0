import { describe, expect, it } from 'vitest';
import * as root from 'speechcharts';
import * as machines from 'speechcharts/machines';
import * as testing from 'speechcharts/testing';

describe('package entry points', () => {
  it('export the public contract by name', () => {
    for (const name of ['AgentSession', 'SpeechHandle', 'RunContext', 'tool', 'SpeechInterruptedError', 'ToolError', 'InterruptionRefusedError', 'SpeechFailedError', 'SessionClosedError', 'InvalidArgumentError', 'LiveKitPluginError'])
      expect(root, name).toHaveProperty(name);
    for (const name of ['RunResult', 'RunAssert', 'EventAssert', 'RunInProgressError', 'withMockTools']) expect(root, name).toHaveProperty(name);
    expect(new root.SpeechInterruptedError('s1')).toBeInstanceOf(Error);
    expect(new root.ToolError('x')).toBeInstanceOf(Error);
  });

  it('export the machines for composition', () => {
    for (const name of ['speechHandleMachine', 'toolRunMachine', 'schedulerMachine', 'agentStateMachine']) expect(machines, name).toHaveProperty(name);
  });

  it('export the fakes', () => {
    for (const name of ['VirtualClock', 'VirtualAudioOutput', 'FakeTTS', 'ScriptedLLM', 'FakeLLM', 'NoFakeResponseError', 'withMockTools', 'RunResult', 'askJudge', 'VERDICT_TOOL']) expect(testing, name).toHaveProperty(name);
  });
});

describe('optional entry points', () => {
  it('speechcharts/voice, speechcharts/adapters and speechcharts/inspect export their main pieces', async () => {
    const voice = await import('speechcharts/voice');
    for (const name of ['attachVoiceInput', 'attachBargeIn', 'SileroVAD', 'ScriptedSTT', 'bargeInMachine']) expect(voice, name).toHaveProperty(name);
    const adapters = await import('speechcharts/adapters');
    for (const name of ['EspeakTTS', 'SyntheticVoiceTTS', 'createDefaultTTS', 'RtcAudioOutput', 'RecordingAudioOutput', 'connectRoom', 'runInRoom', 'createRoomInputPolicy', 'attachRoomInput', 'disposeRtc']) expect(adapters, name).toHaveProperty(name);
    const inspect = await import('speechcharts/inspect');
    for (const name of ['createTraceRecorder', 'createInspectorServer', 'createStatelyBridge']) expect(inspect, name).toHaveProperty(name);
  });

  it('speechcharts/livekit exports the plugin bridge', async () => {
    const livekit = await import('speechcharts/livekit');
    for (const name of ['fromLiveKitLLM', 'fromLiveKitTTS', 'fromLiveKitSTT', 'fromLiveKitVAD', 'LiveKitPluginError']) expect(livekit, name).toHaveProperty(name);
  });
});
