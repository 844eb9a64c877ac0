import { describe, expect, it } from 'vitest';
import { ScriptedEndOfTurnModel } from '../src/voice/end-of-turn.js';
import { historyLines } from './support/session-fixture.js';
import { PART_1, PART_2, WHOLE, turnSession, twoPartSentence } from './support/turn-fixture.js';

// Issue 12's bug: "I'd like a table", a 300 ms pause, "for four people at eight" made two turns
// (the first answered at once, then interrupted by the second). Endpointing makes it one.

describe('a sentence with a pause in the middle is one user turn', () => {
  it("vad mode: a 300 ms pause is shorter than minEndpointingDelay: one turn, committed 500 ms after the user's last word", async () => {
    const { clock, session, commits, errors, voice } = await turnSession(twoPartSentence(300));
    await clock.advance(1500 + 1500 + 499);
    expect(commits()).toEqual([]); // the final is in at 3200, but the delay runs to 3500
    await clock.advance(1);
    expect(commits()).toEqual([`${WHOLE}@3500`]);
    await clock.runAll();
    expect(historyLines(session.history)).toEqual([`user:${WHOLE}`, 'assistant:Okay.']);
    expect(errors).toEqual([]);
    voice.close();
  });

  it('without an endpointing delay (the old behaviour) the same speech is two turns', async () => {
    const { clock, commits, voice } = await turnSession({ ...twoPartSentence(300), turn: { minEndpointingDelay: 0 } });
    await clock.advance(4000);
    expect(commits()).toEqual([`${PART_1}@1400`, `${PART_2}@3200`]);
    voice.close();
  });

  it('eot mode: an 800 ms pause the model finds unlikely to end the turn waits for the maximum: one turn', async () => {
    const eot = new ScriptedEndOfTurnModel([0.1, 0.95]); // en threshold 0.36: the first pause is unlikely the end
    const { clock, commits, voice, turns } = await turnSession({ ...twoPartSentence(800), turn: { turnDetection: 'eot' }, endOfTurn: eot });
    await clock.advance(2000 + 1500 + 499);
    expect(commits()).toEqual([]);
    await clock.advance(1);
    expect(commits()).toEqual([`${WHOLE}@4000`]); // the second pause is likely the end: the minimum
    expect(eot.calls).toBe(2);
    expect(turns.filter((a) => a.type === 'endOfTurnPredicted').map((a) => a.type === 'endOfTurnPredicted' && a.probability)).toEqual([0.1, 0.95]);
    voice.close();
  });

  it('vad mode splits the same 800 ms pause into two turns (the pause outlasts the minimum delay)', async () => {
    const { clock, commits, voice } = await turnSession(twoPartSentence(800));
    await clock.advance(5000);
    expect(commits()).toEqual([`${PART_1}@1700`, `${PART_2}@4000`]);
    voice.close();
  });
});
