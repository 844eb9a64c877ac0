import { describe, expect, it } from 'vitest';
import { SessionClosedError, SpeechInterruptedError, tool } from '../src/index.js';
import { historyLines, makeSession } from './support/session-fixture.js';

describe('close()', () => {
  it('during a tool run: the tool is aborted with reason close, its wait rejects, close resolves without a timeout', async () => {
    let waitError: unknown;
    let signal: AbortSignal | undefined;
    const t = tool({
      description: 'waits',
      execute: async (_a, { ctx, abortSignal }) => {
        signal = abortSignal;
        try {
          await ctx.waitForPlayout();
        } catch (e) {
          waitError = e;
        }
        return new Promise(() => {}); // and then never settles
      },
    });
    const { clock, session } = makeSession({ tools: { t }, replies: [{ reply: ['A preamble that plays for a while.', { type: 'toolCall', callId: 'c', name: 't', arguments: '{}' }] }] });
    const closed: unknown[] = [];
    session.on('close', (e) => closed.push(e));
    await session.start();
    const h = session.generateReply({ userInput: 'go' });
    const queued = session.say('never heard');
    await clock.advance(600);
    const t0 = clock.now();
    const p = session.close();
    expect(signal?.aborted).toBe(true);
    expect(h.interrupted && queued.interrupted).toBe(true);
    await clock.runUntil(p);
    expect(clock.now()).toBe(t0);
    expect(waitError).toBeInstanceOf(SpeechInterruptedError);
    expect((waitError as SpeechInterruptedError).reason).toBe('close');
    expect(closed).toEqual([{ reason: 'user' }]);
    expect(historyLines(session.history).at(-1)).toBe('output:t:error:error: the session closed before the tool finished');
    expect(() => session.say('after close')).toThrow(SessionClosedError);
    expect(() => session.generateReply()).toThrow(SessionClosedError);
    expect(session.close()).toBe(p); // idempotent
  });

  it('with nothing playing resolves at once; close before start is fine', async () => {
    const { clock, session } = makeSession();
    await clock.runUntil(session.close());
    await expect(session.start()).rejects.toBeInstanceOf(SessionClosedError);
  });
});
