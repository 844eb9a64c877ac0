import { describe, expect, it } from 'vitest';
import { splitSentences } from '../src/adapters/sentence-stream.js';

async function sentencesOf(...parts: string[]): Promise<string[]> {
  async function* text() {
    for (const p of parts) yield p;
  }
  const out: string[] = [];
  for await (const s of splitSentences(text())) out.push(s);
  return out;
}

describe('splitSentences', () => {
  it('splits on sentence ends followed by space or newline, and flushes the remainder at the end', async () => {
    expect(await sentencesOf('Hello there. How are you?', ' Fine!\nNext line', ' without end')).toEqual(['Hello there.', 'How are you?', 'Fine!', 'Next line without end']);
  });

  it('does not split inside numbers or before a closing quote', async () => {
    expect(await sentencesOf('Pi is 3.14 roughly. He said "stop." Then left.')).toEqual(['Pi is 3.14 roughly.', 'He said "stop."', 'Then left.']);
  });

  it('gives the same sentences however the text is chunked', async () => {
    const text = 'One sentence. Another one! ' + 'word '.repeat(100) + 'end. Last';
    const whole = await sentencesOf(text);
    const byChar = await sentencesOf(...text.split(''));
    expect(byChar).toEqual(whole);
    // Run-on text is cut at a space once it is too long to wait for.
    expect(whole.length).toBeGreaterThan(4);
    for (const s of whole) expect(s.length).toBeLessThanOrEqual(300);
  });
});
