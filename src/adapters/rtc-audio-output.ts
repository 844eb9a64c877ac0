import { AudioFrame as RtcAudioFrame, AudioSource, dispose } from '@livekit/rtc-node';
import { createAudioFrame, type AudioFrame } from '../ports/audio-frame.js';
import type { AudioOutput, PlayoutResult } from '../ports/audio-output.js';
import { InvalidArgumentError, SpeechchartsError } from '../errors.js';

/** `captureFrame` on an RtcAudioOutput after `close()`. */
export class AudioOutputClosedError extends SpeechchartsError {}

export interface RtcAudioOutputOptions {
  /** Default 24000. Frames must have this rate. */
  sampleRate?: number;
  /** Default 1. Frames must have this many channels. */
  channels?: number;
  /**
   * Audio the native source buffers ahead of playback, in ms. It bounds how far captureFrame runs
   * ahead of real time, and so how much `clearBuffer()` drops. Default 200.
   */
  queueSizeMs?: number;
  /** Tap on every captured frame, with its start offset in seconds within the current segment. */
  onFrame?: (frame: AudioFrame, atSeconds: number) => void;
}

/** A pause in progress (`resuming` once resume() re-feeds what the pause took back). */
interface Hold {
  released: Promise<void>;
  release: () => void;
  resuming: boolean;
}

interface Segment {
  /** Seconds handed to the source in this segment. */
  captured: number;
  flushed: boolean;
  ended: boolean;
  result: Promise<PlayoutResult>;
  resolve: (r: PlayoutResult) => void;
  /** Resolves when clearBuffer() ends the segment, releasing captureFrame calls still in flight. */
  cleared: Promise<'cleared'>;
  clear: () => void;
  /** The last pieces handed to the source (about a queue's worth): what a pause takes back. */
  recent: AudioFrame[];
  /** Bumped each time the segment's end is awaited again (a pause voids the pending wait). */
  endWait: number;
}

/**
 * An {@link AudioOutput} over rtc-node's `AudioSource`, which paces capture in real time (its
 * `captureFrame` waits while the queue is full). Publish `source` on a room to be heard.
 *
 * A new segment starts only after the previous one has played out, so the source's queue only
 * ever holds one segment and its playout and queue length describe that segment alone.
 *
 * rtc-node keeps the process alive once a source exists: call `close()` and then `disposeRtc()`.
 *
 * @example
 * const out = new RtcAudioOutput({ sampleRate: 24000 });
 * for (const f of frames) await out.captureFrame(f);
 * out.flush();
 * const { playbackPosition } = await out.waitForPlayout();
 * await out.close(); await disposeRtc();
 */
export class RtcAudioOutput implements AudioOutput {
  readonly source: AudioSource;
  readonly sampleRate: number;
  readonly channels: number;
  onFrame: ((frame: AudioFrame, atSeconds: number) => void) | undefined;
  #segment: Segment | undefined;
  /** Bumped by clearBuffer(), so frames that were waiting to start a segment are dropped. */
  #epoch = 0;
  #closed = false;
  readonly #queueSizeMs: number;
  /** Set while paused or while resume() re-feeds what the pause took back; captures wait on it. */
  #hold: Hold | undefined;
  /** Audio taken back from the source's queue by pause(), played first on resume(). */
  #held: AudioFrame[] = [];

  constructor(o: RtcAudioOutputOptions = {}) {
    this.sampleRate = o.sampleRate ?? 24000;
    this.channels = o.channels ?? 1;
    const queueSizeMs = o.queueSizeMs ?? 200;
    if (!Number.isInteger(this.sampleRate) || this.sampleRate <= 0) throw new InvalidArgumentError(`RtcAudioOutput: sampleRate must be a positive integer, got ${this.sampleRate}`);
    if (!Number.isInteger(this.channels) || this.channels <= 0) throw new InvalidArgumentError(`RtcAudioOutput: channels must be a positive integer, got ${this.channels}`);
    if (!(queueSizeMs > 0)) throw new InvalidArgumentError(`RtcAudioOutput: queueSizeMs must be positive, got ${queueSizeMs}`);
    this.onFrame = o.onFrame;
    this.#queueSizeMs = queueSizeMs;
    this.source = new AudioSource(this.sampleRate, this.channels, queueSizeMs);
  }

