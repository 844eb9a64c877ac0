import { describe, expect, it } from 'vitest';
import { EOT_WINDOW_SAMPLES, LocalEndOfTurnModel, RecentAudio } from '../src/voice/end-of-turn.js';
import { resampleLinear, synthesizeUserSpeech } from '../src/voice/user-audio-synth.js';

// The real end-of-turn model (@livekit/local-inference, offline) on real espeak-ng user speech.
// Only orderings and loose properties are asserted: no probability or latency figure.

/** The user's words at 16 kHz, trailing silence trimmed, then a 200 ms pause (where the model is asked). */
async function userSays(text: string): Promise<Int16Array> {
  const pcm = await synthesizeUserSpeech(text, { voice: 'en-us+f3' });
  const s = resampleLinear(pcm.samples, pcm.sampleRate, 16000);
  let end = s.length;
  while (end > 0 && Math.abs(s[end - 1]!) < 300) end--;
  const out = new Int16Array(end + 200 * 16);
  out.set(s.subarray(0, end));
  return out;
}

describe('the end-of-turn model on espeak-ng speech', () => {
  const model = LocalEndOfTurnModel.load();

  it('a finished sentence is more likely the end of the turn than an unfinished one', async () => {
    const finished = await model.predict(await userSays('Thank you very much.'));
    const unfinished = await model.predict(await userSays('and then we could maybe'));
    expect(finished.probability).toBeGreaterThanOrEqual(0);
    expect(finished.probability).toBeLessThanOrEqual(1);
    expect(finished.probability).toBeGreaterThan(unfinished.probability);
  }, 30_000);

  it('runs off the event loop and reports its latency', async () => {
    const pcm = await userSays('Can you book it for me?');
    let ticks = 0;
    let running = true;
    const tick = () => {
      ticks++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const r = await model.predict(pcm);
    running = false;
    expect(r.latencyMs).toBeGreaterThan(0);
    expect(ticks).toBeGreaterThan(0); // the loop turned while the model ran on the worker pool
  }, 30_000);

  it('is given the last 1.2 s of the user audio (RecentAudio keeps only that)', () => {
    const recent = new RecentAudio();
    const a = new Int16Array(EOT_WINDOW_SAMPLES).fill(1);
    const b = new Int16Array(1000).fill(2);
    recent.push(a);
    recent.push(b);
    const got = recent.latest();
    expect(got.length).toBe(EOT_WINDOW_SAMPLES);
    expect(got[0]).toBe(1);
    expect(got.at(-1)).toBe(2);
    expect(got.filter((x) => x === 2).length).toBe(1000);
  });

  it('RecentAudio gives the 1.2 s before the clock, even when audio was read ahead of it (a file)', () => {
    let now = 0;
    const recent = new RecentAudio(EOT_WINDOW_SAMPLES, () => now);
    // 3 s of audio read at once at t=0: 1 s of 1s, 1 s of 2s, 1 s of 3s.
    for (const [i, v] of [1, 2, 3].entries()) recent.push(new Int16Array(16000).fill(v), i * 1000);
    expect(recent.latest()).toHaveLength(0); // nothing has been heard at t=0
    now = 1500;
    const got = recent.latest();
    expect(got).toHaveLength(EOT_WINDOW_SAMPLES);
    expect(got.filter((x) => x === 1)).toHaveLength(0.7 * 16000);
    expect(got.filter((x) => x === 2)).toHaveLength(0.5 * 16000);
    expect(got.includes(3)).toBe(false);
  });
});
