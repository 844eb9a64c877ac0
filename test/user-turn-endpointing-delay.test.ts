import { describe, expect, it } from 'vitest';
import { ScriptedEndOfTurnModel } from '../src/voice/end-of-turn.js';
import { turnSession } from './support/turn-fixture.js';

// LiveKit's endpointing: the turn is committed minEndpointingDelay (500 ms) after the user stops,
// unless the end-of-turn model's probability is below the language's "unlikely" threshold
// (en 0.36, de 0.245, fr 0.285): then maxEndpointingDelay (3000 ms).

async function commitTime(o: { probability: number; language: string; turn?: { minEndpointingDelay?: number; maxEndpointingDelay?: number } }) {
  const { clock, commits, voice } = await turnSession({
    speeches: [{ startMs: 0, endMs: 1000 }],
    transcripts: [{ final: { text: 'Hello', afterEndMs: 100 }, language: o.language }],
    turn: { turnDetection: 'eot', ...(o.turn ?? {}) },
    endOfTurn: new ScriptedEndOfTurnModel([o.probability]),
  });
  await clock.advance(6000);
  voice.close();
  const c = commits();
  expect(c).toHaveLength(1);
  return Number(c[0]!.split('@')[1]) - 1000;
}

describe('endpointing delay: minimum or maximum by the end-of-turn probability and the language', () => {
  it.each([
    { language: 'en', probability: 0.9, delay: 500 },
    { language: 'en', probability: 0.36, delay: 500 }, // at the threshold: not unlikely
    { language: 'en', probability: 0.3, delay: 3000 },
    { language: 'en-US', probability: 0.3, delay: 3000 }, // the language's first subtag
    { language: 'de', probability: 0.3, delay: 500 },
    { language: 'de', probability: 0.2, delay: 3000 },
    { language: 'fr', probability: 0.3, delay: 500 },
    { language: 'fr', probability: 0.25, delay: 3000 },
    { language: 'ja', probability: 0.01, delay: 500 }, // no threshold for the language: the model is not used
  ])('$language, p=$probability → $delay ms', async ({ language, probability, delay }) => {
    expect(await commitTime({ language, probability })).toBe(delay);
  });

  it('the delays are options: min 200, max 1200', async () => {
    expect(await commitTime({ language: 'en', probability: 0.9, turn: { minEndpointingDelay: 200, maxEndpointingDelay: 1200 } })).toBe(200);
    expect(await commitTime({ language: 'en', probability: 0.1, turn: { minEndpointingDelay: 200, maxEndpointingDelay: 1200 } })).toBe(1200);
  });

  it('the delays count from the end of speech, not from when the VAD reported it', async () => {
    const { clock, commits, voice } = await turnSession({ speeches: [], transcripts: [{ final: { text: 'Hello', afterEndMs: 0 } }] });
    clock.setTimeout(() => voice.speech({ type: 'speechStart', atMs: 0 }), 0);
    // Reported 300 ms late (a live VAD's silence window): the commit is still 500 ms after the speech ended.
    clock.setTimeout(() => voice.speech({ type: 'speechEnd', atMs: 1000 }), 1300);
    await clock.advance(3000);
    expect(commits()).toEqual(['Hello@1500']);
    voice.close();
  });

  it('a model that fails leaves the maximum delay, and the error is reported', async () => {
    const errors: unknown[] = [];
    const { clock, session } = await turnSession({ speeches: [], transcripts: [] });
    const { attachVoiceInput, scheduleScriptedSpeech } = await import('../src/voice/voice-input.js');
    const { ScriptedSTT } = await import('../src/voice/stt.js');
    const commits: number[] = [];
    const voice = attachVoiceInput(session, {
      clock,
      stt: new ScriptedSTT(clock, [{ final: { text: 'Hello', afterEndMs: 100 } }]),
      turn: { turnDetection: 'eot' },
      endOfTurn: { predict: () => Promise.reject(new Error('model crashed')) },
      onUserTurn: (a) => a.type === 'userTurnCommitted' && commits.push(a.atMs),
      onError: (e) => errors.push(e),
    });
    scheduleScriptedSpeech(clock, [{ startMs: 0, endMs: 1000 }], voice.speech);
    await clock.advance(5000);
    expect(commits).toEqual([4000]);
    expect(errors.map((e) => (e as Error).message)).toEqual(['model crashed']);
    voice.close();
  });
});
