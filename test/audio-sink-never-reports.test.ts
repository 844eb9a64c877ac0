import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../src/testing/index.js';
import { historyLines } from './support/session-fixture.js';
import { DeadFirstSegmentOutput, stallSession, stalledCause, watchWait } from './support/stalling-fakes.js';

// A sink that goes silent for a segment (no frame accepted, or no end reported, and not even its
// clear reported) used to park the session; the audio output limit (ioTimeouts.audioOutputMs, 10 s
// past the audio left to play) fails the speech, a second limit gives up on the cut, and the floor
// goes to the next turn.
describe('an audio sink that never reports', () => {
  const replies = [
    { when: { userInput: 'speak' }, reply: 'Short reply here.' }, // 17 chars: 0.85 s of audio
    { when: { userInput: 'next' }, reply: 'Next one.' },
  ];

  for (const dead of ['capture', 'playout'] as const) {
    const what = dead === 'capture' ? 'accepts no frame' : 'never reports the end of the segment';
    it(`that ${what}: the speech fails with a typed error, the unreported cut is given up, the next turn is served`, async () => {
      const clock = new VirtualClock();
      const audioOutput = new DeadFirstSegmentOutput(clock, dead);
      const { session, errors } = stallSession(clock, { replies, audioOutput });
      await session.start();
      const hung = session.generateReply({ userInput: 'speak' });
      const hungWait = watchWait(hung);
      const next = session.generateReply({ userInput: 'next' });
      await clock.runUntil(next.waitForPlayout());
      const cause = await stalledCause(hung, hungWait);
      expect(cause).toMatchObject({ dependency: 'audio_output', ms: 10_000 });
      // The first frame (20 ms) was due to play at once; the whole segment (0.85 s) was due by its flush.
      const failedAt = dead === 'capture' ? 10_020 : 10_850;
      expect(errors.map((e) => [e.source, e.at, e.error.message])).toEqual([
        ['audio_output', failedAt, cause.message],
        ['audio_output', failedAt + 10_000, 'audio_output made no progress for 10000 ms: the output did not report the cut (clearBuffer)'],
      ]);
      expect(errors[0]!.error).toBe(cause);
      // With no cut position, nothing of the failed reply counts as heard.
      expect(historyLines(session.history)).toEqual(['user:speak', 'user:next', 'assistant:Next one.']);
      expect(session.agentState).toBe('listening');
      expect(clock.nextTimerIn()).toBeUndefined();
    });
  }

  // At 0.3 s a frame waits for room in the device; at 0.75 s the segment is flushed and its end awaited.
  it.each([300, 750])('a pause (barge-in hold) at %i ms does not count against the limit', async (pauseAt) => {
    const clock = new VirtualClock();
    const { session, errors } = stallSession(clock, { replies });
    await session.start();
    const h = session.generateReply({ userInput: 'speak' });
    await clock.advance(pauseAt);
    h.pause();
    await clock.advance(30_000); // held far past the limit: a held output owes nothing
    expect(h.done()).toBe(false);
    h.resume();
    await clock.runUntil(h.waitForPlayout());
    expect(h.outcome).toBe('done');
    expect(errors).toEqual([]);
    expect(clock.nextTimerIn()).toBeUndefined();
  });
});
