import { describe, expect, it } from 'vitest';
import { historyLines, makeSession } from './support/session-fixture.js';
import { LONG, scriptedVoice } from './support/voice-fixture.js';

// LiveKit keeps the transcript of a turn it declined for too few words: the next words add up to it.
describe('min interruption words: a declined short turn keeps its transcript', () => {
  it('"Stop!" (1 word, min 3) is declined; then "ok, stop!" adds up to 3 words: the agent is interrupted and the turn is both', async () => {
    const { clock, session, errors } = makeSession({ replies: [{ when: { userInput: 'Stop! ok, stop!' }, reply: 'Stopping.' }] });
    await session.start();
    const { v, kinds, activity } = scriptedVoice(session, clock, {
      speeches: [
        { startMs: 1000, endMs: 1400 },
        { startMs: 2000, endMs: 2800 },
      ],
      transcripts: [{ final: { text: 'Stop!', afterEndMs: 100 } }, { interim: [{ afterMs: 600, text: 'ok' }], final: { text: 'ok, stop!', afterEndMs: 100 } }],
      options: { minInterruptionWords: 3 },
    });
    const h = session.say(LONG);
    await clock.advance(2800);
    expect(h.interrupted).toBe(false); // "Stop!" + "ok" is 2 words
    expect(kinds()).toEqual(['userTurnDeclined@1500']);
    expect(activity[0]).toMatchObject({ text: 'Stop!', words: 1 });
    await clock.advance(100);
    expect(h.interrupted).toBe(true);
    expect(kinds()).toEqual(['userTurnDeclined@1500', 'interrupted@2900', 'userTurnCommitted@2900']);
    await clock.runAll();
    expect(historyLines(session.history).slice(1)).toEqual(['user:Stop! ok, stop!', 'assistant:Stopping.']);
    expect(errors).toEqual([]);
    v.close();
  });
});
