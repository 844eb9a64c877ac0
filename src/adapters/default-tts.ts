import type { TTS } from '../ports/tts.js';
import { EspeakTTS, espeakAvailable, type EspeakTTSOptions } from './espeak-tts.js';
import { SyntheticVoiceTTS } from './synthetic-tts.js';

export interface DefaultTTSOptions extends EspeakTTSOptions {
  /** Where the one-line fallback notice goes. Default `console.warn`. */
  log?: (line: string) => void;
}

/** The notice printed when espeak-ng is missing. */
export const SYNTHETIC_FALLBACK_NOTICE = 'espeak-ng not found: using the built-in synthetic voice';

/**
 * EspeakTTS when espeak-ng runs on this machine, else SyntheticVoiceTTS (with one line saying so).
 * Voice and speed only apply to espeak-ng; sampleRate and frameMs apply to both.
 * @example const tts = createDefaultTTS({ sampleRate: 24000 });
 */
export function createDefaultTTS(o: DefaultTTSOptions = {}): TTS {
  const { log = (line: string) => console.warn(line), ...espeak } = o;
  if (espeakAvailable(espeak.binary)) return new EspeakTTS(espeak);
  log(SYNTHETIC_FALLBACK_NOTICE);
  return new SyntheticVoiceTTS({ sampleRate: espeak.sampleRate, frameMs: espeak.frameMs });
}
