import { afterEach, describe, expect, it } from 'vitest';
import { SpeechInterruptedError } from '../src/index.js';
import { makeSession } from './support/session-fixture.js';

// The interrupt's error is built on the hot path without a stack (a cancellation signal); a
// developer who wants to see who interrupted turns stacks on.

async function interruptedError(): Promise<SpeechInterruptedError> {
  const { clock, session } = makeSession({ replies: [{ reply: 'A long answer that is still playing when it is cut.' }] });
  await session.start();
  const h = session.generateReply({ userInput: 'hi' });
  const wait = h.waitForPlayout().catch((e: unknown) => e);
  await clock.runUntilTrue(() => session.agentState === 'speaking');
  const done = session.interrupt();
  await clock.runUntil(done);
  return (await wait) as SpeechInterruptedError;
}

describe('the SpeechInterruptedError of an interrupt', () => {
  afterEach(() => {
    SpeechInterruptedError.captureStack = false;
  });

  it('names the speech and the reason, without a stack by default', async () => {
    const e = await interruptedError();
    expect(e).toBeInstanceOf(SpeechInterruptedError);
    expect(e.message).toBe('speech speech_1 was interrupted');
    expect(e.reason).toBe('interrupt');
    expect(e.stack).not.toMatch(/\n\s+at /);
  });

  it('carries the stack of the interrupt when captureStack is on', async () => {
    SpeechInterruptedError.captureStack = true;
    const e = await interruptedError();
    expect(e.stack).toMatch(/\n\s+at /);
  });
});
