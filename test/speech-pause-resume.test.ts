import { describe, expect, it } from 'vitest';
import { SpeechInterruptedError, tool } from '../src/index.js';
import { historyLines, makeSession } from './support/session-fixture.js';

describe('pausing a speech (barge-in hold)', () => {
  it('holds the audio, keeps waiters waiting, and plays on from the same position on resume', async () => {
    const { clock, session, audioOutput } = makeSession();
    await session.start();
    const h = session.say('one two three four five six seven eight'); // 1.95 s
    let settled = false;
    h.waitForPlayout().then(() => (settled = true));
    await clock.advance(500);
    expect(h.pause()).toBe(true);
    expect(h.paused).toBe(true);
    expect(h.state).toEqual({ active: 'paused' });
    const at = audioOutput.playbackPosition;
    await clock.advance(3000);
    expect(audioOutput.playbackPosition).toBe(at);
    expect(settled).toBe(false);
    expect(h.resume()).toBe(true);
    await clock.runUntil(h.waitForPlayout());
    expect(settled).toBe(true);
    expect(audioOutput.segments[0]).toMatchObject({ interrupted: false, playbackPosition: 1.95 });
    expect(clock.now()).toBe(1950 + 3000);
  });

  it('an interrupt while paused settles every waiter at once', async () => {
    let waitError: unknown;
    const t = tool({ description: 't', execute: async (_a, { ctx }) => { await ctx.waitForPlayout().catch((e) => (waitError = e)); return 'x'; } });
    const { clock, session } = makeSession({ tools: { t }, replies: [{ reply: ['A preamble of some length.', { type: 'toolCall', callId: 'c', name: 't', arguments: '{}' }] }] });
    await session.start();
    const h = session.generateReply({ userInput: 'go' });
    await clock.advance(400);
    h.pause();
    await clock.advance(1000);
    expect(waitError).toBeUndefined();
    const stopped = session.interrupt();
    await Promise.resolve();
    await Promise.resolve();
    expect(waitError).toBeInstanceOf(SpeechInterruptedError);
    await clock.runUntil(stopped);
    expect(historyLines(session.history)[1]).toBe('assistant:A [interrupted]'); // 0.4 s heard (8 characters): the time paused is not heard
  });

  it('resumes into playout when the LLM finished while paused; pause is refused where nothing plays', async () => {
    const { clock, session } = makeSession({ replies: [{ reply: ['Streaming ', 'slowly ', 'along.'], chunkDelayMs: 300 }] });
    await session.start();
    const h = session.generateReply({ userInput: 'hi' });
    const q = session.say('queued');
    expect(q.pause()).toBe(false);
    await clock.advance(100);
    expect(h.pause()).toBe(true);
    await clock.advance(2000); // the stream ends meanwhile
    expect(h.state).toEqual({ active: 'paused' });
    h.resume();
    expect(h.state).toEqual({ active: 'playingOut' });
    await clock.runUntil(h.waitForPlayout());
    expect(h.resume()).toBe(false);
    expect(h.pause()).toBe(false);
    await clock.runUntil(q.waitForPlayout());
  });
});
