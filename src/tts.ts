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
  synthesize(text: AsyncIterable<string>, o: { signal: AbortSignal }): AsyncIterable<AudioFrame>;
}
