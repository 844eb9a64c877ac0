import { createRequire } from 'node:module';
import { InvalidArgumentError } from '../errors.js';
import { VAD_SAMPLE_RATE } from './vad.js';

/** The end-of-turn model looks at this much of the user's latest audio (1.2 s at 16 kHz). */
export const EOT_WINDOW_SAMPLES = 19200;

/** One answer of the end-of-turn model. */
export interface EndOfTurnPrediction {
  /** Probability in [0, 1] that the user's turn just ended. */
  probability: number;
  /** How long the inference took (wall time, ms): what the model adds to the end-of-turn delay at most. */
  latencyMs: number;
}

/**
 * An end-of-turn model: from the user's last 1.2 s of 16 kHz mono audio, the probability that the
 * user's turn is over. Runs off the hot path: the caller gets a promise and never waits on it inline.
 * @example const { probability, latencyMs } = await model.predict(recent.latest());
 */
export interface EndOfTurnModel {
  predict(pcm16k: Int16Array): Promise<EndOfTurnPrediction>;
}

interface LocalInferenceEot {
  initEot(): void;
  predict(pcm: Int16Array): Promise<number>;
}

let localInference: LocalInferenceEot | undefined;

/**
 * LiveKit's local end-of-turn model (`@livekit/local-inference`: `initEot()`, `predict(pcm16k)`),
 * which runs on libuv's worker pool (~10 ms), so the event loop stays free. `load()` initialises
 * the ≈108 MB model (do it before the first turn, as a prewarm); `predict` loads it if needed.
 * @example
 * const eot = LocalEndOfTurnModel.load();
 * const { probability } = await eot.predict(last1200ms);
 */
export class LocalEndOfTurnModel implements EndOfTurnModel {
  private constructor(private readonly lib: LocalInferenceEot) {}

  /** Loads the model (idempotent, synchronous: a few hundred ms the first time). */
  static load(): LocalEndOfTurnModel {
    localInference ??= createRequire(import.meta.url)('@livekit/local-inference') as LocalInferenceEot;
    localInference.initEot();
    return new LocalEndOfTurnModel(localInference);
  }

  async predict(pcm16k: Int16Array): Promise<EndOfTurnPrediction> {
    if (!(pcm16k instanceof Int16Array)) throw new InvalidArgumentError('LocalEndOfTurnModel.predict: pcm16k must be an Int16Array of 16 kHz mono samples');
    const t0 = performance.now();
    const probability = await this.lib.predict(pcm16k.length > EOT_WINDOW_SAMPLES ? pcm16k.subarray(pcm16k.length - EOT_WINDOW_SAMPLES) : pcm16k);
    return { probability, latencyMs: performance.now() - t0 };
  }
}

/**
 * An end-of-turn model that answers what it is told, in order (the last answer repeats): for tests
 * on virtual time, where the audio does not matter. Answers resolve on the next microtask.
 * @example const eot = new ScriptedEndOfTurnModel([0.1, 0.9]); // first pause unlikely the end, second likely
 */
export class ScriptedEndOfTurnModel implements EndOfTurnModel {
  private i = 0;
  /** How many predictions were asked for. */
  calls = 0;

  constructor(private readonly probabilities: readonly number[]) {
    if (!Array.isArray(probabilities) || probabilities.length === 0 || probabilities.some((p) => !(typeof p === 'number' && p >= 0 && p <= 1)))
      throw new InvalidArgumentError('ScriptedEndOfTurnModel: probabilities must be a non-empty list of numbers in [0, 1]');
  }

  predict(_pcm16k: Int16Array): Promise<EndOfTurnPrediction> {
    this.calls++;
    const p = this.probabilities[Math.min(this.i++, this.probabilities.length - 1)]!;
    return Promise.resolve({ probability: p, latencyMs: 0 });
  }
}

/**
 * The user's latest audio, 16 kHz mono: a ring of the last `EOT_WINDOW_SAMPLES` samples, so the
 * end-of-turn model gets the 1.2 s before the pause without the whole call being kept.
 * @example const recent = new RecentAudio(); input.onAudio = (s) => recent.push(s); model.predict(recent.latest());
 */
export class RecentAudio {
  private readonly ring: Int16Array;
  private filled = 0;
  private at = 0;

  constructor(readonly capacity = EOT_WINDOW_SAMPLES) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new InvalidArgumentError(`RecentAudio: capacity must be a positive integer, got ${String(capacity)}`);
    this.ring = new Int16Array(capacity);
  }

  /** Seconds of audio held (at most capacity / 16 kHz). */
  get seconds(): number {
    return this.filled / VAD_SAMPLE_RATE;
  }

  push(samples: Int16Array): void {
    const src = samples.length > this.capacity ? samples.subarray(samples.length - this.capacity) : samples;
    for (let i = 0; i < src.length; i++) {
      this.ring[this.at] = src[i]!;
      this.at = (this.at + 1) % this.capacity;
    }
    this.filled = Math.min(this.capacity, this.filled + src.length);
  }

  /** A copy of the samples held, oldest first. */
  latest(): Int16Array {
    const out = new Int16Array(this.filled);
    const start = (this.at - this.filled + this.capacity) % this.capacity;
    for (let i = 0; i < this.filled; i++) out[i] = this.ring[(start + i) % this.capacity]!;
    return out;
  }
}
