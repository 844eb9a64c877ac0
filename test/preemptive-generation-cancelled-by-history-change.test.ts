import { describe, expect, it } from 'vitest';
import { preemptiveSession } from './support/preemptive-fixture.js';

// The LLM starts on "Hello" at 1100 ms (final transcript, endpointing). At 1200 ms the application
// says "One moment." (added to history when it has played: 1200 + 11 characters × 50 ms = 1750 ms).
// The turn is committed at 1500 ms; its reply starts after the say, when history holds the say's
// message: the prepared request saw another history, so it is cancelled and a new one is made.

describe('history changed since the preemptive generation started', () => {
  it('the prepared request is cancelled at the reply\'s start and a new one sees the new history', async () => {
    const s = await preemptiveSession({ speeches: [{ startMs: 0, endMs: 1000 }], transcripts: [{ final: { text: 'Hello', afterEndMs: 100 } }] });
    s.clock.setTimeout(() => s.session.say('One moment.'), 1200);
    const abortedAt: number[] = [];
    await s.clock.advance(1200);
    expect(s.requestLines()).toEqual(['Hello@1100']);
    s.requests[0]!.signal.addEventListener('abort', () => abortedAt.push(s.clock.now()));
    await s.clock.advance(4000);
    expect(abortedAt).toEqual([1750]);
    expect(s.requestLines()).toEqual(['Hello@1100!', 'Hello@1750']);
    expect(s.requests[1]!.req.history.map((i) => (i.type === 'message' ? `${i.role}:${i.content}` : i.type))).toEqual(['assistant:One moment.', 'user:Hello']);
    // The new request's answer plays 600 ms later; its metrics are not preemptive.
    expect(s.speaking).toEqual([1200, 2350]);
    expect(s.metrics.filter((m) => m.type === 'llm_metrics').map((m) => m.type === 'llm_metrics' && m.preemptive)).toEqual([undefined]);
    expect(s.errors).toEqual([]);
  });

  it('a say() not added to history changes nothing the LLM sees: the prepared reply is used', async () => {
    const s = await preemptiveSession({ speeches: [{ startMs: 0, endMs: 1000 }], transcripts: [{ final: { text: 'Hello', afterEndMs: 100 } }] });
    s.clock.setTimeout(() => s.session.say('One moment.', { addToHistory: false }), 1200);
    await s.clock.advance(5000);
    expect(s.requestLines()).toEqual(['Hello@1100']);
    // The reply starts when the say ends (1750 ms); its answer was there since 1700 ms.
    expect(s.speaking).toEqual([1200, 1750]);
    expect(s.errors).toEqual([]);
  });
});
