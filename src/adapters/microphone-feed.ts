import type { AudioFrame } from '../ports/audio-frame.js';
import type { Clock } from '../ports/clock.js';
import { SpeechchartsError } from '../errors.js';

/** The reader of a {@link FrameStream}. */
export interface FrameReader {
  read(): Promise<{ done: boolean; value?: AudioFrame | undefined }>;
  /** Ends the stream; a pending `read()` resolves done. */
  cancel(reason?: unknown): Promise<void>;
}

/** A stream of frames read with a reader, so a pending read can be cancelled: rtc-node's `AudioStream` (a web `ReadableStream`) is one. */
export interface FrameStream {
  getReader(): FrameReader;
}

/** `attach()` on a closed {@link MicrophoneFeed}. */
export class MicrophoneFeedClosedError extends SpeechchartsError {}

export interface MicrophoneFeedOptions {
  clock: Clock;
  /**
   * At most this much silence stands in for a gap between streams (default 10 s). Past it, audio
   * time lags the clock by the rest: later speech boundaries are then delivered as soon as found.
   */
  maxGapFillMs?: number;
  /**
   * A read that waits longer than this (ms) for the next frame means the stream was silent meanwhile
   * (a muted or stalled track): the wait is filled in with silence. Default 500: more than a live
   * stream's jitter. Frames queued while the reader was busy are not a stall.
   */
  maxStallMs?: number;
  /** Errors of a stream's `cancel()`. Default console.error. */
  onError?: (e: unknown) => void;
}

/**
 * One microphone as a single stream of frames across the tracks that carry it: the participant's
 * track is attached, detached when it goes away (unpublished, unsubscribed), and the next one
 * attached later; the frames go on as if from one device until `close()`.
 *
 * The voice input times the audio by its sample count, so a gap between streams (or before the
 * first), or a stream delivering nothing for a while (`maxStallMs`), is filled with silence up to
 * the clock time audio resumes at. That silence also lets the VAD end a speech the track was cut in
 * the middle of.
 *
 * @example
 * const mic = new MicrophoneFeed({ clock: realClock });
 * attachVoiceInput(session, { clock: realClock, source: mic });
 * room.on('trackSubscribed', (track) => mic.attach(new AudioStream(track, { sampleRate: 16000, numChannels: 1 })));
 * room.on('trackUnsubscribed', () => mic.detach());
 */
export class MicrophoneFeed implements AsyncIterable<AudioFrame> {
  readonly #clock: Clock;
  readonly #maxGapFillMs: number;
  readonly #maxStallMs: number;
  readonly #onError: (e: unknown) => void;
  #current: FrameReader | undefined;
  /** Attached, not yet picked up by the reading loop. */
  #next: FrameStream | undefined;
  #wake: (() => void) | undefined;
  #closed = false;
  #iterating = false;

  constructor(o: MicrophoneFeedOptions) {
    this.#clock = o.clock;
    this.#maxGapFillMs = o.maxGapFillMs ?? 10_000;
    this.#maxStallMs = o.maxStallMs ?? 500;
    this.#onError = o.onError ?? ((e: unknown) => console.error('[speechcharts] microphone feed:', e));
  }

  /** True while a stream is attached and being read. */
  get attached(): boolean {
    return this.#current !== undefined || this.#next !== undefined;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Reads from `stream` from now on; the stream attached before is cancelled.
   * @example mic.attach(new AudioStream(track, { sampleRate: 16000, numChannels: 1 }));
   */
  attach(stream: FrameStream): void {
    if (this.#closed) throw new MicrophoneFeedClosedError('MicrophoneFeed.attach: the feed is closed');
    this.#cancelCurrent();
    this.#next = stream;
    this.#wake?.();
  }

  /**
   * Stops reading the attached stream (it is cancelled); the feed waits for the next one.
   * @example room.on('trackUnsubscribed', () => mic.detach());
   */
  detach(): void {
    this.#cancelCurrent();
    this.#next = undefined;
  }

  /**
   * Ends the feed: the attached stream is cancelled and the iteration ends.
   * @example mic.close();
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.detach();
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AudioFrame> {
    if (this.#iterating) throw new MicrophoneFeedClosedError('MicrophoneFeed: it can be read once only');
    this.#iterating = true;
    const startedAt = this.#clock.now();
    let emittedMs = 0;
    let rate = 16000;
    let channels = 1;
    while (!this.#closed) {
      if (!this.#next) {
        await new Promise<void>((r) => (this.#wake = r));
        this.#wake = undefined;
        continue;
      }
      const reader = this.#next.getReader();
      this.#next = undefined;
      this.#current = reader;
      // Silence up to now: the time no stream was attached.
      const gapMs = Math.min(this.#maxGapFillMs, this.#clock.now() - startedAt - emittedMs);
      for (const f of silence(gapMs, rate, channels)) {
        emittedMs += (f.samplesPerChannel * 1000) / rate;
        yield f;
      }
      try {
        for (;;) {
          const askedAt = this.#clock.now();
          const { done, value } = await reader.read();
          if (done || !value) break;
          rate = value.sampleRate;
          channels = value.channels;
          const frameMs = (value.samplesPerChannel * 1000) / rate;
          // A stream that went quiet (no frame at all for a while) and came back: that time, as silence.
          // Only a read that waited counts: frames queued while the reader was busy (the VAD) are a
          // backlog, already timed by their samples.
          const waitedMs = this.#clock.now() - askedAt;
          const behindMs = this.#clock.now() - startedAt - emittedMs - frameMs;
          if (waitedMs > this.#maxStallMs && behindMs > 0) {
            for (const f of silence(Math.min(this.#maxGapFillMs, behindMs, waitedMs), rate, channels)) {
              emittedMs += (f.samplesPerChannel * 1000) / rate;
              yield f;
            }
          }
          emittedMs += frameMs;
          yield value;
        }
      } finally {
        if (this.#current === reader) this.#current = undefined;
      }
    }
  }

  #cancelCurrent(): void {
    const reader = this.#current;
    this.#current = undefined;
    reader?.cancel().catch(this.#onError);
  }
}

/** Silence of about `ms`, in frames of at most 100 ms. */
function* silence(ms: number, sampleRate: number, channels: number): Iterable<AudioFrame> {
  let left = Math.floor((ms * sampleRate) / 1000);
  const per = sampleRate / 10;
  while (left > 0) {
    const n = Math.min(per, left);
    left -= n;
    yield { data: new Int16Array(n * channels), sampleRate, channels, samplesPerChannel: n };
  }
}
