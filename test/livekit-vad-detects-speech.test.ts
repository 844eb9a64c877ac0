import * as silero from '@livekit/agents-plugin-silero';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeRtc } from '../src/adapters/rtc-audio-output.js';
import { fromLiveKitVAD } from '../src/livekit/index.js';
import { mixTrack, resampleLinear, synthesizeUserSpeech } from '../src/voice/user-audio-synth.js';
import { VAD_SAMPLE_RATE, type VAD, type VADEvent } from '../src/voice/vad.js';

// LiveKit's Silero plugin (its own ONNX model, offline) through the bridge, on real espeak-ng speech.
// No wall-clock sleeps: each push resolves when the plugin has run its windows.
const SR = VAD_SAMPLE_RATE;
let speech16k: Int16Array;
let plugin: Awaited<ReturnType<typeof silero.VAD.load>>;

beforeAll(async () => {
  const s = await synthesizeUserSpeech('Actually, never mind, do something else!', { voice: 'en-us+f3' });
  speech16k = resampleLinear(s.samples, s.sampleRate, SR);
  plugin = await silero.VAD.load();
});
afterAll(() => disposeRtc());

async function feed(vad: VAD, track: Int16Array): Promise<VADEvent[]> {
  const events: VADEvent[] = [];
  // 20 ms pieces, as a microphone delivers them.
  for (let at = 0; at < track.length; at += 320) events.push(...(await vad.push(track.subarray(at, at + 320))));
  return events;
}

describe('fromLiveKitVAD (silero plugin)', () => {
  it('reports the start and the end of real speech, at the right audio times', async () => {
    const vad = fromLiveKitVAD(plugin);
    const durMs = (speech16k.length / SR) * 1000;
    const events = [...(await feed(vad, mixTrack([{ atMs: 1000, samples: speech16k }], SR, 1000 + durMs + 1500))), ...vad.flush()];
    expect(events.map((e) => e.type)).toEqual(['speechStart', 'speechEnd']);
    const [start, end] = events as [VADEvent, VADEvent];
    expect(start.atMs).toBeGreaterThanOrEqual(900);
    expect(start.atMs).toBeLessThan(1250);
    expect(start.detectedAtMs).toBeGreaterThanOrEqual(start.atMs);
    expect(start.detectedAtMs - start.atMs).toBeLessThanOrEqual(150);
    expect(end.atMs).toBeGreaterThan(1000 + durMs - 400);
    expect(end.atMs).toBeLessThan(1000 + durMs + 250);
    // The plugin ends a speech after minSilenceDuration (550 ms) of silence.
    expect(end.detectedAtMs - end.atMs).toBeGreaterThanOrEqual(550);
  });

  it('hears nothing in silence; flush() ends a speech still open; reset() starts a new stream at time 0', async () => {
    const vad = fromLiveKitVAD(plugin);
    expect(await feed(vad, new Int16Array(SR))).toEqual([]);
    vad.reset();
    const open = await feed(vad, mixTrack([{ atMs: 300, samples: speech16k }], SR, 300 + (speech16k.length / SR) * 1000));
    expect(open.map((e) => e.type)).toEqual(['speechStart']);
    expect(open[0]!.atMs).toBeLessThan(600);
    const flushed = vad.flush();
    expect(flushed.map((e) => e.type)).toEqual(['speechEnd']);
    expect(flushed[0]!.detectedAtMs).toBeGreaterThan(open[0]!.atMs);
    expect(vad.flush()).toEqual([]);
  });

  it('refuses overlapping pushes', async () => {
    const vad = fromLiveKitVAD(plugin);
    const first = vad.push(new Int16Array(2048));
    await expect(vad.push(new Int16Array(320))).rejects.toThrow(/previous push/);
    await first;
  });
});
