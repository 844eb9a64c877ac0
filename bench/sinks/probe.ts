import type { AudioFrame, AudioOutput, PlayoutResult } from '../../src/index.js';

/**
 * A measuring tap in front of any `AudioOutput`: records (wall clock, `performance.now()`) when each
 * segment's first frame reached the device and when the device was cleared. Both engines' sinks sit
 * behind one of these, so "audio cut" and "next reply audible" are measured at the same place.
 */
export class ProbedOutput implements AudioOutput {
  /** When the first frame of each segment was handed to the device. */
  readonly segmentStarts: number[] = [];
  /** When `clearBuffer()` was called. */
  readonly clears: number[] = [];
  onSegmentStart: ((t: number) => void) | undefined;
  onClear: ((t: number) => void) | undefined;
  private open = false;
  private awaitingStart = false;

  /**
   * `startsAtDevice`: a segment starts when the device reports its first frame issued
   * (`deviceFrameIssued`), not when the engine hands it over (rtc-node: the native capture).
   */
  constructor(
    readonly inner: AudioOutput,
    private readonly o: { startsAtDevice?: boolean } = {},
  ) {}

  captureFrame(frame: AudioFrame): Promise<void> {
    if (!this.open) {
      this.open = true;
      if (this.o.startsAtDevice) this.awaitingStart = true;
      else this.markStart(performance.now());
    }
    return this.inner.captureFrame(frame);
  }

  /** The device handed a frame to the hardware (see `startsAtDevice`). */
  deviceFrameIssued(t: number): void {
    if (!this.awaitingStart) return;
    this.awaitingStart = false;
    this.markStart(t);
  }

  flush(): void {
    this.open = false;
    this.inner.flush();
  }

  clearBuffer(): void {
    const t = performance.now();
    this.clears.push(t);
    this.onClear?.(t);
    this.open = false;
    this.awaitingStart = false;
    this.inner.clearBuffer();
  }

  private markStart(t: number): void {
    this.segmentStarts.push(t);
    this.onSegmentStart?.(t);
  }

  waitForPlayout(): Promise<PlayoutResult> {
    return this.inner.waitForPlayout();
  }
}
