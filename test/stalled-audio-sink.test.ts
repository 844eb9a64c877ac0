import { describe, expect, it } from 'vitest';
import { SpeechInterruptedError, tool } from '../src/index.js';
import { historyLines, makeSession } from './support/session-fixture.js';

// Upstream failure class: a sink that never reports playback finished parks the scheduler.
describe('an audio sink that stalls', () => {
  it('cannot hold a tool waiter: the interrupt still rejects it at once', async () => {
    let waitError: unknown;
    const t = tool({ description: 'w', execute: async (_a, { ctx }) => { await ctx.waitForPlayout().catch((e) => (waitError = e)); return 'ok'; } });
    const { clock, session, audioOutput } = makeSession({ tools: { t }, replies: [{ when: { userInput: 'go' }, reply: ['Short.', { type: 'toolCall', callId: 'c', name: 't', arguments: '{}' }] }] });
    audioOutput.stalled = true; // flushed segments never report their end
    await session.start();
    const h = session.generateReply({ userInput: 'go' });
    await clock.runAll();
    expect(h.state).toEqual({ active: 'playingOut' });
    expect(waitError).toBeUndefined();
    const stopped = session.interrupt();
    await Promise.resolve();
    await Promise.resolve();
    expect(waitError).toBeInstanceOf(SpeechInterruptedError);
    await clock.runUntil(stopped); // clearBuffer still reports: the cut is the sink's own answer
  });

  it('queues later input instead of dropping it, and serves it when the sink recovers', async () => {
    const { clock, session, audioOutput } = makeSession({ replies: [{ when: { userInput: 'later' }, reply: 'Served.' }] });
    audioOutput.stalled = true;
    await session.start();
    const stuck = session.say('Stuck at the end.');
    await clock.runAll();
    const later = session.generateReply({ userInput: 'later' });
    await clock.runAll();
    expect(stuck.done()).toBe(false);
    expect(later.state).toBe('queued');
    audioOutput.recover();
    await clock.runUntil(later.waitForPlayout());
    expect(historyLines(session.history)).toEqual(['assistant:Stuck at the end.', 'user:later', 'assistant:Served.']);
  });
});
