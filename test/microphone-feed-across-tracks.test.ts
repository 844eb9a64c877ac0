import { ReadableStream } from 'node:stream/web';
import { expect, it } from 'vitest';
import { MicrophoneFeed, MicrophoneFeedClosedError } from '../src/adapters/microphone-feed.js';
import type { AudioFrame } from '../src/ports/audio-frame.js';
import { VirtualClock } from '../src/testing/virtual-clock.js';

// One microphone across the tracks that carry it: frames of each attached stream in order, silence
// standing in for the time no stream was attached (the voice input times audio by its samples), the
// detached stream cancelled, the iteration ended by close().

const frame = (value: number, ms = 20): AudioFrame => {
  const n = (16000 * ms) / 1000;
  return { data: new Int16Array(n).fill(value), sampleRate: 16000, channels: 1, samplesPerChannel: n };
};

/** A stream that yields `frames`, then stays open (as a live track does) until cancelled. */
function liveStream(frames: AudioFrame[]) {
  const state = { cancelled: false };
  const stream = new ReadableStream<AudioFrame>({
    start(c) {
      for (const f of frames) c.enqueue(f);
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

it('reads each attached stream, fills the gaps with silence, cancels what it detaches, ends on close', async () => {
  const clock = new VirtualClock();
  const mic = new MicrophoneFeed({ clock });
  const got: { value: number; ms: number }[] = [];
  const reading = (async () => {
    for await (const f of mic) got.push({ value: f.data[0]!, ms: (f.samplesPerChannel * 1000) / f.sampleRate });
  })();

  // 100 ms pass before the first track: 100 ms of silence first.
  await clock.advance(100);
  const a = liveStream([frame(1), frame(1)]);
  mic.attach(a.stream);
  await new Promise((r) => setImmediate(r));
  expect(got).toEqual([{ value: 0, ms: 100 }, { value: 1, ms: 20 }, { value: 1, ms: 20 }]);

  mic.detach();
  expect(a.state.cancelled).toBe(true);
  expect(mic.attached).toBe(false);
  // 500 ms without a track (clock at 600 ms; 140 ms of audio so far): 460 ms of silence, then the new track.
  await clock.advance(500);
  const b = liveStream([frame(2)]);
  mic.attach(b.stream);
  await new Promise((r) => setImmediate(r));
  const afterGap = got.slice(3);
  expect(afterGap.filter((g) => g.value === 0).reduce((s, g) => s + g.ms, 0)).toBeCloseTo(460, 6);
  expect(afterGap.at(-1)).toEqual({ value: 2, ms: 20 });

  // A new track replaces the current one: the current one is cancelled.
  const c = liveStream([frame(3)]);
  mic.attach(c.stream);
  expect(b.state.cancelled).toBe(true);
  await new Promise((r) => setImmediate(r));
  expect(got.at(-1)).toEqual({ value: 3, ms: 20 });

  mic.close();
  await reading;
  expect(c.state.cancelled).toBe(true);
  expect(() => mic.attach(liveStream([]).stream)).toThrow(MicrophoneFeedClosedError);
});

it('a read that waits longer than maxStallMs (a muted or stalled track): the wait is filled with silence; a backlog is not', async () => {
  const clock = new VirtualClock();
  const mic = new MicrophoneFeed({ clock, maxStallMs: 500 });
  let push!: (f: AudioFrame) => void;
  mic.attach(new ReadableStream<AudioFrame>({ start: (c) => void (push = (f) => c.enqueue(f)) }));
  // Read by hand, so the test decides when the reader is busy and when it asks.
  const frames = mic[Symbol.asyncIterator]();
  const next = async () => {
    const r = await frames.next();
    return r.done ? undefined : { value: r.value.data[0]!, ms: (r.value.samplesPerChannel * 1000) / r.value.sampleRate };
  };
  // Frames on time: nothing added.
  for (let i = 0; i < 5; i++) {
    const asked = next();
    await clock.advance(20);
    push(frame(1));
    expect(await asked).toEqual({ value: 1, ms: 20 });
  }
  // A short wait (300 ms, under maxStallMs) is jitter: nothing added.
  let asked = next();
  await clock.advance(300);
  push(frame(1));
  expect(await asked).toEqual({ value: 1, ms: 20 });
  // An 800 ms wait: the wait comes first as silence, then the frame.
  asked = next();
  await clock.advance(800);
  push(frame(2));
  let filled = 0;
  for (let f = await asked; f; f = await next()) {
    if (f.value === 2) break;
    expect(f.value).toBe(0);
    filled += f.ms;
  }
  expect(filled).toBeCloseTo(800, 6);
  // A backlog: frames queued while the reader was busy for 900 ms are read as they are, no silence.
  push(frame(3));
  push(frame(3));
  await clock.advance(900);
  expect(await next()).toEqual({ value: 3, ms: 20 });
  expect(await next()).toEqual({ value: 3, ms: 20 });
  mic.close();
  expect(await next()).toBeUndefined();
});
