import { describe, expect, it } from 'vitest';
import { InterruptionRefusedError } from '../src/index.js';
import { makeSession } from './support/session-fixture.js';

describe('uninterruptible speech', () => {
  it('refuses a plain interrupt visibly and changes nothing', async () => {
    const { clock, session, audioOutput } = makeSession();
    await session.start();
    const h = session.say('This announcement cannot be interrupted.', { allowInterruptions: false });
    await clock.advance(500);
    expect(() => h.interrupt()).toThrow(InterruptionRefusedError);
    await expect(session.interrupt()).rejects.toBeInstanceOf(InterruptionRefusedError);
    expect(h.interrupted).toBe(false);
    expect(audioOutput.playing).toBe(true);
    await clock.runUntil(h.waitForPlayout());
    expect(h.done()).toBe(true);
    expect(audioOutput.segments[0]?.interrupted).toBe(false);
  });

  it('is interrupted with force, at once', async () => {
    const { clock, session } = makeSession();
    await session.start();
    const h = session.say('This announcement cannot be interrupted.', { allowInterruptions: false });
    await clock.advance(500);
    const wait = h.waitForPlayout();
    const stopped = session.interrupt({ force: true });
    expect(h.interrupted).toBe(true);
    await expect(wait).rejects.toThrow(/interrupted/);
    await clock.runUntil(stopped);
    expect(session.history.at(-1)).toMatchObject({ role: 'assistant', interrupted: true });
  });

  it('handle.interrupt({ force: true }) interrupts too', async () => {
    const { clock, session } = makeSession();
    await session.start();
    const h = session.say('Uninterruptible, unless forced.', { allowInterruptions: false });
    await clock.advance(200);
    expect(h.interrupt({ force: true })).toBe(h);
    expect(h.interrupted).toBe(true);
  });

  it('a session-wide allowInterruptions: false applies to speeches that do not say', async () => {
    const { clock, session } = makeSession({ session: { allowInterruptions: false } });
    await session.start();
    const h = session.say('Default is uninterruptible here.');
    await clock.advance(100);
    expect(h.allowInterruptions).toBe(false);
    await expect(session.interrupt()).rejects.toBeInstanceOf(InterruptionRefusedError);
    const loud = session.say('This one allows it.', { allowInterruptions: true });
    expect(loud.allowInterruptions).toBe(true);
  });

  it('input that arrives during an uninterruptible speech is queued and served after it', async () => {
    const { clock, session } = makeSession({ replies: [{ when: { userInput: 'hello?' }, reply: 'Hi!' }] });
    await session.start();
    const announcement = session.say('Please hold while I finish.', { allowInterruptions: false });
    await clock.advance(300);
    await expect(session.interrupt()).rejects.toBeInstanceOf(InterruptionRefusedError);
    const reply = session.generateReply({ userInput: 'hello?' });
    await clock.runUntil(reply.waitForPlayout());
    expect(announcement.done() && !announcement.interrupted).toBe(true);
    expect(session.history.map((i) => (i.type === 'message' ? i.content : i.type))).toEqual(['Please hold while I finish.', 'hello?', 'Hi!']);
  });
});
