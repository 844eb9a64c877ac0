import { describe, expect, it } from 'vitest';
import type { AudioFrame } from '../src/ports/audio-frame.js';
import { SyntheticVoiceTTS } from '../src/adapters/synthetic-tts.js';

async function* textOf(...parts: string[]): AsyncGenerator<string> {
  for (const p of parts) yield p;
}

async function collect(tts: SyntheticVoiceTTS, text: AsyncIterable<string>, signal = new AbortController().signal): Promise<AudioFrame[]> {
  const frames: AudioFrame[] = [];
  for await (const f of tts.synthesize(text, { signal })) frames.push(f);
  return frames;
}

const seconds = (frames: AudioFrame[]) => frames.reduce((s, f) => s + f.samplesPerChannel / f.sampleRate, 0);
const samplesOf = (frames: AudioFrame[]) => frames.flatMap((f) => Array.from(f.data));

describe('SyntheticVoiceTTS', () => {
  it('is deterministic, however the text is chunked', async () => {
    const tts = new SyntheticVoiceTTS();
    const a = samplesOf(await collect(tts, textOf('Hello there. How are you today?')));
    const b = samplesOf(await collect(tts, textOf('Hello there. How are you today?')));
    const c = samplesOf(await collect(new SyntheticVoiceTTS(), textOf('Hel', 'lo the', 're. How ar', 'e you to', 'day?')));
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('speaks at about 12-15 characters per second', async () => {
    const text = 'the quick brown fox jumps over the lazy dog and keeps running through the field';
    const d = seconds(await collect(new SyntheticVoiceTTS(), textOf(text)));
    expect(text.length / d).toBeGreaterThan(12);
    expect(text.length / d).toBeLessThan(15);
  });

  it('yields exact frames at the requested rate and frame length', async () => {
    const frames = await collect(new SyntheticVoiceTTS({ sampleRate: 16000, frameMs: 10 }), textOf('Testing one two three.'));
    for (const f of frames) expect(f).toMatchObject({ sampleRate: 16000, channels: 1, samplesPerChannel: 160 });
    for (const f of frames) expect(f.data.length).toBe(160);
  });

  it('is shaped by the text: audible tones, different texts differ, punctuation pauses longer than spaces', async () => {
    const tts = new SyntheticVoiceTTS();
    const hello = tts.render('hello');
    expect(hello.reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeGreaterThan(3000);
    expect(Array.from(tts.render('hallo'))).not.toEqual(Array.from(hello));
    expect(tts.render('a, b').length).toBeGreaterThan(tts.render('a  b').length);
    // A space is silence between the two bursts.
    const spaced = tts.render('ma ma');
    const mid = Math.floor(spaced.length / 2);
    expect(spaced[mid]).toBe(0);
  });

  it('ends the stream once the signal aborts, even while waiting for text', async () => {
    const ac = new AbortController();
    let frames = 0;
    async function* text() {
      yield 'A first sentence. ';
      await new Promise<void>(() => {}); // the LLM stalls forever
      yield 'never';
    }
    for await (const _ of new SyntheticVoiceTTS().synthesize(text(), { signal: ac.signal })) {
      if (++frames === 5) ac.abort();
    }
    expect(frames).toBe(5);

    // Abort while the generator is blocked on the stalled text, after the first sentence's full frames.
    const ac2 = new AbortController();
    const it = new SyntheticVoiceTTS().synthesize(text(), { signal: ac2.signal })[Symbol.asyncIterator]();
    const fullFrames = Math.floor(new SyntheticVoiceTTS().render('A first sentence.').length / 480);
    for (let i = 0; i < fullFrames; i++) expect((await it.next()).done).toBe(false);
    const pending = it.next();
    ac2.abort();
    expect((await pending).done).toBe(true);
  });
});
