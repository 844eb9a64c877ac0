import { frameDuration, type AudioFrame } from '../audio-frame.js';
import type { AudioOutput, PlayoutResult } from '../audio-output.js';
import type { Clock } from '../clock.js';

export interface VirtualSegment {
  /** Seconds captured into the segment. */
  capturedSeconds: number;
  /** Seconds the listener heard. */
  playbackPosition: number;
  interrupted: boolean;
  startedAt: number;
  endedAt: number;
}

/**
 * An audio device driven by a {@link Clock}: plays captured audio in real time of that clock,
 * applies backpressure past `bufferMs`, reports positions exactly. Pair it with `VirtualClock` in tests.
 * @example
 * const out = new VirtualAudioOutput(clock);
 * await out.captureFrame(frame); out.flush();
 * const { playbackPosition } = await clock.runUntil(out.waitForPlayout());
 */
export class VirtualAudioOutput implements AudioOutput {
  /** Every finished segment, in order. */
  readonly segments: VirtualSegment[] = [];
  /** When true, `waitForPlayout` of a flushed segment never reports: a broken sink, for fault tests. */
  stalled = false;
  private seg: {
    capturedMs: number;
    playedMs: number;
    lastUpdate: number;
    startedAt: number;
    flushed: boolean;
    endTimer: unknown;
    waiters: ((r: PlayoutResult) => void)[];
    captures: { resolve: () => void; timer: unknown }[];
  } | null = null;

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

  captureFrame(frame: AudioFrame): Promise<void> {
    this.update();
    if (!this.seg) {
      const now = this.clock.now();
      this.seg = { capturedMs: 0, playedMs: 0, lastUpdate: now, startedAt: now, flushed: false, endTimer: null, waiters: [], captures: [] };
    }
    const seg = this.seg;
    seg.capturedMs += frameDuration(frame) * 1000;
    const ahead = seg.capturedMs - seg.playedMs - (this.o.bufferMs ?? 200);
    if (ahead <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const entry = { resolve, timer: null as unknown };
      entry.timer = this.clock.setTimeout(() => {
        seg.captures = seg.captures.filter((c) => c !== entry);
        resolve();
      }, ahead);
      seg.captures.push(entry);
    });
  }

  flush(): void {
    const seg = this.seg;
    if (!seg || seg.flushed) return;
    this.update();
    seg.flushed = true;
    if (this.stalled) return;
    seg.endTimer = this.clock.setTimeout(() => {
      this.update();
      this.end({ playbackPosition: seg.capturedMs / 1000, interrupted: false });
    }, seg.capturedMs - seg.playedMs);
  }

  clearBuffer(): void {
    const seg = this.seg;
    if (!seg) return;
    this.update();
    this.end({ playbackPosition: seg.playedMs / 1000, interrupted: true });
  }

  waitForPlayout(): Promise<PlayoutResult> {
    if (!this.seg) return Promise.resolve({ playbackPosition: 0, interrupted: false });
    const seg = this.seg;
    return new Promise((resolve) => seg.waiters.push(resolve));
  }

  /** For fault tests: a stalled sink recovers and reports the flushed segment's end now. */
  recover(): void {
    this.stalled = false;
    const seg = this.seg;
    if (seg?.flushed && !seg.endTimer) {
      this.update();
      this.end({ playbackPosition: seg.playedMs / 1000, interrupted: false });
    }
  }

  private update(): void {
    const seg = this.seg;
    if (!seg) return;
    const now = this.clock.now();
    seg.playedMs = Math.min(seg.capturedMs, seg.playedMs + (now - seg.lastUpdate));
    seg.lastUpdate = now;
  }

  private end(r: PlayoutResult): void {
    const seg = this.seg;
    if (!seg) return;
    this.seg = null;
    if (seg.endTimer) this.clock.clearTimeout(seg.endTimer);
    for (const c of seg.captures) {
      this.clock.clearTimeout(c.timer);
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
