import { describe, expect, it } from 'vitest';
import { createDefaultTTS, SYNTHETIC_FALLBACK_NOTICE } from '../src/adapters/default-tts.js';
import { EspeakTTS, espeakAvailable } from '../src/adapters/espeak-tts.js';
import { SyntheticVoiceTTS } from '../src/adapters/synthetic-tts.js';

describe('createDefaultTTS', () => {
  it('falls back to the synthetic voice, saying so in one line, when espeak-ng is missing', () => {
    const lines: string[] = [];
    const tts = createDefaultTTS({ binary: '/nonexistent/espeak-ng', sampleRate: 16000, log: (l) => lines.push(l) });
    expect(tts).toBeInstanceOf(SyntheticVoiceTTS);
    expect(tts.sampleRate).toBe(16000);
    expect(lines).toEqual([SYNTHETIC_FALLBACK_NOTICE]);
    expect(SYNTHETIC_FALLBACK_NOTICE).toBe('espeak-ng not found: using the built-in synthetic voice');
  });

  it.skipIf(!espeakAvailable())('uses espeak-ng when it is installed, silently', () => {
    const lines: string[] = [];
    const tts = createDefaultTTS({ log: (l) => lines.push(l) });
    expect(tts).toBeInstanceOf(EspeakTTS);
    expect(lines).toEqual([]);
  });
});
