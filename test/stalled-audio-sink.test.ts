import { describe, expect, it } from 'vitest';
import { DependencyStalledError, SpeechFailedError, SpeechInterruptedError, tool } from '../src/index.js';
import { historyLines, makeSession } from './support/session-fixture.js';

// Upstream failure class: a sink that never reports playback finished parks the scheduler. The
// session's I/O limit (`ioTimeouts.audioOutputMs`, 10 s past the audio left to play) now fails the
// speech and gives the floor to the next one.
describe('an audio sink that stalls', () => {
  it('cannot hold a tool waiter: the interrupt still rejects it at once', async () => {
    let waitError: unknown;
    const t = tool({ description: 'w', execute: async (_a, { ctx }) => { await ctx.waitForPlayout().catch((e) => (waitError = e)); return 'ok'; } });
    const { clock, session, audioOutput } = makeSession({ tools: { t }, replies: [{ when: { userInput: 'go' }, reply: ['Short.', { type: 'toolCall', callId: 'c', name: 't', arguments: '{}' }] }] });
    audioOutput.stalled = true; // flushed segments never report their end
    await session.start();
    const h = session.generateReply({ userInput: 'go' });
    await clock.advance(2_000); // past the 0.3 s of audio, inside the stall limit
    expect(h.state).toEqual({ active: 'playingOut' });
    expect(waitError).toBeUndefined();
    const stopped = session.interrupt();
    await Promise.resolve();
    await Promise.resolve();
    expect(waitError).toBeInstanceOf(SpeechInterruptedError);
    await clock.runUntil(stopped); // clearBuffer still reports: the cut is the sink's own answer
    expect(clock.nextTimerIn()).toBeUndefined();
  });

  it('fails the stuck speech after the limit with a typed error; the later turn is served', async () => {
    const { clock, session, audioOutput, errors } = makeSession({ replies: [{ when: { userInput: 'later' }, reply: 'Served.' }] });
    audioOutput.stalled = true;
    await session.start();
    const stuck = session.say('Stuck at the end.'); // 17 chars: 0.85 s of audio
    const stuckWait = stuck.waitForPlayout();
    stuckWait.catch(() => {});
    let failedAt: number | undefined;
    stuck.addDoneCallback(() => (failedAt = clock.now()));
    await clock.advance(3_000);
    const later = session.generateReply({ userInput: 'later' });
    await clock.advance(3_000);
    expect(stuck.done()).toBe(false);
    expect(later.state).toBe('queued');
    audioOutput.stalled = false; // the next segment plays; the stuck one is never reported
    await clock.runUntil(later.waitForPlayout());
    // Flushed at 0.85 s, due to end then: the limit ran out 10 s later.
    expect(stuck.outcome).toBe('failed');
    expect(failedAt).toBe(10_850);
    const failure = await stuckWait.then(() => null, (e: unknown) => e);
    expect(failure).toBeInstanceOf(SpeechFailedError);
    const cause = (failure as SpeechFailedError).cause;
    expect(cause).toBeInstanceOf(DependencyStalledError);
    expect(cause).toMatchObject({ dependency: 'audio_output', ms: 10_000 });
    expect(errors).toEqual([{ error: cause, source: 'audio_output' }]);
    // The clear on failure is reported by this sink: history holds what was heard, then the later turn.
    expect(historyLines(session.history)).toEqual(['assistant:Stuck at the end. [interrupted]', 'user:later', 'assistant:Served.']);
    expect(clock.nextTimerIn()).toBeUndefined();
  });

  it('recovering inside the limit: later input queues and is served after recovery, nothing fails', async () => {
    const { clock, session, audioOutput, errors } = makeSession({ replies: [{ when: { userInput: 'later' }, reply: 'Served.' }] });
    audioOutput.stalled = true;
    await session.start();
    const stuck = session.say('Stuck at the end.');
    await clock.advance(3_000);
    const later = session.generateReply({ userInput: 'later' });
    await clock.advance(3_000);
    expect(stuck.done()).toBe(false);
    expect(later.state).toBe('queued');
    audioOutput.recover();
    await clock.runUntil(later.waitForPlayout());
    expect(stuck.outcome).toBe('done');
    expect(errors).toEqual([]);
    expect(historyLines(session.history)).toEqual(['assistant:Stuck at the end.', 'user:later', 'assistant:Served.']);
  });

  it('with ioTimeouts: false, parks as before: later input queues until the sink recovers', async () => {
    const { clock, session, audioOutput, errors } = makeSession({ replies: [{ when: { userInput: 'later' }, reply: 'Served.' }], session: { ioTimeouts: false } });
    audioOutput.stalled = true;
    await session.start();
    const stuck = session.say('Stuck at the end.');
    await clock.runAll();
    const later = session.generateReply({ userInput: 'later' });
    await clock.runAll();
    expect(clock.nextTimerIn()).toBeUndefined(); // parked: nothing will ever move it
    expect(stuck.done()).toBe(false);
    expect(later.state).toBe('queued');
    audioOutput.recover();
    await clock.runUntil(later.waitForPlayout());
    expect(errors).toEqual([]);
    expect(historyLines(session.history)).toEqual(['assistant:Stuck at the end.', 'user:later', 'assistant:Served.']);
  });
});
