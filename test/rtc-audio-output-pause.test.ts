import { afterAll, describe, expect, it } from 'vitest';
import { createAudioFrame, type AudioFrame } from '../src/ports/audio-frame.js';
import { disposeRtc, RtcAudioOutput } from '../src/adapters/rtc-audio-output.js';

// RtcAudioOutput's pause/resume (the real path of a barge-in hold). The native source plays in real
// time, so these tests await real playout; they never sleep: "time passing while paused" is another
// output playing to its end.

const SR = 24000;
const frame20ms = (value = 1000): AudioFrame => createAudioFrame(new Int16Array(480).fill(value), SR, 1);
/** Lets pending promise callbacks run, without waiting for any time to pass. */
const ticks = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};
/** Real time passing: another output plays `seconds` of audio to its end. */
async function elsewhere(seconds: number): Promise<void> {
  const other = new RtcAudioOutput({ sampleRate: SR });
  for (let i = 0; i < Math.round(seconds / 0.02); i++) await other.captureFrame(frame20ms());
  other.flush();
  await other.waitForPlayout();
  await other.close();
}

afterAll(() => disposeRtc());

describe('RtcAudioOutput pause/resume', () => {
  it('pause takes back the queue and holds; resume plays it and the rest; the position counts every sample once', async () => {
    const out = new RtcAudioOutput({ sampleRate: SR, queueSizeMs: 200 });
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) await out.captureFrame(frame20ms());
    out.pause();
    expect(out.paused).toBe(true);
    expect(out.source.queuedDuration).toBe(0); // nothing left playing
    out.flush();
    let ended = false;
    const result = out.waitForPlayout().then((r) => ((ended = true), r));
    await ticks();
    expect(ended).toBe(false); // an empty queue while paused is not the end of the segment
    await elsewhere(0.3);
    expect(ended).toBe(false);
    out.resume();
    const r = await result;
    const elapsed = (performance.now() - t0) / 1000;
    expect(r).toEqual({ playbackPosition: expect.closeTo(0.4, 3), interrupted: false });
    // 0.4 s of audio plus at least the 0.3 s held.
    expect(elapsed).toBeGreaterThan(0.6);
    expect(out.paused).toBe(false);
    await out.close();
  });

  it('captures wait while paused and go on after resume', async () => {
    const out = new RtcAudioOutput({ sampleRate: SR });
    for (let i = 0; i < 5; i++) await out.captureFrame(frame20ms());
    out.pause();
    let captured = false;
    const pending = out.captureFrame(frame20ms()).then(() => (captured = true));
    await ticks();
    expect(captured).toBe(false);
    out.resume();
    await pending;
    out.flush();
    expect(await out.waitForPlayout()).toEqual({ playbackPosition: expect.closeTo(0.12, 3), interrupted: false });
    await out.close();
  });

  it('clearBuffer ends a pause: the taken-back audio is never heard, waiting captures return, the next segment plays', async () => {
    const out = new RtcAudioOutput({ sampleRate: SR, queueSizeMs: 200 });
    for (let i = 0; i < 15; i++) await out.captureFrame(frame20ms());
    out.pause();
    const waiting = out.captureFrame(frame20ms());
    const result = out.waitForPlayout();
    out.clearBuffer();
    await waiting;
    const r = await result;
    expect(r.interrupted).toBe(true);
    // Heard: what had played before the pause, not the ~0.2 s the pause took back.
    expect(r.playbackPosition).toBeGreaterThan(0);
    expect(r.playbackPosition).toBeLessThan(0.3 - 0.1);
    expect(out.paused).toBe(false);
    for (let i = 0; i < 3; i++) await out.captureFrame(frame20ms());
    out.flush();
    expect(await out.waitForPlayout()).toEqual({ playbackPosition: expect.closeTo(0.06, 3), interrupted: false });
    await out.close();
  });

  it('pause and resume with no open segment are harmless; a pause during a resume holds again', async () => {
    const out = new RtcAudioOutput({ sampleRate: SR });
    out.pause();
    out.resume();
    expect(out.paused).toBe(false);
    for (let i = 0; i < 15; i++) await out.captureFrame(frame20ms());
    out.pause();
    out.resume();
    out.pause(); // before the re-feed has finished
    expect(out.paused).toBe(true);
    out.flush();
    let ended = false;
    const result = out.waitForPlayout().then((r) => ((ended = true), r));
    await ticks();
    expect(ended).toBe(false);
    out.resume();
    expect(await result).toEqual({ playbackPosition: expect.closeTo(0.3, 2), interrupted: false });
    await out.close();
  });
});
