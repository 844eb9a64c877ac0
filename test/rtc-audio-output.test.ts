import { afterAll, describe, expect, it } from 'vitest';
import { createAudioFrame, type AudioFrame } from '../src/ports/audio-frame.js';
import { InvalidArgumentError } from '../src/errors.js';
import { AudioOutputClosedError, disposeRtc, RtcAudioOutput } from '../src/adapters/rtc-audio-output.js';

const SR = 24000;
const frame20ms = (value = 1000): AudioFrame => createAudioFrame(new Int16Array(480).fill(value), SR, 1);

afterAll(() => disposeRtc());

describe('RtcAudioOutput', () => {
  it('plays in real time: 1 s of audio takes about 1 s to capture and play out', async () => {
    const out = new RtcAudioOutput({ sampleRate: SR });
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) await out.captureFrame(frame20ms());
    out.flush();
    const r = await out.waitForPlayout();
    const elapsed = (performance.now() - t0) / 1000;
    expect(r.interrupted).toBe(false);
    expect(r.playbackPosition).toBeCloseTo(1, 6);
    expect(elapsed).toBeGreaterThan(0.7);
    expect(elapsed).toBeLessThan(3);
    await out.close();
  });

  it('waitForPlayout with no open segment resolves at once with position 0', async () => {
    const out = new RtcAudioOutput();
    expect(await out.waitForPlayout()).toEqual({ playbackPosition: 0, interrupted: false });
    await out.close();
  });

  it('clearBuffer stops now: waiters resolve interrupted at a position between 0 and what was captured', async () => {
    const out = new RtcAudioOutput({ sampleRate: SR, queueSizeMs: 200 });
    for (let i = 0; i < 20; i++) await out.captureFrame(frame20ms());
    const waiting = out.waitForPlayout();
    const captured = 20 * 0.02;
    out.clearBuffer();
    const r = await waiting;
    expect(r.interrupted).toBe(true);
    expect(r.playbackPosition).toBeGreaterThan(0);
    // The source still held queued audio: less was heard than was captured.
    expect(r.playbackPosition).toBeLessThan(captured);
    expect(await out.waitForPlayout()).toEqual({ playbackPosition: 0, interrupted: false });
    await out.close();
  });

  it('a captureFrame waiting for room in the queue resolves once clearBuffer is called', async () => {
    const out = new RtcAudioOutput({ sampleRate: SR, queueSizeMs: 200 });
    for (let i = 0; i < 10; i++) await out.captureFrame(frame20ms());
    // 2 s in one frame: it cannot fit the 200 ms queue, so this capture would wait about 2 s.
    const big = createAudioFrame(new Int16Array(2 * SR), SR, 1);
    const t0 = performance.now();
    const pending = out.captureFrame(big);
    out.clearBuffer();
    await pending;
    // Sanity bound: well before the 2 s the frame would have taken to play.
    expect(performance.now() - t0).toBeLessThan(1000);
    await out.close();
  });

  it('starts a fresh segment after a clear, and the next segment after the previous played out', async () => {
    const out = new RtcAudioOutput({ sampleRate: SR });
    for (let i = 0; i < 5; i++) await out.captureFrame(frame20ms());
    out.clearBuffer();
    for (let i = 0; i < 5; i++) await out.captureFrame(frame20ms());
    out.flush();
    const first = out.waitForPlayout();
    // Captured while the first segment is still playing: this frame opens the second segment.
    const second = out.captureFrame(frame20ms()).then(() => {
      out.flush();
      return out.waitForPlayout();
    });
    expect(await first).toEqual({ playbackPosition: expect.closeTo(0.1, 6), interrupted: false });
    expect(await second).toEqual({ playbackPosition: expect.closeTo(0.02, 6), interrupted: false });
    await out.close();
  });

  it('taps each frame with its offset in the segment', async () => {
    const taps: number[] = [];
    const out = new RtcAudioOutput({ sampleRate: SR, onFrame: (_f, at) => taps.push(at) });
    for (let i = 0; i < 3; i++) await out.captureFrame(frame20ms());
    out.clearBuffer();
    await out.captureFrame(frame20ms());
    expect(taps.map((t) => Math.round(t * 1000))).toEqual([0, 20, 40, 0]);
    await out.close();
  });

  it('rejects frames of another format, and captures after close', async () => {
    const out = new RtcAudioOutput({ sampleRate: SR });
    await expect(out.captureFrame(createAudioFrame(new Int16Array(160), 16000, 1))).rejects.toBeInstanceOf(InvalidArgumentError);
    await out.close();
    await expect(out.captureFrame(frame20ms())).rejects.toBeInstanceOf(AudioOutputClosedError);
  });
});
