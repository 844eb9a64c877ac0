import { afterAll, describe, expect, it } from 'vitest';
import { EspeakTTS, espeakAvailable, speakableText } from '../src/adapters/espeak-tts.js';
import { disposeRtc } from '../src/adapters/rtc-audio-output.js';
import { InvalidArgumentError } from '../src/index.js';
import { userSpeechArgs } from '../src/voice/user-audio-synth.js';

// Text from a scenario or an LLM reaches espeak-ng as a command-line argument: it must never be
// read as an option (`-f/etc/hostname` made espeak read that file into the recording), and a
// control character (a NUL made spawn throw) must not fail the speech.

afterAll(() => disposeRtc());

describe('espeak-ng arguments', () => {
  it('puts -- before a user turn, so text starting with - is spoken', () => {
    const args = userSpeechArgs('-f/etc/hostname');
    expect(args.slice(-2)).toEqual(['--', '-f/etc/hostname']);
  });

  it('refuses a voice that is an option or a path, naming it', () => {
    expect(() => userSpeechArgs('hello', { voice: '-f/etc/passwd' })).toThrow(InvalidArgumentError);
    expect(() => userSpeechArgs('hello', { voice: '../x' })).toThrow(/invalid voice name "..\/x"/);
    expect(() => userSpeechArgs('hello', { speed: Number.NaN })).toThrow(/speed must be a positive number/);
  });

  it('turns control characters into spaces', () => {
    expect(speakableText('Hello\u0000world\u0007!')).toBe('Hello world !');
    expect(userSpeechArgs('a\u0000b').at(-1)).toBe('a b');
  });

  it.skipIf(!espeakAvailable())('speaks LLM text with a NUL in it instead of failing the speech', async () => {
    const tts = new EspeakTTS({ voice: 'en-us' });
    async function* text() {
      yield 'Hello\u0000 there.';
    }
    let seconds = 0;
    for await (const f of tts.synthesize(text(), { signal: new AbortController().signal })) seconds += f.samplesPerChannel / f.sampleRate;
    expect(seconds).toBeGreaterThan(0.3);
  });
});
