import type { AudioFrame } from './audio-frame.js';

/** What the listener heard of one segment, reported when the segment ends. */
export interface PlayoutResult {
  /** Seconds of the segment that actually played. */
  playbackPosition: number;
  /** True when `clearBuffer()` cut the segment short. */
  interrupted: boolean;
}

/**
 * Where agent audio goes. Audio is played in segments: a segment starts at its first
 * captured frame and ends at `flush()` (all of it played) or `clearBuffer()` (cut short).
 *
 * @example
 * await out.captureFrame(frame); out.flush();
 * const { playbackPosition } = await out.waitForPlayout();
 */
export interface AudioOutput {
  /** Queue a frame; may wait for room in the device buffer. Resolves (never hangs) after `clearBuffer()`. */
  captureFrame(frame: AudioFrame): Promise<void>;
  /** The current segment has no more frames. */
  flush(): void;
  /** Stop now and drop what is buffered; the current segment ends, interrupted. */
  clearBuffer(): void;
  /**
   * Optional: hold playback (a possible barge-in), including frames captured meanwhile; `resume()`
   * plays on from the same position. `clearBuffer()` also ends a pause.
   */
  pause?(): void;
  resume?(): void;
  /** Resolves when the current segment has ended (played out, or cleared). With no open segment, resolves at once with position 0. */
  waitForPlayout(): Promise<PlayoutResult>;
}
