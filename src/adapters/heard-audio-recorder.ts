import { writeFile } from 'node:fs/promises';
import type { AudioFrame } from '../ports/audio-frame.js';
import type { AudioOutput, PlayoutResult } from '../ports/audio-output.js';
import { realClock, type Clock } from '../ports/clock.js';
import { SpeechchartsError } from '../errors.js';
import { encodeWav } from './wav.js';

/** A frame's rate or channel count differs from the frames recorded before it. */
export class RecordingFormatError extends SpeechchartsError {}

export interface RecordingAudioOutputOptions {
  /** Places segments in time (the silence between them). Default: the wall clock. */
  clock?: Clock;
  /** Format of the WAV when nothing was recorded. Defaults 24000 Hz, 1 channel. */
  emptySampleRate?: number;
  emptyChannels?: number;
}

interface RecordedSegment {
  /** Clock time (ms) at which the segment's first frame went to the output. */
  startMs: number;
  frames: Int16Array[];
  /** Samples per channel captured. */
  captured: number;
  flushed: boolean;
  /** Samples per channel heard, once the inner output reported the segment's end. */
  heard: number | undefined;
  done: Promise<PlayoutResult>;
}

/**
 * Wraps any {@link AudioOutput} and records what the listener HEARD: each segment's frames are
 * kept and, when the segment ends, cut to the `playbackPosition` the inner output reports (so an
 * interrupted sentence is cut where playback stopped). Segments are placed at the clock time they
 * started playing, with silence in between. The recording starts with the first segment.
 *
 * Like RtcAudioOutput, a new segment starts only once the previous one has ended, so each
 * segment's start time is when it really began to play.
 *
 * @example
 * const out = new RecordingAudioOutput(new RtcAudioOutput());
 * // ... the session speaks through `out` ...
 * await out.writeFile('heard.wav');
 */
export class RecordingAudioOutput implements AudioOutput {
  readonly inner: AudioOutput;
  readonly #clock: Clock;
  readonly #emptyFormat: { sampleRate: number; channels: number };
  #format: { sampleRate: number; channels: number } | undefined;
  readonly #segments: RecordedSegment[] = [];
  #current: RecordedSegment | undefined;
  /** Bumped by clearBuffer(), so frames that were waiting to start a segment are dropped. */
  #epoch = 0;

  constructor(inner: AudioOutput, o: RecordingAudioOutputOptions = {}) {
    this.inner = inner;
    this.#clock = o.clock ?? realClock;
    this.#emptyFormat = { sampleRate: o.emptySampleRate ?? 24000, channels: o.emptyChannels ?? 1 };
  }