  /**
   * Queues a frame, waiting while the source's queue is full. Resolves at once when
   * `clearBuffer()` is called meanwhile (the frame is then dropped).
   * @example await out.captureFrame(frame);
   */
  async captureFrame(frame: AudioFrame): Promise<void> {
    if (this.#closed) throw new AudioOutputClosedError('RtcAudioOutput is closed');
    if (frame.sampleRate !== this.sampleRate || frame.channels !== this.channels) {
      throw new InvalidArgumentError(`RtcAudioOutput: frame is ${frame.channels} ch at ${frame.sampleRate} Hz; this output takes ${this.channels} ch at ${this.sampleRate} Hz`);
    }
    const epoch = this.#epoch;
    let seg = this.#segment;
    while (seg?.flushed) {
      await seg.result;
      if (this.#epoch !== epoch || this.#closed) return;
      seg = this.#segment;
    }
    if (!seg) seg = this.#segment = openSegment();
    // Long frames go in pieces: the native source keeps pushing a frame it has started even after
    // clearQueue(), so a cleared 2 s frame would go on playing. A piece is at most 20 ms.
    const step = Math.max(1, Math.round(this.sampleRate * 0.02));
    for (let off = 0; off < frame.samplesPerChannel; off += step) {
      // Paused: nothing more goes to the source until resume() (or a clear, which ends the segment).
      while (this.#hold && !seg.ended) await Promise.race([this.#hold.released, seg.cleared]);
      if (seg.ended) return;
      const n = Math.min(step, frame.samplesPerChannel - off);
      const piece = n === frame.samplesPerChannel ? frame : createAudioFrame(frame.data.subarray(off * this.channels, (off + n) * this.channels), this.sampleRate, this.channels);
      const at = seg.captured;
      seg.captured += n / this.sampleRate;
      this.onFrame?.(piece, at);
      this.#remember(seg, piece);
      const settled = this.#nativeCapture(piece).then(
        () => ({ ok: true as const }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      const r = await Promise.race([settled, seg.cleared]);
      if (r === 'cleared') return;
      // After a clear, a failed capture of a dropped frame does not matter.
      if (!r.ok && !seg.ended) throw r.error;
    }
  }

  /**
   * Ends the current segment; `waitForPlayout()` resolves once its audio has played.
   * @example out.flush();
   */
  flush(): void {
    const seg = this.#segment;
    if (!seg || seg.flushed || seg.ended) return;
    seg.flushed = true;
    // While paused the source's queue is empty: resume() waits for the end once it has re-fed.
    if (!this.#hold) this.#awaitEnd(seg);
  }

  /**
   * Holds playback where it is: what the source still had queued is taken back (to play first on
   * resume) and nothing more is handed to it; captureFrame calls wait. `clearBuffer()` ends a pause.
   * A piece the source was still waiting to accept (at most 20 ms) may play now and again on resume.
   * @example out.pause(); // ... out.resume();
   */
  pause(): void {
    if (this.#closed || (this.#hold && !this.#hold.resuming)) return;
    if (this.#hold) this.#hold.resuming = false; // paused again while resume() was re-feeding: it stops there
    else {
      let release!: () => void;
      this.#hold = { released: new Promise<void>((r) => (release = r)), release, resuming: false };
    }
    const seg = this.#segment;
    if (!seg || seg.ended) return;
    seg.endWait++; // the queue is about to empty: that is not the segment's end
    const queuedSamples = Math.round((this.source.queuedDuration / 1000) * this.sampleRate);
    this.source.clearQueue();
    // Take back the tail of what was handed over, up to what the source had not played yet.
    const back: AudioFrame[] = [];
    let left = queuedSamples;
    while (left > 0 && seg.recent.length) {
      const f = seg.recent.pop()!;
      const n = Math.min(left, f.samplesPerChannel);
      back.unshift(n === f.samplesPerChannel ? f : createAudioFrame(f.data.subarray((f.samplesPerChannel - n) * this.channels), this.sampleRate, this.channels));
      left -= n;
    }
    seg.recent = [];
    seg.captured -= (queuedSamples - left) / this.sampleRate;
    // A pause during a resume's re-feed: what it had not re-fed yet comes after what this one took back.
    this.#held = [...back, ...this.#held];
  }

  /**
   * Plays on from where `pause()` held: what it took back first, then the waiting captures.
   * @example out.resume();
   */
  resume(): void {
    const hold = this.#hold;
    if (!hold || hold.resuming) return;
    hold.resuming = true;
    void this.#refeed(hold);
  }

  /** True between `pause()` and the end of `resume()` (or a `clearBuffer()`). */
  get paused(): boolean {
    return this.#hold !== undefined && !this.#hold.resuming;
  }

  // rtc-node rejects a capture while another is in flight ("InvalidState"), and a cleared capture
  // settles a few ms after clearQueue(): every native capture waits for the previous one to settle.
  #nativeTail: Promise<unknown> = Promise.resolve();
  #nativeCapture(piece: AudioFrame): Promise<void> {
    const p = this.#nativeTail.then(() => this.source.captureFrame(toRtcFrame(piece)));
    this.#nativeTail = p.catch(() => {});
    return p;
  }

  /**
   * Stops playback now: drops the queue and ends the segment, interrupted, at what was played.
   * @example out.clearBuffer(); // waiters get { interrupted: true, playbackPosition }
   */
  clearBuffer(): void {
    this.#epoch++;
    // A clear ends a pause: what the pause took back is dropped, never heard.
    this.#held = [];
    const hold = this.#hold;
    this.#hold = undefined;
    hold?.release();
    const seg = this.#segment;
    // queuedDuration is in ms: audio handed to the source but not yet played.
    const queued = this.#closed ? 0 : this.source.queuedDuration / 1000;
    if (!this.#closed) this.source.clearQueue();
    if (seg) this.#end(seg, { playbackPosition: Math.min(seg.captured, Math.max(0, seg.captured - queued)), interrupted: true });
  }

  /**
   * Resolves when the current segment has played out or been cleared; `{0, false}` at once without one.
   * @example const { playbackPosition, interrupted } = await out.waitForPlayout();
   */
  waitForPlayout(): Promise<PlayoutResult> {
    return this.#segment?.result ?? Promise.resolve({ playbackPosition: 0, interrupted: false });
  }

  /**
   * Stops playback (an open segment ends interrupted) and closes the source. The process still
   * needs rtc-node's `dispose()` (see {@link disposeRtc}) to exit.
   * @example await out.close(); await disposeRtc();
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.clearBuffer();
    this.#closed = true;
    await this.source.close();
  }

  async #refeed(hold: Hold): Promise<void> {
    const seg = this.#segment;
    while (seg && !seg.ended && this.#hold === hold && hold.resuming && this.#held.length) {
      const piece = this.#held.shift()!;
      seg.captured += piece.samplesPerChannel / this.sampleRate;
      this.#remember(seg, piece);
      const r = await Promise.race([this.#nativeCapture(piece).then(() => 'ok' as const, () => 'failed' as const), seg.cleared]);
      if (r !== 'ok') break;
    }
    if (this.#hold !== hold) return; // cleared meanwhile
    if (!hold.resuming) return; // paused again: the new pause owns the rest
    this.#hold = undefined;
    hold.release();
    if (seg && seg.flushed && !seg.ended) this.#awaitEnd(seg);
  }

  /** Ends the segment as played once the source's queue drains, unless a pause comes first. */
  #awaitEnd(seg: Segment): void {
    const wait = ++seg.endWait;
    const done = () => {
      if (seg.endWait === wait && !this.#hold) this.#end(seg, { playbackPosition: seg.captured, interrupted: false });
    };
    this.source.waitForPlayout().then(done, done);
  }

  /** Keeps about a queue's worth of the latest pieces (plus a margin), oldest dropped first. */
  #remember(seg: Segment, piece: AudioFrame): void {
    seg.recent.push(piece);
    const keep = ((this.#queueSizeMs + 100) / 1000) * this.sampleRate;
    let total = 0;
    for (const f of seg.recent) total += f.samplesPerChannel;
    while (seg.recent.length > 1 && total - seg.recent[0]!.samplesPerChannel >= keep) total -= seg.recent.shift()!.samplesPerChannel;
  }

  #end(seg: Segment, result: PlayoutResult): void {
    if (seg.ended) return;
    seg.ended = true;
    if (this.#segment === seg) this.#segment = undefined;
    seg.clear();
    seg.resolve(result);
  }
}

/**
 * rtc-node reads a frame from the start of `data.buffer`, ignoring the view's offset and length,
 * so anything but a compact array is copied first.
 */
function toRtcFrame(frame: AudioFrame): RtcAudioFrame {
  const compact = frame.data.byteOffset === 0 && frame.data.byteLength === frame.data.buffer.byteLength;
  if (compact && frame instanceof RtcAudioFrame) return frame;
  return new RtcAudioFrame(compact ? frame.data : frame.data.slice(), frame.sampleRate, frame.channels, frame.samplesPerChannel);
}

function openSegment(): Segment {
  let resolve!: (r: PlayoutResult) => void;
  let clear!: () => void;
  const result = new Promise<PlayoutResult>((r) => (resolve = r));
  const cleared = new Promise<'cleared'>((r) => (clear = () => r('cleared')));
  return { captured: 0, flushed: false, ended: false, result, resolve, cleared, clear, recent: [], endWait: 0 };
}

let disposing: Promise<void> | undefined;

/**
 * Releases rtc-node's native runtime (once; later calls share the first). Without it a process
 * that used an AudioSource, a resampler or a Room does not exit.
 * @example afterAll(() => disposeRtc());
 */
export function disposeRtc(): Promise<void> {
  return (disposing ??= dispose());
}
