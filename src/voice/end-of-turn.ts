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
 * The user's latest audio, 16 kHz mono, by clock time: the end-of-turn model gets the 1.2 s before
 * *now*, not the newest samples read. A file is read ahead of the clock (the VAD analyses it at
 * once), so the newest samples may lie seconds in the future; audio older than the window before
 * now is dropped, so a long call is not kept.
 * @example
 * const recent = new RecentAudio(EOT_WINDOW_SAMPLES, () => clock.now());
 * input.onAudio = (s, atMs) => recent.push(s, atMs);
 * model.predict(recent.latest());
 */
export class RecentAudio {
  private chunks: { atMs: number; samples: Int16Array }[] = [];
  /** Clock time just after the newest sample. */
  private endMs = 0;

  /** `now`: the clock (default: the audio's own time, i.e. the newest sample is now). */
  constructor(
    readonly capacity = EOT_WINDOW_SAMPLES,
    private readonly now?: () => number,
  ) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new InvalidArgumentError(`RecentAudio: capacity must be a positive integer, got ${String(capacity)}`);
    if (now !== undefined && typeof now !== 'function') throw new InvalidArgumentError('RecentAudio: now must be a function returning clock ms');
  }

  private get windowMs(): number {
    return (this.capacity * 1000) / VAD_SAMPLE_RATE;
  }

  /** Seconds of audio held before now (at most capacity / 16 kHz). */
  get seconds(): number {
    return this.latest().length / VAD_SAMPLE_RATE;
  }

  /** `atMs`: clock time of the first sample (default: right after the previous chunk). */
  push(samples: Int16Array, atMs: number = this.endMs): void {
    if (!(samples instanceof Int16Array)) throw new InvalidArgumentError('RecentAudio.push: samples must be an Int16Array');
    if (samples.length === 0) return;
    this.chunks.push({ atMs, samples: samples.slice() });
    this.endMs = Math.max(this.endMs, atMs + (samples.length * 1000) / VAD_SAMPLE_RATE);
    const horizon = (this.now?.() ?? this.endMs) - this.windowMs;
    while (this.chunks.length > 1) {
      const c = this.chunks[0]!;
      if (c.atMs + (c.samples.length * 1000) / VAD_SAMPLE_RATE >= horizon) break;
      this.chunks.shift();
    }
  }

  /** A copy of the last `capacity` samples up to `untilMs` (default now), oldest first. */
  latest(untilMs: number = this.now?.() ?? this.endMs): Int16Array {
    const parts: Int16Array[] = [];
    let n = 0;
    for (let i = this.chunks.length - 1; i >= 0 && n < this.capacity; i--) {
      const c = this.chunks[i]!;
      if (c.atMs >= untilMs) continue;
      const upTo = Math.min(c.samples.length, Math.round(((untilMs - c.atMs) * VAD_SAMPLE_RATE) / 1000));
      const take = c.samples.subarray(Math.max(0, upTo - (this.capacity - n)), upTo);
      parts.unshift(take);
      n += take.length;
    }
    const out = new Int16Array(n);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