  /**
   * Records the frame and passes it on.
   * @example await out.captureFrame(frame);
   */
  async captureFrame(frame: AudioFrame): Promise<void> {
    const format = (this.#format ??= { sampleRate: frame.sampleRate, channels: frame.channels });
    if (frame.sampleRate !== format.sampleRate || frame.channels !== format.channels) {
      throw new RecordingFormatError(`RecordingAudioOutput: frame is ${frame.channels} ch at ${frame.sampleRate} Hz; the recording is ${format.channels} ch at ${format.sampleRate} Hz`);
    }
    const epoch = this.#epoch;
    while (this.#current?.flushed) {
      await this.#current.done;
      if (this.#epoch !== epoch) return;
    }
    let seg = this.#current;
    const opening = !seg;
    if (!seg) {
      seg = { startMs: this.#clock.now(), frames: [], captured: 0, flushed: false, heard: undefined, done: Promise.resolve({ playbackPosition: 0, interrupted: false }) };
      this.#current = seg;
      this.#segments.push(seg);
    }
    // Copied: producers may reuse their buffers.
    seg.frames.push(frame.data.slice(0, frame.samplesPerChannel * frame.channels));
    seg.captured += frame.samplesPerChannel;
    const captured = this.inner.captureFrame(frame);
    if (opening) {
      // The inner output opened its segment in the call above: ask it now how that segment ends.
      const s = seg;
      s.done = this.inner.waitForPlayout().then((r) => this.#ended(s, r));
    }
    await captured;
  }

  /**
   * Ends the segment; the recording keeps what the inner output reports as played.
   * @example out.flush();
   */
  flush(): void {
    if (this.#current) this.#current.flushed = true;
    this.inner.flush();
  }

  /**
   * Cuts the segment; the recording drops what the inner output says was not played.
   * @example out.clearBuffer();
   */
  clearBuffer(): void {
    this.#epoch++;
    this.#current = undefined;
    this.inner.clearBuffer();
  }

  /**
   * The inner output's result for the current segment, once the recording holds it.
   * @example const { playbackPosition } = await out.waitForPlayout();
   */
  waitForPlayout(): Promise<PlayoutResult> {
    return this.#current?.done ?? Promise.resolve({ playbackPosition: 0, interrupted: false });
  }

  /**
   * Seconds of the recording: heard audio plus the silences between segments (an open segment
   * counts what has played so far by the clock).
   * @example expect(out.duration).toBeCloseTo(1.2, 1);
   */
  get duration(): number {
    const { sampleRate } = this.#format ?? this.#emptyFormat;
    return this.#layout().total / sampleRate;
  }

  /**
   * The heard audio as interleaved samples.
   * @example const { samples, sampleRate } = out.heardAudio();
   */
  heardAudio(): { samples: Int16Array; sampleRate: number; channels: number } {
    const { sampleRate, channels } = this.#format ?? this.#emptyFormat;
    const { total, placed } = this.#layout();
    const samples = new Int16Array(total * channels);
    for (const { seg, at, heard } of placed) {
      let left = heard * channels;
      let pos = at * channels;
      for (const f of seg.frames) {
        if (left <= 0) break;
        const part = f.length <= left ? f : f.subarray(0, left);
        samples.set(part, pos);
        pos += part.length;
        left -= part.length;
      }
    }
    return { samples, sampleRate, channels };
  }

  /**
   * The heard audio as a WAV file.
   * @example fs.writeFileSync('heard.wav', out.toWav());
   */
  toWav(): Buffer {
    const { samples, sampleRate, channels } = this.heardAudio();
    return encodeWav(samples, sampleRate, channels);
  }

  /**
   * Writes the heard audio as a WAV file.
   * @example await out.writeFile('test-artifacts/heard.wav');
   */
  async writeFile(path: string): Promise<void> {
    await writeFile(path, this.toWav());
  }

  #ended(seg: RecordedSegment, r: PlayoutResult): PlayoutResult {
    const { sampleRate } = this.#format!;
    seg.heard = Math.max(0, Math.min(seg.captured, Math.round(r.playbackPosition * sampleRate)));
    if (this.#current === seg) this.#current = undefined;
    return r;
  }

  /** Where each segment sits in the recording, in samples per channel. */
  #layout(): { total: number; placed: { seg: RecordedSegment; at: number; heard: number }[] } {
    const first = this.#segments[0];
    if (!first) return { total: 0, placed: [] };
    const { sampleRate } = this.#format!;
    const now = this.#clock.now();
    const placed: { seg: RecordedSegment; at: number; heard: number }[] = [];
    let cursor = 0;
    for (const seg of this.#segments) {
      // Placed by clock time, but never over the previous segment (clock jitter, or an output
      // that plays faster than real time).
      const at = Math.max(cursor, Math.round(((seg.startMs - first.startMs) / 1000) * sampleRate));
      const heard = seg.heard ?? Math.min(seg.captured, Math.max(0, Math.round(((now - seg.startMs) / 1000) * sampleRate)));
      placed.push({ seg, at, heard });
      cursor = at + heard;
    }
    return { total: cursor, placed };
  }
}
