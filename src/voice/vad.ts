import { createRequire } from 'node:module';
import { InvalidArgumentError } from '../errors.js';

/** The VAD's input rate: 16 kHz mono. */
export const VAD_SAMPLE_RATE = 16000;

/**
 * A speech boundary. Times are audio time: ms from the first sample pushed into the VAD.
 * `atMs` is when the speech really started (or ended: the start of the silence that ended it);
 * `detectedAtMs` is the end of the audio that decided it, i.e. the earliest moment a live VAD knows.
 */
export interface VADEvent {
  type: 'speechStart' | 'speechEnd';
  atMs: number;
  detectedAtMs: number;
}

/**
 * Voice activity detection over a stream of 16 kHz mono samples.
 * @example
 * for (const ev of await vad.push(samples16k)) console.log(ev.type, ev.atMs);
 * const last = vad.flush(); // closes a speech still open at the end of the stream
 */
export interface VAD {
  /** Feeds samples (any length); resolves with the boundaries they completed. Calls must not overlap. */
  push(samples: Int16Array): Promise<VADEvent[]>;
  /** End of the stream: ends a speech still in progress. */
  flush(): VADEvent[];
  /** Forgets everything (model state and timing) for a new stream. */
  reset(): void;
}

/** The part of `@livekit/local-inference` used here. */
interface LocalVadModel {
  predict(pcm: Int16Array): Promise<number>;
  reset(): void;
}
interface LocalInference {
  createVad(): LocalVadModel;
  VAD_WINDOW_SAMPLES: number;
}

let localInference: LocalInference | undefined;
/** Loaded on first use: the native module (and its model) cost nothing until a VAD is made. */
function loadLocalInference(): LocalInference {
  localInference ??= createRequire(import.meta.url)('@livekit/local-inference') as LocalInference;
  return localInference;
}

export interface SileroVADOptions {
  /** Probability at which silence turns to speech. Default 0.5 (LiveKit's). */
  activationThreshold?: number;
  /** Probability under which speech turns to silence (hysteresis). Default activation − 0.15. */
  deactivationThreshold?: number;
  /** Speech shorter than this is not reported. Default 50 ms (LiveKit's). */
  minSpeechDuration?: number;
  /** Silence that must follow speech before its end is reported. Default 550 ms (LiveKit's). */
  minSilenceDuration?: number;
  /** Told each window's probability, with the audio time (ms) the window starts at. */
  onProbability?: (p: number, atMs: number) => void;
}

/**
 * Silero VAD, run offline by `@livekit/local-inference`, over 512-sample (32 ms) windows, with
 * LiveKit's hysteresis: speech starts once windows at or over the activation threshold add up to
 * `minSpeechDuration`, and ends once windows under the deactivation threshold add up to
 * `minSilenceDuration`.
 *
 * @example
 * const vad = new SileroVAD({ minSilenceDuration: 400 });
 * const events = [...(await vad.push(pcm16k)), ...vad.flush()];
 */
export class SileroVAD implements VAD {
  readonly windowSamples: number;
  readonly activationThreshold: number;
  readonly deactivationThreshold: number;
  readonly minSpeechDuration: number;
  readonly minSilenceDuration: number;
  private readonly model: LocalVadModel;
  private readonly onProbability: ((p: number, atMs: number) => void) | undefined;
  private readonly buf: Int16Array;
  private filled = 0;
  /** Samples consumed into whole windows so far. */
  private consumed = 0;
  private speaking = false;
  private runStartMs = 0;
  private runMs = 0;
  private busy = false;

  constructor(o: SileroVADOptions = {}) {
    const li = loadLocalInference();
    this.windowSamples = li.VAD_WINDOW_SAMPLES;
    this.activationThreshold = o.activationThreshold ?? 0.5;
    this.deactivationThreshold = o.deactivationThreshold ?? Math.max(0.01, this.activationThreshold - 0.15);
    this.minSpeechDuration = o.minSpeechDuration ?? 50;
    this.minSilenceDuration = o.minSilenceDuration ?? 550;
    if (!(this.activationThreshold > 0 && this.activationThreshold < 1)) throw new InvalidArgumentError(`SileroVAD: activationThreshold must be in (0, 1), got ${this.activationThreshold}`);
    if (!(this.deactivationThreshold > 0 && this.deactivationThreshold <= this.activationThreshold))
      throw new InvalidArgumentError(`SileroVAD: deactivationThreshold must be in (0, activationThreshold], got ${this.deactivationThreshold}`);
    if (!(this.minSpeechDuration >= 0) || !(this.minSilenceDuration >= 0)) throw new InvalidArgumentError('SileroVAD: durations must be non-negative');
    this.onProbability = o.onProbability;
    this.model = li.createVad();
    this.buf = new Int16Array(this.windowSamples);
  }

  private get windowMs(): number {
    return (this.windowSamples * 1000) / VAD_SAMPLE_RATE;
  }

  async push(samples: Int16Array): Promise<VADEvent[]> {
    // The model keeps LSTM state between windows: overlapping calls would interleave them.
    if (this.busy) throw new InvalidArgumentError('SileroVAD.push: the previous push has not finished');
    this.busy = true;
    const out: VADEvent[] = [];
    try {
      let at = 0;
      while (at < samples.length) {
        const n = Math.min(this.windowSamples - this.filled, samples.length - at);
        this.buf.set(samples.subarray(at, at + n), this.filled);
        this.filled += n;
        at += n;
        if (this.filled < this.windowSamples) break;
        const startMs = (this.consumed * 1000) / VAD_SAMPLE_RATE;
        this.filled = 0;
        this.consumed += this.windowSamples;
        // The native call may keep the array: give it its own copy.
        const p = await this.model.predict(this.buf.slice());
        this.onProbability?.(p, startMs);
        const ev = this.step(p, startMs);
        if (ev) out.push(ev);
      }
    } finally {
      this.busy = false;
    }
    return out;
  }

  flush(): VADEvent[] {
    if (!this.speaking) return [];
    this.speaking = false;
    const endMs = (this.consumed * 1000) / VAD_SAMPLE_RATE;
    const atMs = this.runMs > 0 ? this.runStartMs : endMs; // a silence run in progress is where speech stopped
    this.runMs = 0;
    return [{ type: 'speechEnd', atMs, detectedAtMs: endMs }];
  }

  reset(): void {
    this.model.reset();
    this.filled = 0;
    this.consumed = 0;
    this.speaking = false;
    this.runMs = 0;
    this.runStartMs = 0;
  }

  /**
   * Hysteresis over one window. `runMs` counts the windows pointing away from the current state
   * (speech while silent, silence while speaking); any window agreeing with the state resets it.
   */
  private step(p: number, startMs: number): VADEvent | undefined {
    const speechLike = this.speaking ? p >= this.deactivationThreshold : p >= this.activationThreshold;
    const endMs = startMs + this.windowMs;
    if (speechLike === this.speaking) {
      this.runMs = 0;
      return undefined;
    }
    if (this.runMs === 0) this.runStartMs = startMs;
    this.runMs += this.windowMs;
    const needed = this.speaking ? this.minSilenceDuration : this.minSpeechDuration;
    if (this.runMs < needed) return undefined;
    this.speaking = !this.speaking;
    this.runMs = 0;
    return { type: this.speaking ? 'speechStart' : 'speechEnd', atMs: this.runStartMs, detectedAtMs: endMs };
  }
}
