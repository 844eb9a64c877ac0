import * as openai from '@livekit/agents-plugin-openai';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/index.js';
import { fromLiveKitLLM, fromLiveKitSTT, fromLiveKitTTS, fromLiveKitVAD } from '../src/livekit/index.js';

// Bad input gets a clear error naming what was wrong, at the call (not at the first request).
describe('speechcharts/livekit: bad input', () => {
  it('each wrapper refuses what is not the LiveKit plugin kind it wraps, naming it', () => {
    const notAPlugin = { chat() {}, stream() {} } as never;
    expect(() => fromLiveKitLLM(notAPlugin)).toThrow(InvalidArgumentError);
    expect(() => fromLiveKitLLM(notAPlugin)).toThrow(/fromLiveKitLLM: expected an llm\.LLM/);
    expect(() => fromLiveKitTTS(notAPlugin)).toThrow(/fromLiveKitTTS: expected a tts\.TTS/);
    expect(() => fromLiveKitSTT(notAPlugin)).toThrow(/fromLiveKitSTT: expected an stt\.STT/);
    expect(() => fromLiveKitVAD(notAPlugin)).toThrow(/fromLiveKitVAD: expected a VAD/);
    // An LLM is not a TTS.
    expect(() => fromLiveKitTTS(new openai.LLM({ apiKey: 'test' }) as never)).toThrow(InvalidArgumentError);
  });

  it('a bad sample rate, and an STT that cannot stream without a VAD', () => {
    expect(() => fromLiveKitTTS(new openai.TTS({ apiKey: 'test' }), { sampleRate: 0 })).toThrow(/sampleRate must be a positive integer/);
    expect(() => fromLiveKitSTT(new openai.STT({ apiKey: 'test', useRealtime: false }))).toThrow(/openai\.STT cannot stream; pass \{ vad \}/);
  });
});
