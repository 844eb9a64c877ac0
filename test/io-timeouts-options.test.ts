import { describe, expect, it } from 'vitest';
import { AgentSession, DEFAULT_IO_TIMEOUT_MS, InvalidArgumentError } from '../src/index.js';
import { FakeTTS, ScriptedLLM, VirtualAudioOutput, VirtualClock } from '../src/testing/index.js';

// The options of the I/O progress limits are checked like every other option: a bad one throws
// InvalidArgumentError naming the field.
describe('ioTimeouts and clock options', () => {
  const clock = new VirtualClock();
  const base = { llm: new ScriptedLLM({ replies: [] }), tts: new FakeTTS(), audioOutput: new VirtualAudioOutput(clock) };

  it('default to 10 s each and accept numbers, false per limit, or false for all', () => {
    expect(DEFAULT_IO_TIMEOUT_MS).toBe(10_000);
    for (const ioTimeouts of [undefined, false, {}, { llmMs: 1 }, { ttsMs: false, audioOutputMs: 2_500.5 }, { llmMs: undefined }] as const)
      expect(() => new AgentSession({ ...base, clock, ioTimeouts })).not.toThrow();
  });

  it.each([
    [null, 'ioTimeouts must be false or an object'],
    [true, 'ioTimeouts must be false or an object'],
    [5_000, 'ioTimeouts must be false or an object'],
    [[], 'ioTimeouts must be false or an object'],
    [{ llm: 5 }, "unknown option 'ioTimeouts.llm'"],
    [{ llmMs: 0 }, 'ioTimeouts.llmMs must be a positive finite number of milliseconds or false, got 0'],
    [{ ttsMs: -1 }, 'ioTimeouts.ttsMs must be a positive'],
    [{ audioOutputMs: Infinity }, 'ioTimeouts.audioOutputMs must be a positive'],
    [{ llmMs: NaN }, 'ioTimeouts.llmMs must be a positive'],
    [{ ttsMs: '10000' }, 'ioTimeouts.ttsMs must be a positive finite number of milliseconds or false, got string'],
    [{ audioOutputMs: true }, 'ioTimeouts.audioOutputMs must be a positive'],
  ])('ioTimeouts %j is refused', (ioTimeouts, msg) => {
    expect(() => new AgentSession({ ...base, ioTimeouts } as never)).toThrow(InvalidArgumentError);
    expect(() => new AgentSession({ ...base, ioTimeouts } as never)).toThrow(msg);
  });

  it.each([null, 42, {}, { now: () => 0, setTimeout: () => 0 }])('clock %j without now/setTimeout/clearTimeout is refused', (bad) => {
    expect(() => new AgentSession({ ...base, clock: bad } as never)).toThrow(InvalidArgumentError);
    expect(() => new AgentSession({ ...base, clock: bad } as never)).toThrow('clock must have now(), setTimeout(fn, ms) and clearTimeout(handle) methods');
  });
});
