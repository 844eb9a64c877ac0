/**
 * One session's microphone as rtc-node `AudioFrame`s made in process: every frame of the looped
 * user speech is due at a fixed wall time (real time, from `start()`), and one ticker shared by all
 * microphones hands each due frame to its stream, as a track's frames arrive from the network
 * whether or not the process keeps up. What this leaves out of the full rtc-node track path
 * (bench/density/track-mic.ts) is the loopback through a native AudioSource and AudioStream, which
 * on this machine costs more CPU than either engine (see docs/benchmarks.md).
 *
 * Health: `lateFrames` counts frames handed over more than one frame length after they were due
 * (the event loop was late); `speechEnds` are the wall times each sentence ended (due time of its
 * last frame, however late it was handed over).
 */
import { AudioFrame } from '@livekit/rtc-node';
import type { UserMic } from './user-mic.js';
import { framesOf, MIC_RATE, type UserSpeechLoop } from './user-speech-loop.js';

/** All running frame microphones, served by one timer. */
const live = new Set<FrameMic>();
let ticker: ReturnType<typeof setInterval> | undefined;
const TICK_MS = 5;

function tick(): void {
  const now = performance.now();
  for (const mic of live) mic.due(now);
}

export class FrameMic implements UserMic {
  readonly frames: ReadableStream<AudioFrame>;
  framesFed = 0;
  lateFrames = 0;
  framesIn = 0;
  readonly frameInMs: number;
  readonly speechEnds: number[] = [];
  private controller!: ReadableStreamDefaultController<AudioFrame>;
  private readonly loopFrames: Int16Array[];
  private readonly speechFrames: number;
  private readonly silence: Int16Array;
  private readonly phaseFrames: number;
  private t0 = 0;
  private closed = false;

  constructor(
    loop: UserSpeechLoop,
    o: { frameMs: number; phaseMs: number },
  ) {
    if (o.frameMs !== 10 && o.frameMs !== 20) throw new RangeError(`FrameMic: frameMs must be 10 or 20, got ${o.frameMs}`);
    this.frameInMs = o.frameMs;
    this.loopFrames = framesOf(loop, o.frameMs);
    this.speechFrames = Math.ceil(loop.speechMs / o.frameMs);
    this.silence = new Int16Array((MIC_RATE * o.frameMs) / 1000);
    this.phaseFrames = Math.round(o.phaseMs / o.frameMs);
    // The engine may cancel its input first (closing its session): the clock stops then.
    const source = new ReadableStream<AudioFrame>({ start: (c) => void (this.controller = c), cancel: () => void this.stop() });
    this.frames = source.pipeThrough(
      new TransformStream<AudioFrame, AudioFrame>({
        transform: (f, c) => {
          this.framesIn++;
          c.enqueue(f);
        },
      }),
    );
  }

  /** Starts the clock of this microphone: frame k is due `k` frame lengths from now. */
  start(): void {
    if (this.t0 || this.closed) return;
    this.t0 = performance.now();
    live.add(this);
    ticker ??= setInterval(tick, TICK_MS);
  }

  /** Hands over every frame due by `now` (called by the shared ticker). */
  due(now: number): void {
    const frameMs = this.frameInMs;
    const dueCount = Math.floor((now - this.t0) / frameMs);
    while (this.framesFed < dueCount && !this.closed) {
      const k = this.framesFed++;
      const dueAt = this.t0 + (k + 1) * frameMs;
      if (now - dueAt > frameMs) this.lateFrames++;
      const i = k - this.phaseFrames;
      const data = i < 0 ? this.silence : this.loopFrames[i % this.loopFrames.length]!;
      this.controller.enqueue(new AudioFrame(data, MIC_RATE, 1, data.length));
      if (i >= 0 && i % this.loopFrames.length === this.speechFrames - 1) this.speechEnds.push(dueAt);
    }
  }

  /** Stops the clock and ends the stream (the engine reads its end). */
  async close(): Promise<void> {
    if (this.stop()) this.controller.close();
  }

  /** Stops the clock; false if it was already stopped. */
  private stop(): boolean {
    if (this.closed) return false;
    this.closed = true;
    live.delete(this);
    if (live.size === 0 && ticker) {
      clearInterval(ticker);
      ticker = undefined;
    }
    return true;
  }
}
