import { describe, expect, it } from 'vitest';
import { heardText } from '../src/index.js';
import { heardChars } from '../src/runtime/heard-text.js';

describe('heard text', () => {
  it('keeps whole words only', () => {
    expect(heardText('Let me check that for you', 13)).toBe('Let me check');
    expect(heardText('Let me check that for you', 12)).toBe('Let me check');
    expect(heardText('Let me check that for you', 2)).toBe('');
    expect(heardText('Let me', 0)).toBe('');
    expect(heardText('Let me', 99)).toBe('Let me');
  });

  it('maps position to characters proportionally once synthesis is done, by speaking rate before', () => {
    const base = { pulledChars: 40, audioSeconds: 2, playbackPosition: 1, charsPerSecond: 14 };
    expect(heardChars({ ...base, synthesisDone: true })).toBe(20);
    expect(heardChars({ ...base, synthesisDone: false })).toBe(14);
    expect(heardChars({ ...base, synthesisDone: false, playbackPosition: 10 })).toBe(40);
    expect(heardChars({ ...base, synthesisDone: true, playbackPosition: 0 })).toBe(0);
  });
});
