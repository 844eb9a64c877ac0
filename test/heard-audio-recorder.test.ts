import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAudioFrame, type AudioFrame } from '../src/ports/audio-frame.js';
import type { AudioOutput, PlayoutResult } from '../src/ports/audio-output.js';
import type { Clock } from '../src/ports/clock.js';
import { RecordingAudioOutput, RecordingFormatError } from '../src/adapters/heard-audio-recorder.js';
import { disposeRtc, RtcAudioOutput } from '../src/adapters/rtc-audio-output.js';
import { decodeWav } from '../src/adapters/wav.js';

const SR = 24000;
const FRAME = 480;
const ONE_FRAME = FRAME / SR;

/** Frame i holds the values i*FRAME+1 .. (i+1)*FRAME (mod 30000), so a cut shows exactly where it is. */
const rampFrame = (i: number): AudioFrame =>
  createAudioFrame(Int16Array.from({ length: FRAME }, (_, k) => ((i * FRAME + k) % 30000) + 1), SR, 1);

/** A contract-following output that plays instantly; clearBuffer reports `heardOnClear` seconds. */
class InstantOutput implements AudioOutput {
  heardOnClear = 0;
  #captured = 0;
  #open = false;
  #waiters: ((r: PlayoutResult) => void)[] = [];
  async captureFrame(f: AudioFrame) {
    this.#open = true;
    this.#captured += f.samplesPerChannel / f.sampleRate;
  }
  flush() {
    this.#end({ playbackPosition: this.#captured, interrupted: false });
  }
  clearBuffer() {
    this.#end({ playbackPosition: Math.min(this.heardOnClear, this.#captured), interrupted: true });
  }
  waitForPlayout(): Promise<PlayoutResult> {
    if (!this.#open) return Promise.resolve({ playbackPosition: 0, interrupted: false });
    return new Promise((r) => this.#waiters.push(r));
  }
  #end(r: PlayoutResult) {
    if (!this.#open) return;
    this.#open = false;
    this.#captured = 0;
    for (const w of this.#waiters.splice(0)) w(r);
  }
}

const manualClock = (): Clock & { t: number } => {
  const c: Clock & { t: number } = { t: 1000, now: () => c.t, setTimeout: () => 0, clearTimeout: () => {} };
  return c;
};

afterAll(() => disposeRtc());

describe('RecordingAudioOutput over RtcAudioOutput', () => {
  it('records a fully played segment: duration == heard, within one frame', async () => {
    const rec = new RecordingAudioOutput(new RtcAudioOutput({ sampleRate: SR }));
    for (let i = 0; i < 25; i++) await rec.captureFrame(rampFrame(i));
    rec.flush();
    const r = await rec.waitForPlayout();
    expect(r).toEqual({ playbackPosition: expect.closeTo(0.5, 6), interrupted: false });
    expect(Math.abs(rec.duration - r.playbackPosition)).toBeLessThanOrEqual(ONE_FRAME);
    const { samples } = rec.heardAudio();
    expect(Array.from(samples.subarray(0, 3))).toEqual([1, 2, 3]);
    await (rec.inner as RtcAudioOutput).close();
  });

  it('records a cut segment only up to where playback stopped', async () => {
    const rec = new RecordingAudioOutput(new RtcAudioOutput({ sampleRate: SR, queueSizeMs: 200 }));
    for (let i = 0; i < 30; i++) await rec.captureFrame(rampFrame(i));
    const waiting = rec.waitForPlayout();
    rec.clearBuffer();
    const r = await waiting;
    expect(r.interrupted).toBe(true);
    expect(r.playbackPosition).toBeLessThan(30 * ONE_FRAME);
    expect(Math.abs(rec.duration - r.playbackPosition)).toBeLessThanOrEqual(ONE_FRAME);
    // The audio stops where it was cut: the last recorded sample is the one at the playback position.
    const { samples } = rec.heardAudio();
    const n = samples.length;
    expect(n).toBe(Math.round(r.playbackPosition * SR));
    expect(samples[n - 1]).toBe(((n - 1) % 30000) + 1);
    await (rec.inner as RtcAudioOutput).close();
  });
});

describe('RecordingAudioOutput timeline', () => {
  it('puts the silence between segments, from the clock', async () => {
    const clock = manualClock();
    const inner = new InstantOutput();
    const rec = new RecordingAudioOutput(inner, { clock });
    for (let i = 0; i < 10; i++) await rec.captureFrame(rampFrame(i)); // 0.2 s
    rec.flush();
    await rec.waitForPlayout();
    clock.t += 200 + 300; // it played for 0.2 s, then 0.3 s of silence
    for (let i = 0; i < 5; i++) await rec.captureFrame(rampFrame(i)); // 0.1 s
    rec.flush();
    await rec.waitForPlayout();
    expect(rec.duration).toBeCloseTo(0.2 + 0.3 + 0.1, 9);
    const { samples } = rec.heardAudio();
    expect(samples.length).toBe(0.6 * SR);
    expect(samples.subarray(0.2 * SR, 0.5 * SR).every((v) => v === 0)).toBe(true);
    expect(samples[0.5 * SR]).toBe(1);
  });

  it('cuts an interrupted segment at the reported position, and the next segment starts after the gap', async () => {
    const clock = manualClock();
    const inner = new InstantOutput();
    const rec = new RecordingAudioOutput(inner, { clock });
    for (let i = 0; i < 50; i++) await rec.captureFrame(rampFrame(i)); // 1 s captured
    inner.heardOnClear = 0.25;
    clock.t += 250;
    rec.clearBuffer();
    clock.t += 100;
    for (let i = 0; i < 5; i++) await rec.captureFrame(rampFrame(i));
    rec.flush();
    await rec.waitForPlayout();
    expect(rec.duration).toBeCloseTo(0.25 + 0.1 + 0.1, 9);
    const { samples } = rec.heardAudio();
    expect(samples[0.25 * SR - 1]).toBe(0.25 * SR);
    expect(samples[0.25 * SR]).toBe(0);
  });

  it('writes a WAV file of exactly the heard audio', async () => {
    const rec = new RecordingAudioOutput(new InstantOutput(), { clock: manualClock() });
    for (let i = 0; i < 7; i++) await rec.captureFrame(rampFrame(i));
    rec.flush();
    await rec.waitForPlayout();
    const path = join(mkdtempSync(join(tmpdir(), 'speechcharts-rec-')), 'heard.wav');
    await rec.writeFile(path);
    const wav = decodeWav(readFileSync(path));
    expect(wav).toMatchObject({ sampleRate: SR, channels: 1 });
    expect(Array.from(wav.samples)).toEqual(Array.from(rec.heardAudio().samples));
    expect(wav.samples.length).toBe(7 * FRAME);
  });

  it('is empty before anything played, and refuses a frame of another format', async () => {
    const rec = new RecordingAudioOutput(new InstantOutput(), { clock: manualClock() });
    expect(rec.duration).toBe(0);
    expect(await rec.waitForPlayout()).toEqual({ playbackPosition: 0, interrupted: false });
    await rec.captureFrame(rampFrame(0));
    await expect(rec.captureFrame(createAudioFrame(new Int16Array(160), 16000, 1))).rejects.toBeInstanceOf(RecordingFormatError);
  });
});
