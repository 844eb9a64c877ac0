import { describe, expect, it } from 'vitest';
import { makeSession } from './support/session-fixture.js';
import { LONG, scriptedVoice } from './support/voice-fixture.js';

// LiveKit's regression #3515: with a VAD, an interim transcript does not bypass the minimum duration.
describe('min interruption duration with a VAD applies to transcripts too', () => {
  it('a word 100 ms into the user speech interrupts only when the speech has lasted 500 ms', async () => {
    const { clock, session, errors } = makeSession();
    await session.start();
    const { v, kinds } = scriptedVoice(session, clock, {
      speeches: [{ startMs: 1000, endMs: 2000 }],
      transcripts: [{ interim: [{ afterMs: 100, text: 'stop' }] }],
    });
    const h = session.say(LONG);
    await clock.advance(1499);
    expect(h.interrupted).toBe(false);
    expect(kinds()).toEqual([]);
    await clock.advance(1);
    expect(h.interrupted).toBe(true);
    expect(kinds()).toEqual(['interrupted@1500']);
    expect(errors).toEqual([]);
    v.close();
  });

  it('a word in a speech shorter than the minimum interrupts nothing', async () => {
    const { clock, session } = makeSession();
    await session.start();
    const { v, kinds } = scriptedVoice(session, clock, {
      speeches: [{ startMs: 1000, endMs: 1300 }],
      transcripts: [{ interim: [{ afterMs: 100, text: 'hm' }, { afterMs: 400, text: 'hmm' }] }],
    });
    const h = session.say(LONG);
    await clock.runUntil(h.waitForPlayout());
    expect(clock.now()).toBe(5000);
    expect(kinds()).toEqual([]);
    v.close();
  });
});
