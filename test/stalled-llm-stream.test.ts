import { describe, expect, it } from 'vitest';
import { VirtualClock, VirtualClockStallError } from '../src/testing/index.js';
import { historyLines } from './support/session-fixture.js';
import { HangingLLM, stallSession, stalledCause, watchWait } from './support/stalling-fakes.js';

// An LLM stream that neither yields nor ends used to hold the floor for good; now the LLM limit
// (ioTimeouts.llmMs, 10 s by default) fails the speech and the next turn is served.
describe('an LLM stream that stalls', () => {
  const replies = [{ when: { userInput: 'next' }, reply: 'Next one.' }];

  it('fails the speech after 10 s without a chunk: typed error, llm error event, stream aborted, next turn served', async () => {
    const clock = new VirtualClock();
    const llm = new HangingLLM(clock, { userInput: 'hang', before: ['Let me think.'], replies });
    const { session, errors } = stallSession(clock, { llm });
    await session.start();
    const hung = session.generateReply({ userInput: 'hang' });
    const hungWait = watchWait(hung);
    const next = session.generateReply({ userInput: 'next' });
    await clock.advance(9_999);
    expect(hung.done()).toBe(false);
    expect(next.state).toBe('queued');
    await clock.runUntil(next.waitForPlayout());
    const cause = await stalledCause(hung, hungWait);
    expect(cause).toMatchObject({ dependency: 'llm', ms: 10_000 });
    expect(errors).toEqual([{ error: cause, source: 'llm', at: 10_000 }]);
    expect(llm.signals[0]!.aborted).toBe(true); // the stalled stream was told to stop
    expect(historyLines(session.history)).toEqual(['user:hang', 'assistant:Let me think. [interrupted]', 'user:next', 'assistant:Next one.']);
    expect(session.agentState).toBe('listening');
    expect(clock.nextTimerIn()).toBeUndefined();
  });

  it('a stream that hangs before its first chunk fails too, at the configured limit', async () => {
    const clock = new VirtualClock();
    const llm = new HangingLLM(clock, { userInput: 'hang', before: [], replies });
    const { session, errors } = stallSession(clock, { llm, session: { ioTimeouts: { llmMs: 2_500 } } });
    await session.start();
    const hung = session.generateReply({ userInput: 'hang' });
    const hungWait = watchWait(hung);
    const next = session.generateReply({ userInput: 'next' });
    await clock.runUntil(next.waitForPlayout());
    const cause = await stalledCause(hung, hungWait);
    expect(cause).toMatchObject({ dependency: 'llm', ms: 2_500 });
    expect(errors.map((e) => [e.source, e.at])).toEqual([['llm', 2_500]]);
    expect(historyLines(session.history)).toEqual(['user:hang', 'user:next', 'assistant:Next one.']);
    expect(clock.nextTimerIn()).toBeUndefined();
  });

  it('progress restarts the count: a slow LLM yielding every 9 s for 36 s is not failed', async () => {
    const clock = new VirtualClock();
    const slow = { when: { userInput: 'slow' }, reply: ['One. ', 'Two. ', 'Three. ', 'Four.'], ttftMs: 9_000, chunkDelayMs: 9_000 };
    const { session, errors } = stallSession(clock, { replies: [slow] });
    await session.start();
    const h = session.generateReply({ userInput: 'slow' });
    await clock.runUntil(h.waitForPlayout());
    expect(clock.now()).toBeGreaterThan(36_000);
    expect(h.outcome).toBe('done');
    expect(errors).toEqual([]);
    expect(historyLines(session.history)).toEqual(['user:slow', 'assistant:One. Two. Three. Four.']);
    expect(clock.nextTimerIn()).toBeUndefined();
  });

  it('a say() text stream is the caller\'s own: a 30 s pause in it is not an LLM stall', async () => {
    const clock = new VirtualClock();
    const { session, errors } = stallSession(clock);
    await session.start();
    async function* text() {
      yield 'Hold on. ';
      await new Promise<void>((r) => clock.setTimeout(r, 30_000));
      yield 'Done.';
    }
    const h = session.say(text());
    await clock.runUntil(h.waitForPlayout());
    expect(h.outcome).toBe('done');
    expect(errors).toEqual([]);
    expect(historyLines(session.history)).toEqual(['assistant:Hold on. Done.']);
    expect(clock.nextTimerIn()).toBeUndefined();
  });

  it('with ioTimeouts: false (or llmMs: false) it parks as before: the next turn waits until an interrupt', async () => {
    for (const ioTimeouts of [false, { llmMs: false }] as const) {
      const clock = new VirtualClock();
      const llm = new HangingLLM(clock, { userInput: 'hang', before: ['Let me think.'], replies });
      const { session, errors } = stallSession(clock, { llm, session: { ioTimeouts } });
      await session.start();
      const hung = session.generateReply({ userInput: 'hang' });
      const next = session.generateReply({ userInput: 'next' });
      await expect(clock.runUntil(next.waitForPlayout(), { maxMs: 60_000 })).rejects.toBeInstanceOf(VirtualClockStallError);
      expect(hung.done()).toBe(false);
      expect(next.state).toBe('queued');
      await clock.runUntil(hung.interrupt().waitForPlayout().catch(() => {}));
      await clock.runUntil(next.waitForPlayout());
      expect(errors).toEqual([]);
      expect(clock.nextTimerIn()).toBeUndefined();
    }
  });
});
