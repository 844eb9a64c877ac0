import type { AudioFrame, AudioOutput, PlayoutResult } from '../../src/index.js';

/**
 * A wall-clock audio device paced by timers: it "plays" captured audio in real time, lets
 * `captureFrame` run at most `bufferMs` ahead of playback (like rtc-node's AudioSource queue), reports
 * the exact playback position when cleared, and ends a flushed segment when its last sample has played.
 * A new segment starts once the previous one has ended. No I/O: it isolates the engine's own latency.
 *
 * It implements speechcharts' `AudioOutput`; `agentsAudioOutput()` (bench/sinks/agents-audio-output.ts)
 * puts the same device behind agents-js's `voice.AudioOutput`, so both engines drive one implementation.
 *
 * @example
 * const sink = new TimerPacedSink({ bufferMs: 200 });
 * await sink.captureFrame(frame); sink.flush();
 * const { playbackPosition } = await sink.waitForPlayout();
 */
export class TimerPacedSink implements AudioOutput {
  readonly bufferMs: number;
  private seg: Segment | null = null;

  constructor(o: { bufferMs?: number } = {}) {
    this.bufferMs = o.bufferMs ?? 200;
  }

  async captureFrame(frame: AudioFrame): Promise<void> {
    while (this.seg?.flushed) await this.seg.result; // one segment at a time, like the device queue
    const now = performance.now();
    const seg = (this.seg ??= openSegment(now));
    const ms = (frame.samplesPerChannel / frame.sampleRate) * 1000;
    seg.capturedMs += ms;
    seg.endAt = Math.max(seg.endAt, now) + ms; // an underrun leaves a gap, then plays on
    const ahead = seg.endAt - now - this.bufferMs;
    if (ahead <= 0) return;
    await new Promise<void>((resolve) => {
      const release = () => {
        clearTimeout(timer);
        seg.releases.delete(release);
        resolve();
      };
      const timer = setTimeout(release, ahead);
      seg.releases.add(release);
    });
  }

  flush(): void {
    const seg = this.seg;
    if (!seg || seg.flushed) return;
    seg.flushed = true;
    seg.endTimer = setTimeout(() => this.end(seg, { playbackPosition: seg.capturedMs / 1000, interrupted: false }), Math.max(0, seg.endAt - performance.now()));
  }

  clearBuffer(): void {
    const seg = this.seg;
    if (!seg) return;
    const queuedMs = Math.max(0, seg.endAt - performance.now());
    this.end(seg, { playbackPosition: Math.max(0, seg.capturedMs - queuedMs) / 1000, interrupted: true });
  }

  waitForPlayout(): Promise<PlayoutResult> {
    return this.seg?.result ?? Promise.resolve({ playbackPosition: 0, interrupted: false });
  }

  private end(seg: Segment, r: PlayoutResult): void {
    if (seg.ended) return;
    seg.ended = true;
    if (this.seg === seg) this.seg = null;
    if (seg.endTimer) clearTimeout(seg.endTimer);
    for (const release of [...seg.releases]) release();
    seg.resolve(r);
  }
}

interface Segment {
  capturedMs: number;
  /** Wall time (performance.now) at which everything captured so far has played. */
  endAt: number;
  flushed: boolean;
  ended: boolean;
  endTimer: ReturnType<typeof setTimeout> | null;
  releases: Set<() => void>;
  result: Promise<PlayoutResult>;
  resolve: (r: PlayoutResult) => void;
}

function openSegment(now: number): Segment {
  let resolve!: (r: PlayoutResult) => void;
  const result = new Promise<PlayoutResult>((r) => (resolve = r));
  return { capturedMs: 0, endAt: now, flushed: false, ended: false, endTimer: null, releases: new Set(), result, resolve };
}
