import { describe, expect, it } from 'vitest';
import type { AudioFrame, AudioOutput, PlayoutResult } from '../src/index.js';
import { SegmentSplittingPause } from '../src/voice/pausable-output.js';

// SegmentSplittingPause re-feeds the frames that waited during a hold. A capture for the next segment
// made after clearBuffer() while a slow re-feed was still under way used to stay pending forever (the
// re-feed put it back and stopped); a capture made the moment a re-fed frame returns must be
// forwarded in order too.

const frame = (n: number): AudioFrame => ({ data: new Int16Array(480).fill(n), sampleRate: 24000, channels: 1, samplesPerChannel: 480 });

/** An inner output whose captures complete only when the test says so. */
function slowInner() {
  const captured: number[] = [];
  const pending: (() => void)[] = [];
  const inner: AudioOutput = {
    captureFrame: (f) =>
      new Promise<void>((resolve) => {
        captured.push(f.data[0]!);
        pending.push(resolve);
      }),
    flush: () => {},
    clearBuffer: () => {},
    waitForPlayout: (): Promise<PlayoutResult> => Promise.resolve({ playbackPosition: 0, interrupted: false }),
  };
  return { inner, captured, releaseNext: () => pending.shift()?.() };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

function track(p: Promise<void>) {
  const t = { settled: false };
  void p.then(() => (t.settled = true));
  return t;
}

describe('SegmentSplittingPause re-feed', () => {
  it('a capture made the moment a re-fed frame returns is forwarded in order', async () => {
    const { inner, captured, releaseNext } = slowInner();
    const out = new SegmentSplittingPause(inner);
    out.pause();
    let c: { settled: boolean } | undefined;
    // Like a TTS pump: the next frame is captured the moment the previous capture returns.
    const b = out.captureFrame(frame(2)).then(() => void (c = track(out.captureFrame(frame(3)))));
    out.resume();
    await tick();
    releaseNext(); // frame 2 reaches the device
    await b;
    await tick();
    releaseNext(); // frame 3, if it was forwarded
    await tick();
    expect(captured).toEqual([2, 3]);
    expect(c?.settled).toBe(true);
  });

  it('after clearBuffer() during a slow re-feed, the next segment plays: its captures are not stranded', async () => {
    const { inner, captured, releaseNext } = slowInner();
    const out = new SegmentSplittingPause(inner);
    out.pause();
    const b = track(out.captureFrame(frame(2)));
    const c = track(out.captureFrame(frame(3)));
    out.resume(); // frame 2 is being forwarded, slowly
    await tick();
    out.clearBuffer(); // the interrupt: frame 3 is dropped, its capture returns
    await tick();
    expect(c.settled).toBe(true);
    const d = track(out.captureFrame(frame(4))); // the next speech's first frame
    releaseNext(); // frame 2's slow capture ends
    await tick();
    releaseNext(); // frame 4
    await tick();
    expect(b.settled).toBe(true);
    expect(d.settled).toBe(true);
    expect(captured).toEqual([2, 4]);
  });
});
