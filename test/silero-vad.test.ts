import { AudioFrame as RtcAudioFrame } from '@livekit/rtc-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeRtc } from '../src/adapters/rtc-audio-output.js';
import { VirtualClock } from '../src/testing/index.js';
import { pcmFrames, UserAudioInput, type UserSpeechEvent } from '../src/voice/user-audio-input.js';
import { coughNoise, mixTrack, resampleLinear, synthesizeUserSpeech, whiteNoise, type Pcm } from '../src/voice/user-audio-synth.js';
import { SileroVAD, VAD_SAMPLE_RATE, type VADEvent } from '../src/voice/vad.js';

// The real Silero model (offline, @livekit/local-inference) on real espeak-ng speech. No wall-clock
// sleeps: the tests only await the model's promises.

const SR = VAD_SAMPLE_RATE;
let speech: Pcm;
let speech16k: Int16Array;

beforeAll(async () => {
  speech = await synthesizeUserSpeech('Actually, never mind, do something else!', { voice: 'en-us+f3' });
  speech16k = resampleLinear(speech.samples, speech.sampleRate, SR);
});
// The input test runs rtc-node's resampler, which keeps the process alive until disposed.
afterAll(() => disposeRtc());

async function detect(track: Int16Array, o: ConstructorParameters<typeof SileroVAD>[0] = {}): Promise<VADEvent[]> {
  const vad = new SileroVAD(o);
  const events: VADEvent[] = [];
  // Fed in 20 ms pieces, as frames arrive from a microphone.
  for (let at = 0; at < track.length; at += 320) events.push(...(await vad.push(track.subarray(at, at + 320))));
  return [...events, ...vad.flush()];
}

describe('SileroVAD (real model)', () => {
  it('hears nothing in silence', async () => {
    expect(await detect(new Int16Array(2 * SR))).toEqual([]);
  });

  it('finds espeak-ng speech where it was mixed in, as one speech', async () => {
    const durMs = (speech16k.length / SR) * 1000;
    const events = await detect(mixTrack([{ atMs: 1000, samples: speech16k }], SR, 1000 + durMs + 1500));
    expect(events.map((e) => e.type)).toEqual(['speechStart', 'speechEnd']);
    const [start, end] = events as [VADEvent, VADEvent];
    expect(start.atMs).toBeGreaterThanOrEqual(950);
    expect(start.atMs).toBeLessThan(1200);
    // Detected within a couple of windows of its onset (minSpeechDuration 50 ms).
    expect(start.detectedAtMs - start.atMs).toBeLessThanOrEqual(100);
    expect(end.atMs).toBeGreaterThan(1000 + durMs - 400);
    expect(end.atMs).toBeLessThan(1000 + durMs + 200);
    // The end is only known after minSilenceDuration of silence.
    expect(end.detectedAtMs - end.atMs).toBeGreaterThanOrEqual(550);
  });

  it('does not take a short white-noise burst for speech', async () => {
    expect(await detect(mixTrack([{ atMs: 500, samples: whiteNoise(400, SR, 9000) }], SR, 2000))).toEqual([]);
  });

  it('hears a cough (a voiced burst) as a short wordless speech', async () => {
    const events = await detect(mixTrack([{ atMs: 500, samples: coughNoise(800, SR) }], SR, 2500));
    expect(events.map((e) => e.type)).toEqual(['speechStart', 'speechEnd']);
    const voiced = events[1]!.atMs - events[0]!.atMs;
    expect(voiced).toBeGreaterThan(500);
    expect(voiced).toBeLessThan(1000);
  });

  it('hysteresis: a shorter minSilenceDuration splits speech at its pauses; the default keeps one utterance', async () => {
    const track = mixTrack([{ atMs: 500, samples: speech16k }], SR, 500 + (speech16k.length / SR) * 1000 + 1000);
    const fine = await detect(track, { minSilenceDuration: 60 });
    const starts = fine.filter((e) => e.type === 'speechStart').length;
    expect(starts).toBeGreaterThan(1);
    expect((await detect(track)).filter((e) => e.type === 'speechStart').length).toBe(1);
  });

  it('rejects overlapping pushes (the model keeps state between windows)', async () => {
    const vad = new SileroVAD();
    const first = vad.push(new Int16Array(1024));
    await expect(vad.push(new Int16Array(512))).rejects.toThrow(/previous push/);
    await first;
  });
});

