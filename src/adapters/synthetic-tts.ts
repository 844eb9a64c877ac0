import { abortableIterate } from '../runtime/abortable-iterate.js';
import type { AudioFrame } from '../ports/audio-frame.js';
import { InvalidArgumentError } from '../errors.js';
import type { TTS } from '../ports/tts.js';
import { FrameChunker, samplesPerFrame } from './frame-chunker.js';
import { splitSentences } from './sentence-stream.js';

export interface SyntheticVoiceTTSOptions {
  /** Rate of the yielded frames. Default 24000. */
  sampleRate?: number;
  /** Length of every yielded frame. Default 20. */
  frameMs?: number;
  /** Speaking rate in characters per second. Default 13.5. */
  charsPerSecond?: number;
}

const VOWELS = 'aeiouyàáâäèéêëìíîïòóôöùúûü';
/** Second partial per vowel, so vowels sound different from each other. */
const VOWEL_COLOUR: Record<string, number> = { a: 3.6, e: 2.6, i: 1.8, o: 2.2, u: 1.5, y: 1.9 };
const AMPLITUDE = 0.3 * 32767;

/**
 * A stand-in voice for machines without espeak-ng: a tone burst per syllable (vowel group),
 * pitched by its letters, with a short noise onset for leading consonants, short gaps at spaces
 * and longer ones at punctuation. Same text, same samples. Sounds like a robot humming the text.
 *
 * @example
 * const tts = new SyntheticVoiceTTS({ sampleRate: 24000 });
 * for await (const frame of tts.synthesize(textStream, { signal })) await out.captureFrame(frame);
 */
export class SyntheticVoiceTTS implements TTS {
  readonly sampleRate: number;
  readonly numChannels = 1;
  readonly frameMs: number;
  readonly charsPerSecond: number;
  readonly #samplesPerFrame: number;

  constructor(o: SyntheticVoiceTTSOptions = {}) {
    this.sampleRate = o.sampleRate ?? 24000;
    this.frameMs = o.frameMs ?? 20;
    this.charsPerSecond = o.charsPerSecond ?? 13.5;
    if (!(this.charsPerSecond > 0)) throw new InvalidArgumentError(`SyntheticVoiceTTS: charsPerSecond must be positive, got ${this.charsPerSecond}`);
    try {
      this.#samplesPerFrame = samplesPerFrame(this.sampleRate, this.frameMs);
    } catch (e) {
      throw new InvalidArgumentError(`SyntheticVoiceTTS: ${(e as Error).message}`);
    }
  }

  /**
   * Voices `text` sentence by sentence as it streams in; ends once `signal` aborts.
   * @example for await (const frame of tts.synthesize(toStream('Hi there.'), { signal })) frames.push(frame);
   */
  async *synthesize(text: AsyncIterable<string>, o: { signal: AbortSignal }): AsyncGenerator<AudioFrame> {
    const { signal } = o;
    if (signal.aborted) return;
    const chunker = new FrameChunker(this.sampleRate, 1, this.#samplesPerFrame);
    let first = true;
    for await (const sentence of splitSentences(abortableIterate(text, signal))) {
      // Sentences are trimmed by the splitter; put back the space between them.
      const samples = this.render(first ? sentence : ` ${sentence}`);
      first = false;
      for (const frame of chunker.push(samples)) {
        yield frame;
        if (signal.aborted) return;
      }
    }
    if (signal.aborted) return;
    const last = chunker.finish();
    if (last) yield last;
  }

  /**
   * Renders text to mono samples at `sampleRate` (no framing).
   * @example new SyntheticVoiceTTS().render('hello').length // about 5 / 13.5 s of samples
   */
  render(text: string): Int16Array {
    const slot = 1 / this.charsPerSecond;
    const parts: Int16Array[] = [];
    const chars = [...text.toLowerCase()];
    let i = 0;
    let syllableIndex = 0;
    while (i < chars.length) {
      const c = chars[i]!;
      if (/[\p{L}\p{N}]/u.test(c)) {
        // A syllable: leading consonants, a vowel group, and (at the end of a word) trailing consonants.
        let j = i;
        while (j < chars.length && isLetter(chars[j]!) && !VOWELS.includes(chars[j]!)) j++;
        const onset = j - i;
        while (j < chars.length && VOWELS.includes(chars[j]!)) j++;
        let k = j;
        while (k < chars.length && isLetter(chars[k]!) && !VOWELS.includes(chars[k]!)) k++;
        if (k === chars.length || !isLetter(chars[k]!)) j = k;
        if (j === i) j = i + 1;
        parts.push(this.#syllable(chars.slice(i, j), onset, syllableIndex++, slot));
        i = j;
      } else if (/\s/u.test(c)) {
        parts.push(new Int16Array(Math.round(slot * this.sampleRate)));
        i++;
      } else if (/[.!?…]/u.test(c)) {
        parts.push(new Int16Array(Math.round(0.4 * this.sampleRate)));
        i++;
      } else if (/[,;:—–-]/u.test(c)) {
        parts.push(new Int16Array(Math.round(0.25 * this.sampleRate)));
        i++;
      } else {
        parts.push(new Int16Array(Math.round(slot * this.sampleRate)));
        i++;
      }
    }
    const total = parts.reduce((n, p) => n + p.length, 0);
    const out = new Int16Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  #syllable(letters: string[], onset: number, index: number, slot: number): Int16Array {
    const sr = this.sampleRate;
    const n = Math.round(letters.length * slot * sr);
    const out = new Int16Array(n);
    const code = letters.reduce((h, ch) => (h * 31 + ch.codePointAt(0)!) >>> 0, 7);
    const vowel = letters.find((ch) => VOWELS.includes(ch)) ?? letters[0]!;
    // Pitch from the letters, with a gentle rise-and-fall across syllables so phrases have a contour.
    const f0 = 110 + (code % 13) * 9 + 18 * Math.sin(index * 0.9);
    const colour = VOWEL_COLOUR[vowel.normalize('NFD')[0]!] ?? 2 + (vowel.codePointAt(0)! % 5) * 0.4;
    const noiseEnd = Math.min(Math.round(onset * slot * sr * 0.4), Math.round(n * 0.3));
    const attack = Math.min(Math.round(0.012 * sr), n >> 2);
    const release = Math.min(Math.round(0.03 * sr), n >> 1);
    let seed = code || 1;
    let phase = 0;
    for (let t = 0; t < n; t++) {
      const env = Math.min(1, t / Math.max(1, attack), (n - t) / Math.max(1, release));
      let v: number;
      if (t < noiseEnd) {
        // Deterministic noise (LCG) for the consonant onset.
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        v = (seed / 0xffffffff - 0.5) * 0.3;
      } else {
        const f = f0 * (1 - 0.08 * (t / n));
        phase += (2 * Math.PI * f) / sr;
        v = 0.7 * Math.sin(phase) + 0.3 * Math.sin(colour * phase);
      }
      out[t] = Math.round(v * env * AMPLITUDE);
    }
    return out;
  }
}

function isLetter(c: string): boolean {
  return /\p{L}/u.test(c);
}
