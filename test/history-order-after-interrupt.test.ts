import { describe, expect, it } from 'vitest';
import { historyLines, makeSession } from './support/session-fixture.js';

// Reply A plays; the user's second question is queued as reply B; then interrupt(). The next LLM call
// must read A's cut answer before the second question, never after it as if it answered it.

describe('history order when a queued reply is interrupted with the current one', () => {
  it('gives user A, assistant A (heard part, interrupted), user B, then the reply to B', async () => {
    const { clock, session: s, llm } = makeSession({
      replies: [
        { when: { userInput: 'first question' }, reply: 'Here is a long answer to the first question that takes a while.' },
        { when: { userInput: 'second question' }, reply: 'Answer B.' },
      ],
    });
    await s.start();
    const a = s.generateReply({ userInput: 'first question' });
    await clock.runUntilTrue(() => s.agentState === 'speaking');
    await clock.advance(600);
    const b = s.generateReply({ userInput: 'second question' });
    expect(b.state).toBe('queued');
    await clock.runUntil(s.interrupt());
    expect(a.interrupted && b.interrupted).toBe(true);
    const lines = historyLines(s.history);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('user:first question');
    expect(lines[1]).toMatch(/^assistant:Here is .* \[interrupted\]$/);
    expect(lines[2]).toBe('user:second question');
    // The user's question stands last: the next reply answers it.
    const next = s.generateReply();
    await clock.runUntil(next.waitForPlayout());
    expect(historyLines(s.history).slice(2)).toEqual(['user:second question', 'assistant:Answer B.']);
    expect(llm.requests.at(-1)!.history.map((i) => (i.type === 'message' ? i.role : i.type))).toEqual(['user', 'assistant', 'user']);
  });
});