describe('UserAudioInput: frames → 16 kHz (rtc-node AudioResampler) → VAD → boundaries on the clock', () => {
  it('delivers each boundary at its detection time in clock time, from a 22.05 kHz source', async () => {
    const clock = new VirtualClock();
    await clock.advance(10_000); // the input's clock time starts wherever the clock is
    const track = mixTrack([{ atMs: 1500, samples: speech.samples }], speech.sampleRate, 6000);
    const seen: (UserSpeechEvent & { deliveredAt: number })[] = [];
    let audioSamples = 0;
    const input = new UserAudioInput(
      (async function* () {
        yield* pcmFrames(track, speech.sampleRate, 1, 20);
      })(),
      { clock, vad: new SileroVAD(), onSpeech: (e) => seen.push({ ...e, deliveredAt: clock.now() }), onAudio: (s) => (audioSamples += s.length) },
    );
    const done = input.start();
    await input.analyzed;
    expect(seen).toEqual([]); // nothing is delivered before its time
    await clock.runUntil(done);
    expect(seen.map((e) => e.type)).toEqual(['speechStart', 'speechEnd']);
    for (const e of seen) expect(e.deliveredAt).toBe(e.detectedAtMs);
    expect(seen[0]!.atMs - 10_000).toBeGreaterThan(1400);
    expect(seen[0]!.atMs - 10_000).toBeLessThan(1700);
    // 6 s at 22.05 kHz came out as about 6 s at 16 kHz.
    expect(Math.abs(audioSamples - 6 * SR)).toBeLessThan(SR * 0.05);
  });

  it('down-mixes stereo 16 kHz frames without resampling, and close() cancels what is pending', async () => {
    const clock = new VirtualClock();
    const mono = mixTrack([{ atMs: 300, samples: speech16k }], SR, 4500);
    const stereo = new Int16Array(mono.length * 2);
    for (let i = 0; i < mono.length; i++) stereo[2 * i] = stereo[2 * i + 1] = mono[i]!;
    const seen: string[] = [];
    const input = new UserAudioInput(
      (async function* () {
        yield* pcmFrames(stereo, SR, 2, 20);
      })(),
      { clock, vad: new SileroVAD(), onSpeech: (e) => seen.push(e.type) },
    );
    const done = input.start();
    await input.analyzed;
    await clock.advance(1000);
    expect(seen).toEqual(['speechStart']);
    input.close();
    await done;
    await clock.runAll();
    expect(seen).toEqual(['speechStart']);
  });

  it('reads a ReadableStream of rtc-node AudioFrames (what an AudioStream of a room track yields), 48 kHz', async () => {
    const clock = new VirtualClock();
    const track48k = resampleLinear(mixTrack([{ atMs: 500, samples: speech16k }], SR, 5000), SR, 48000);
    const frames = [...pcmFrames(track48k, 48000, 1, 10)].map((f) => new RtcAudioFrame(f.data, 48000, 1, f.samplesPerChannel));
    const stream = new ReadableStream<RtcAudioFrame>({
      start(c) {
        for (const f of frames) c.enqueue(f);
        c.close();
      },
    });
    const seen: UserSpeechEvent[] = [];
    const input = new UserAudioInput(stream, { clock, vad: new SileroVAD(), onSpeech: (e) => seen.push(e) });
    const done = input.start();
    await input.analyzed;
    await clock.runUntil(done);
    expect(seen.map((e) => e.type)).toEqual(['speechStart', 'speechEnd']);
    expect(seen[0]!.atMs).toBeGreaterThan(400);
    expect(seen[0]!.atMs).toBeLessThan(700);
  });
});
