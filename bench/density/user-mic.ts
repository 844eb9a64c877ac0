import type { AudioFrame } from '@livekit/rtc-node';

/**
 * One session's microphone in the density bench, as the engines and the figures see it. Two kinds:
 * `TrackMic` (bench/density/track-mic.ts: AudioSource → LocalAudioTrack → AudioStream, the full
 * rtc-node path of a participant's track) and `FrameMic` (bench/density/frame-mic.ts: rtc-node
 * AudioFrames made in process on a shared real-time ticker, as a track would deliver them).
 */
export interface UserMic {
  /** What the engine reads (mono, 48 kHz). */
  readonly frames: ReadableStream<AudioFrame>;
  /** Frames of user audio put on the microphone so far. */
  readonly framesFed: number;
  /** Of those, frames that went on late because the process did not keep up (see each kind). */
  readonly lateFrames: number;
  /** Frames the engine read so far. */
  readonly framesIn: number;
  /** Length of one frame the engine reads (ms). */
  readonly frameInMs: number;
  /** Wall time (performance.now()) at which each of the user's sentences ended. */
  readonly speechEnds: readonly number[];
  start(): void;
  close(): Promise<void>;
}
