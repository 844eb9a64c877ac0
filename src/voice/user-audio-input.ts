import { readFile } from 'node:fs/promises';
import { AudioFrame as RtcAudioFrame, AudioResampler } from '@livekit/rtc-node';
import type { AudioFrame } from '../ports/audio-frame.js';
import type { Clock } from '../ports/clock.js';
import { InvalidArgumentError } from '../errors.js';
import { decodeWav } from '../adapters/wav.js';
import { VAD_SAMPLE_RATE, type VAD, type VADEvent } from './vad.js';

/** A speech boundary in clock time, delivered when a live VAD would know it. */
export interface UserSpeechEvent {
  type: 'speechStart' | 'speechEnd';
  /** Clock time (ms) the speech started (or stopped). */
  atMs: number;
  /** Clock time (ms) it was detected: when this event is delivered. */
  detectedAtMs: number;
}

export interface UserAudioInputOptions {
  clock: Clock;
  vad: VAD;
  /** Each speech boundary, on the clock. */
  onSpeech?: (ev: UserSpeechEvent) => void;
  /** The 16 kHz mono audio, with the clock time of its first sample (for an STT that listens). */
  onAudio?: (samples: Int16Array, atMs: number) => void;
  /** Errors of the source, the resampler or the VAD; the input then stops. Default: console.error. */
  onError?: (e: unknown) => void;
}

/**
 * Reads a WAV file as 20 ms frames.
 * @example const input = new UserAudioInput(wavFrames('user.wav'), { clock, vad });
 */
export async function* wavFrames(path: string, frameMs = 20): AsyncIterable<AudioFrame> {
  const { samples, sampleRate, channels } = decodeWav(await readFile(path));
  yield* pcmFrames(samples, sampleRate, channels, frameMs);
}

/**
 * Cuts interleaved PCM into frames.
 * @example for (const f of pcmFrames(samples, 22050, 1)) ...
 */
export function* pcmFrames(samples: Int16Array, sampleRate: number, channels = 1, frameMs = 20): Iterable<AudioFrame> {
  const per = Math.max(1, Math.round((sampleRate * frameMs) / 1000)) * channels;
  for (let at = 0; at < samples.length; at += per) {
    const data = samples.slice(at, Math.min(samples.length, at + per));
    yield { data, sampleRate, channels, samplesPerChannel: data.length / channels };
  }
}

/**
 * The user's microphone: frames from an async iterable (an rtc-node `AudioStream` in room mode, or
 * {@link wavFrames} for a file), down-mixed to mono, resampled to 16 kHz with rtc-node's
 * `AudioResampler`, and run through a {@link VAD}.
 *
 * Audio time maps to clock time from `start()`: the n-th sample is at `t0 + n / 16 kHz`. Each speech
 * boundary is delivered on the clock at its detection time, or at once when that has passed. A live
 * stream arrives in real time, so it is delivered as detected; a file is read ahead of the clock and
 * its boundaries still arrive when a live VAD would report them, on a virtual clock as on a real one.
 *
 * Once the resampler has run, rtc-node keeps the process alive until its `dispose()` (`disposeRtc()`).
 *
 * @example
 * const input = new UserAudioInput(new AudioStream(track), { clock: realClock, vad: new SileroVAD(), onSpeech: (e) => console.log(e) });
 * await input.start(); // resolves when the stream has ended and every boundary was delivered
 */
export class UserAudioInput {
  private readonly timers = new Set<unknown>();
  private closed = false;
  private started: Promise<void> | undefined;
  private t0 = 0;
  /** Boundaries waiting for their delivery time, so `start()` resolves after the last one. */
  private pending = 0;
  private drained: (() => void) | undefined;
  private analysisDone!: () => void;
  /**
   * Resolves once the whole source went through the VAD (boundaries may still wait for their time).
   * With a file on a virtual clock, await this before advancing time: the model runs on real threads.
   */
  readonly analyzed: Promise<void> = new Promise<void>((r) => (this.analysisDone = r));

