import type { AudioFrame } from './audio-frame.js';

/**
 * Text to speech: consumes a stream of text, yields audio frames.
 * Must stop promptly (end its iterable or throw an AbortError) once `signal` aborts.
 *
 * @example
 * for await (const frame of tts.synthesize(textStream, { signal })) await out.captureFrame(frame);
 */
export interface TTS {
  readonly sampleRate: number;
  readonly numChannels: number;
  /** Optional: the voice's speaking rate, used to map the playback position of a cut speech to text. */
  readonly charsPerSecond?: number;
  synthesize(text: AsyncIterable<string>, o: { signal: AbortSignal }): AsyncIterable<AudioFrame>;
}
