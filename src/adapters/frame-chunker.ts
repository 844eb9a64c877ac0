import { createAudioFrame, type AudioFrame } from '../ports/audio-frame.js';

/**
 * Cuts a stream of samples into frames of exactly `samplesPerFrame` samples per channel.
 * Leftovers wait for the next `push`; only `finish()` pads the final partial frame with zeros.
 * @example
 * const chunker = new FrameChunker(24000, 1, 480);
 * for (const f of chunker.push(samples)) yield f;
 * const last = chunker.finish(); if (last) yield last;
 */
export class FrameChunker {
  readonly sampleRate: number;
  readonly channels: number;
  readonly samplesPerFrame: number;
  #pending: Int16Array;
  #filled = 0;

  constructor(sampleRate: number, channels: number, samplesPerFrame: number) {
    if (!Number.isInteger(samplesPerFrame) || samplesPerFrame <= 0) throw new RangeError(`FrameChunker: samplesPerFrame must be a positive integer, got ${samplesPerFrame}`);
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.samplesPerFrame = samplesPerFrame;
    this.#pending = new Int16Array(samplesPerFrame * channels);
  }

  /**
   * Adds interleaved samples; returns the frames they completed.
   * @example chunker.push(new Int16Array(1000)) // two 480-sample frames, 40 samples kept
   */
  push(samples: Int16Array): AudioFrame[] {
    const out: AudioFrame[] = [];
    const size = this.#pending.length;
    let at = 0;
    while (at < samples.length) {
      const n = Math.min(size - this.#filled, samples.length - at);
      this.#pending.set(samples.subarray(at, at + n), this.#filled);
      this.#filled += n;
      at += n;
      if (this.#filled === size) {
        out.push(createAudioFrame(this.#pending, this.sampleRate, this.channels));
        this.#pending = new Int16Array(size);
        this.#filled = 0;
      }
    }
    return out;
  }

  /**
   * Ends the stream: returns the last partial frame padded with zeros, or undefined if nothing is left.
   * @example const last = chunker.finish();
   */
  finish(): AudioFrame | undefined {
    if (this.#filled === 0) return undefined;
    // The rest of #pending is still zero: it was freshly allocated.
    const frame = createAudioFrame(this.#pending, this.sampleRate, this.channels);
    this.#pending = new Int16Array(this.#pending.length);
    this.#filled = 0;
    return frame;
  }
}

/**
 * Samples per channel in a frame of `frameMs` at `sampleRate`; throws when that is not a whole number.
 * @example samplesPerFrame(24000, 20) // 480
 */
export function samplesPerFrame(sampleRate: number, frameMs: number): number {
  const n = (sampleRate * frameMs) / 1000;
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`a ${frameMs} ms frame at ${sampleRate} Hz is not a whole number of samples (${n})`);
  return n;
}
