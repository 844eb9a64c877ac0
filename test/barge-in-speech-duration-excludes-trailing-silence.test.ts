import { describe, expect, it } from 'vitest';
import { makeSession } from './support/session-fixture.js';
import { LONG, scriptedVoice } from './support/voice-fixture.js';

// The VAD reports the end of speech after its trailing silence (550 ms with LiveKit's settings): a
// 0.3 s noise is still "speaking" when the 500 ms minimum passes. What was voiced decides.
describe('speech duration excludes the VAD trailing silence', () => {
  it('a 0.3 s noise reported ended 550 ms later: the hold is released at that report, not after the false-interruption timeout', async () => {
    const { clock, session, errors } = makeSession();
    await session.start();
    const { v, kinds, falseInterruptions } = scriptedVoice(session, clock, {});
    const h = session.say(LONG);
    await clock.advance(1000);
    v.speech({ type: 'speechStart', atMs: 1000 });
    await clock.advance(850); // the VAD is still in its trailing silence at 1.5 s: the minimum passes
    expect(h.paused).toBe(true);
    v.speech({ type: 'speechEnd', atMs: 1300 }); // reported at 1.85 s: voiced 300 ms
    expect(h.paused).toBe(false);
    expect(kinds()).toEqual(['paused@1500', 'resumed@1850', 'falseInterruption@1850']);
    expect(falseInterruptions).toEqual([{ resumed: true, speechId: h.id, atMs: 1850 }]);
    await clock.runUntil(h.waitForPlayout());
    expect(clock.now()).toBe(5000 + 350); // held 350 ms, not 350 + 2000
    expect(errors).toEqual([]);
    v.close();
  });
});
