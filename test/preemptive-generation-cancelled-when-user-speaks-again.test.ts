import { describe, expect, it } from 'vitest';
import { preemptiveSession } from './support/preemptive-fixture.js';

// LiveKit #5509: a reply prepared for what the user said is never played over a user who has started
// speaking again. The user says "Hello" (0-1000 ms, final at 1100 ms: the LLM starts), pauses, and
// goes on at 1300 ms ("there", 1300-2000 ms, final at 2100 ms); the turn is committed at 2500 ms.

describe('the user speaking again cancels the preemptive generation', () => {
  it('the request for "Hello" is aborted at 1300 ms; nothing plays before the commit; the reply answers "Hello there"', async () => {
    const s = await preemptiveSession({
      speeches: [
        { startMs: 0, endMs: 1000 },
        { startMs: 1300, endMs: 2000 },
      ],
      transcripts: [{ final: { text: 'Hello', afterEndMs: 100 } }, { final: { text: 'there', afterEndMs: 100 } }],
      // The answer comes 100 ms after the request: the first one would be ready at 1200 ms, before the user speaks again.
      replies: [{ reply: 'Okay.', ttftMs: 100 }],
    });
    const abortedAt: number[] = [];
    await s.clock.advance(1200);
    expect(s.requestLines()).toEqual(['Hello@1100']);
    s.requests[0]!.signal.addEventListener('abort', () => abortedAt.push(s.clock.now()));
    await s.clock.advance(3800);
    expect(abortedAt).toEqual([1300]);
    // A new preemptive request at the second final, used by the reply committed at 2500 ms.
    expect(s.requestLines()).toEqual(['Hello@1100!', 'Hello there@2100']);
    expect(s.commits).toEqual(['Hello there@2500']);
    expect(s.speaking).toEqual([2500]);
    expect(s.session.history.map((i) => (i.type === 'message' ? `${i.role}:${i.content}` : i.type))).toEqual(['user:Hello there', 'assistant:Okay.']);
    expect(s.errors).toEqual([]);
  });
});
