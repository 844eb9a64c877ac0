import * as silero from '@livekit/agents-plugin-silero';
import type { JobProcess } from '@livekit/agents';
import { expect, it } from 'vitest';
import { makeModels } from '../examples/livekit-worker.js';
import { EspeakTTS } from '../src/adapters/espeak-tts.js';
import { SyntheticVoiceTTS } from '../src/adapters/synthetic-tts.js';

// The worker example picks its models from the environment: provider keys switch on the LiveKit
// plugins through the bridge (made here, never called: no request leaves the machine); without them
// it runs on speechcharts' stand-ins. The VAD is LiveKit's Silero plugin; the one prewarm loaded
// goes to the one job of the process.

const proc = (vad?: unknown) => ({ userData: vad ? { vad } : {} }) as unknown as JobProcess;

it('without keys: stand-ins (espeak-ng or the built-in voice), no STT, the Silero plugin loaded on the spot', async () => {
  const m = await makeModels(proc(), {});
  expect(m.tts instanceof EspeakTTS || m.tts instanceof SyntheticVoiceTTS).toBe(true);
  expect(m.stt).toBeUndefined();
  expect(typeof m.vad.push).toBe('function');
});

it('with OPENAI_API_KEY and DEEPGRAM_API_KEY: the OpenAI LLM and TTS and the Deepgram STT, through the bridge', async () => {
  const p = proc(await silero.VAD.load());
  const m = await makeModels(p, { OPENAI_API_KEY: 'sk-test', DEEPGRAM_API_KEY: 'dg-test' });
  expect(m.tts instanceof EspeakTTS || m.tts instanceof SyntheticVoiceTTS).toBe(false);
  // OpenAI's TTS speaks at 24 kHz, mono.
  expect([m.tts.sampleRate, m.tts.numChannels]).toEqual([24000, 1]);
  expect(m.stt).toBeDefined();
  expect(typeof m.llm.chat).toBe('function');
  // The prewarmed VAD is taken by this job and not left for another.
  expect(p.userData.vad).toBeUndefined();
  m.stt!.close();
});
