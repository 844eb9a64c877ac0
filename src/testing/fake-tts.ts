import type { AudioFrame } from '../ports/audio-frame.js';
import type { Clock } from '../ports/clock.js';
import { clockDelay } from './clock-delay.js';
import type { TTS } from '../ports/tts.js';

export interface FakeTTSOptions {
  /** Audio produced per character of text (default 50 ms: ~20 characters a second). */
  msPerChar?: number;
  frameMs?: number;
  sampleRate?: number;
  /** Delay before the first frame of each text chunk, on `clock` (needs `clock`). */
  latencyMs?: number;
  clock?: Clock;
  /** Throw this error once this many frames were produced (fault tests). */
  failAfterFrames?: { frames: number; error: Error };
}

/**
 * A deterministic TTS: a quiet tone, `msPerChar` of audio per character, so the heard text of an
 * interrupted speech is exact. Records the text it was given.
 * @example const tts = new FakeTTS({ msPerChar: 50 });
 */
export class FakeTTS implements TTS {
  readonly sampleRate: number;
  readonly numChannels = 1;
  readonly charsPerSecond: number;
  /** Every text chunk synthesized, in order. */
  readonly spoken: string[] = [];

  constructor(private readonly o: FakeTTSOptions = {}) {
    this.sampleRate = o.sampleRate ?? 24000;
    this.charsPerSecond = 1000 / (o.msPerChar ?? 50);
  }

  async *synthesize(text: AsyncIterable<string>, { signal }: { signal: AbortSignal }): AsyncIterable<AudioFrame> {
    const frameMs = this.o.frameMs ?? 20;
    const samples = Math.round((this.sampleRate * frameMs) / 1000);
    let carryMs = 0;
    let frames = 0;
    for await (const chunk of text) {
      if (signal.aborted) return;
      this.spoken.push(chunk);
      if (this.o.latencyMs && this.o.clock) await clockDelay(this.o.clock, this.o.latencyMs, signal);
      carryMs += chunk.length * (this.o.msPerChar ?? 50);
      while (carryMs >= frameMs) {
        if (signal.aborted) return;
        carryMs -= frameMs;
        if (this.o.failAfterFrames && frames >= this.o.failAfterFrames.frames) throw this.o.failAfterFrames.error;
        frames++;
        yield tone(samples, this.sampleRate, frames);
      }
    }
    if (carryMs > 0 && !signal.aborted) {
      const n = Math.max(1, Math.round((this.sampleRate * carryMs) / 1000));
      yield tone(n, this.sampleRate, frames + 1);
    }
  }
}

// Frames are never mutated downstream, so one tone per frame size serves every speech (cheap fakes keep benches about the engine).
const tones = new Map<string, AudioFrame>();

function tone(samples: number, sampleRate: number, _seed: number): AudioFrame {
  const key = `${samples}@${sampleRate}`;
  let frame = tones.get(key);
  if (!frame) {
    const data = new Int16Array(samples);
    for (let i = 0; i < samples; i++) data[i] = Math.round(2000 * Math.sin((2 * Math.PI * 220 * i) / sampleRate));
    frame = { data, sampleRate, channels: 1, samplesPerChannel: samples };
    tones.set(key, frame);
  }
  return frame;
}
