import { frameDuration, type AudioFrame } from '../ports/audio-frame.js';
import type { AudioOutput, PlayoutResult } from '../ports/audio-output.js';
import type { Clock } from '../ports/clock.js';

export interface VirtualSegment {
  /** Seconds captured into the segment. */
  capturedSeconds: number;
  /** Seconds the listener heard. */
  playbackPosition: number;
  interrupted: boolean;
  startedAt: number;
  endedAt: number;
}

interface Segment {
  capturedMs: number;
  playedMs: number;
  lastUpdate: number;
  startedAt: number;
  flushed: boolean;
  endTimer: unknown;
  waiters: ((r: PlayoutResult) => void)[];
  /** Pending captures, each released once playback reaches `releaseAtMs`. */
  captures: { resolve: () => void; releaseAtMs: number; timer: unknown }[];
}

/**
 * An audio device driven by a {@link Clock}: plays captured audio in real time of that clock,
 * applies backpressure past `bufferMs`, can pause and resume, reports positions exactly.
 * Pair it with `VirtualClock` in tests.
 * @example
 * const out = new VirtualAudioOutput(clock);
 * await out.captureFrame(frame); out.flush();
 * const { playbackPosition } = await clock.runUntil(out.waitForPlayout());
 */
export class VirtualAudioOutput implements AudioOutput {
  /** Every finished segment, in order. */
  readonly segments: VirtualSegment[] = [];
  /** When true, a flushed segment never reports its end: a broken sink, for fault tests. */
  stalled = false;
  private paused = false;
  private seg: Segment | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly o: { bufferMs?: number } = {},
  ) {}

  /** Seconds of the current segment heard so far (0 with no segment). */
  get playbackPosition(): number {
    this.update();
    return this.seg ? this.seg.playedMs / 1000 : 0;
  }

  /** True while a segment is open. */
  get playing(): boolean {
    return this.seg !== null;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  captureFrame(frame: AudioFrame): Promise<void> {
    this.update();
    if (!this.seg) {
      const now = this.clock.now();
      this.seg = { capturedMs: 0, playedMs: 0, lastUpdate: now, startedAt: now, flushed: false, endTimer: null, waiters: [], captures: [] };
    }
    const seg = this.seg;
    seg.capturedMs += frameDuration(frame) * 1000;
    const releaseAtMs = seg.capturedMs - (this.o.bufferMs ?? 200);
    if (releaseAtMs <= seg.playedMs) return Promise.resolve();
    return new Promise<void>((resolve) => {
      seg.captures.push({ resolve, releaseAtMs, timer: null });
      this.schedule();
    });
  }

  flush(): void {
    const seg = this.seg;
    if (!seg || seg.flushed) return;
    this.update();
    seg.flushed = true;
    this.schedule();
  }

  clearBuffer(): void {
    // Account for the time up to now under the current pause state before ending the pause.
    this.update();
    this.paused = false;
    const seg = this.seg;
    if (!seg) return;
    this.end({ playbackPosition: seg.playedMs / 1000, interrupted: true });
  }

  pause(): void {
    this.update();
    this.paused = true;
    this.schedule();
  }

  resume(): void {
    this.update();
    this.paused = false;
    this.schedule();
  }

  waitForPlayout(): Promise<PlayoutResult> {
    if (!this.seg) return Promise.resolve({ playbackPosition: 0, interrupted: false });
    const seg = this.seg;
    return new Promise((resolve) => seg.waiters.push(resolve));
  }

  /** For fault tests: a stalled sink recovers and reports the flushed segment's end now. */
  recover(): void {
    this.stalled = false;
    this.update();
    this.schedule();
  }

  private update(): void {
    const seg = this.seg;
    if (!seg) return;
    const now = this.clock.now();
    if (!this.paused) seg.playedMs = Math.min(seg.capturedMs, seg.playedMs + (now - seg.lastUpdate));
    seg.lastUpdate = now;
  }

  /** (Re)arms the timers for what playback will reach next; none while paused. */
  private schedule(): void {
    const seg = this.seg;
    if (!seg) return;
    if (seg.endTimer) this.clock.clearTimeout(seg.endTimer);
    seg.endTimer = null;
    for (const c of seg.captures) if (c.timer) this.clock.clearTimeout(c.timer), (c.timer = null);
    if (this.paused) return;
    for (const c of seg.captures) {
      c.timer = this.clock.setTimeout(() => {
        this.update();
        seg.captures = seg.captures.filter((x) => x !== c);
        c.resolve();
      }, Math.max(0, c.releaseAtMs - seg.playedMs));
    }
    if (seg.flushed && !this.stalled) {
      seg.endTimer = this.clock.setTimeout(() => {
        this.update();
        this.end({ playbackPosition: seg.capturedMs / 1000, interrupted: false });
      }, seg.capturedMs - seg.playedMs);
    }
  }

  private end(r: PlayoutResult): void {
    const seg = this.seg;
    if (!seg) return;
    this.seg = null;
    if (seg.endTimer) this.clock.clearTimeout(seg.endTimer);
    for (const c of seg.captures) {
      if (c.timer) this.clock.clearTimeout(c.timer);
      c.resolve();
    }
    this.segments.push({
      capturedSeconds: seg.capturedMs / 1000,
      playbackPosition: r.playbackPosition,
      interrupted: r.interrupted,
      startedAt: seg.startedAt,
      endedAt: this.clock.now(),
    });
    for (const w of seg.waiters) w(r);
  }
}