  constructor(
    private readonly source: AsyncIterable<AudioFrame>,
    private readonly o: UserAudioInputOptions,
  ) {
    if (!source || typeof (source as AsyncIterable<AudioFrame>)[Symbol.asyncIterator] !== 'function')
      throw new InvalidArgumentError('UserAudioInput: source must be an AsyncIterable of audio frames (e.g. an rtc-node AudioStream)');
    if (!o || !o.clock || !o.vad) throw new InvalidArgumentError('UserAudioInput: options.clock and options.vad are required');
  }

  /** Clock time (ms) of the first sample; valid once started. */
  get startedAt(): number {
    return this.t0;
  }

  /**
   * Starts reading. Resolves when the source has ended (or `close()` was called) and every speech
   * boundary found was delivered; never rejects (errors go to `onError`).
   * @example await input.start();
   */
  start(): Promise<void> {
    this.started ??= this.run();
    return this.started;
  }

  /**
   * Stops reading and cancels boundaries not yet delivered.
   * @example input.close();
   */
  close(): void {
    this.closed = true;
    for (const t of this.timers) this.o.clock.clearTimeout(t);
    this.timers.clear();
    this.pending = 0;
    this.drained?.();
  }

  private async run(): Promise<void> {
    const { clock, vad } = this.o;
    this.t0 = clock.now();
    let resampler: AudioResampler | undefined;
    let inRate = 0;
    let samples16k = 0;
    const feed = async (pcm: Int16Array) => {
      if (pcm.length === 0 || this.closed) return;
      this.o.onAudio?.(pcm, this.t0 + (samples16k * 1000) / VAD_SAMPLE_RATE);
      samples16k += pcm.length;
      this.deliver(await vad.push(pcm));
    };
    try {
      for await (const frame of this.source) {
        if (this.closed) break;
        const mono = toMono(frame);
        if (frame.sampleRate === VAD_SAMPLE_RATE) {
          await feed(mono);
          continue;
        }
        if (!resampler || inRate !== frame.sampleRate) {
          for (const f of resampler?.flush() ?? []) await feed(samplesOf(f));
          resampler?.close();
          inRate = frame.sampleRate;
          resampler = new AudioResampler(inRate, VAD_SAMPLE_RATE, 1);
        }
        for (const f of resampler.push(new RtcAudioFrame(mono, frame.sampleRate, 1, mono.length))) await feed(samplesOf(f));
      }
      if (resampler) for (const f of resampler.flush()) await feed(samplesOf(f));
      if (!this.closed) this.deliver(vad.flush());
    } catch (e) {
      (this.o.onError ?? ((x: unknown) => console.error('[speechcharts] user audio input:', x)))(e);
    } finally {
      resampler?.close();
      this.analysisDone();
    }
    if (this.pending > 0 && !this.closed) await new Promise<void>((r) => (this.drained = r));
  }

  private deliver(events: VADEvent[]): void {
    const { clock } = this.o;
    for (const ev of events) {
      const out: UserSpeechEvent = { type: ev.type, atMs: this.t0 + ev.atMs, detectedAtMs: this.t0 + ev.detectedAtMs };
      this.pending++;
      // Events are scheduled in detection order, and the clock fires equal times in order.
      const timer = clock.setTimeout(() => {
        this.timers.delete(timer);
        this.pending--;
        try {
          if (!this.closed) this.o.onSpeech?.(out);
        } catch (e) {
          (this.o.onError ?? ((x: unknown) => console.error('[speechcharts] user audio input:', x)))(e);
        }
        if (this.pending === 0) this.drained?.();
      }, Math.max(0, out.detectedAtMs - clock.now()));
      this.timers.add(timer);
    }
  }
}

function toMono(frame: AudioFrame): Int16Array {
  if (frame.channels === 1) return frame.data.slice(0, frame.samplesPerChannel);
  const out = new Int16Array(frame.samplesPerChannel);
  for (let i = 0; i < frame.samplesPerChannel; i++) {
    let sum = 0;
    for (let c = 0; c < frame.channels; c++) sum += frame.data[i * frame.channels + c]!;
    out[i] = Math.round(sum / frame.channels);
  }
  return out;
}

/** A compact copy of a resampled frame's samples (rtc-node frames may view a larger buffer). */
function samplesOf(f: RtcAudioFrame): Int16Array {
  return f.data.slice(0, f.samplesPerChannel * f.channels);
}
