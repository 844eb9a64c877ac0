import * as openai from '@livekit/agents-plugin-openai';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { disposeRtc } from '../src/adapters/rtc-audio-output.js';
import { frameDuration, type AudioFrame } from '../src/index.js';
import { fromLiveKitTTS } from '../src/livekit/index.js';
import { OpenAIStandIn } from './support/openai-stand-in.js';

// The real OpenAI TTS plugin (not streaming: wrapped in LiveKit's StreamAdapter) against a stand-in
// of /v1/audio/speech that streams raw 24 kHz PCM, 240 samples (10 ms) per input character.
let server: OpenAIStandIn;
beforeEach(async () => {
  server = await new OpenAIStandIn().start();
});
afterEach(() => server.stop());
afterAll(() => disposeRtc());

async function* words(...xs: string[]): AsyncIterable<string> {
  for (const x of xs) yield x;
}

async function collect(frames: AsyncIterable<AudioFrame>): Promise<AudioFrame[]> {
  const out: AudioFrame[] = [];
  for await (const f of frames) out.push(f);
  return out;
}

describe('fromLiveKitTTS', () => {
  it('speaks streamed text: every sentence is synthesized, and the audio is as long as the server sent', async () => {
    const tts = fromLiveKitTTS(new openai.TTS({ baseURL: server.baseURL, apiKey: 'test' }));
    expect([tts.sampleRate, tts.numChannels]).toEqual([24000, 1]);
    const text = ['Hello there, ', 'how are you today? ', 'I am fine, thank you very much, and you?'];
    const frames = await collect(tts.synthesize(words(...text), { signal: new AbortController().signal }));
    const inputs = server.requests.filter((r) => r.path === '/v1/audio/speech').map((r) => String(r.body.input));
    expect(inputs.join(' ').replace(/\s+/g, ' ')).toBe(text.join('').trim());
    expect(server.requests[0]!.body.response_format).toBe('pcm');
    const samples = frames.reduce((n, f) => n + f.samplesPerChannel, 0);
    // The plugin cuts each response into 100 ms frames (2400 samples) and drops a shorter tail
    // (its AudioByteStream is never flushed: an upstream quirk, up to 100 ms lost per sentence).
    expect(samples).toBe(inputs.reduce((n, t) => n + Math.floor((t.length * 240) / 2400) * 2400, 0));
    expect(samples).toBeGreaterThan(0);
    expect(frames.every((f) => f.sampleRate === 24000 && f.channels === 1)).toBe(true);
  });

  it('resamples to the rate asked for', async () => {
    const tts = fromLiveKitTTS(new openai.TTS({ baseURL: server.baseURL, apiKey: 'test' }), { sampleRate: 16000 });
    expect(tts.sampleRate).toBe(16000);
    const frames = await collect(tts.synthesize(words('A short sentence to say.'), { signal: new AbortController().signal }));
    expect(frames.every((f) => f.sampleRate === 16000)).toBe(true);
    const seconds = frames.reduce((s, f) => s + frameDuration(f), 0);
    const sent = (Math.floor((String(server.requests[0]!.body.input).length * 240) / 2400) * 2400) / 24000;
    expect(sent).toBeGreaterThan(0);
    expect(Math.abs(seconds - sent)).toBeLessThan(0.001);
  });
});
