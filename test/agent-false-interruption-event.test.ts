import { describe, expect, it } from 'vitest';
import { SESSION_EVENTS } from '../src/session-events.js';
import { makeSession } from './support/session-fixture.js';
import { LONG, scriptedVoice } from './support/voice-fixture.js';

describe('agent_false_interruption { resumed }', () => {
  it('is a session event', () => {
    expect(SESSION_EVENTS).toContain('agent_false_interruption');
  });

  it('resumed: true when the held speech plays on after the timeout', async () => {
    const { clock, session } = makeSession();
    await session.start();
    const { v, falseInterruptions } = scriptedVoice(session, clock, { speeches: [{ startMs: 1000, endMs: 2000 }] });
    const h = session.say(LONG);
    await clock.advance(3999);
    expect(falseInterruptions).toEqual([]);
    await clock.advance(1);
    expect(falseInterruptions).toEqual([{ resumed: true, speechId: h.id, atMs: 4000 }]);
    await clock.runUntil(h.waitForPlayout());
    expect(h.interrupted).toBe(false);
    v.close();
  });

  it('resumed: false when resume is off (the speech was interrupted at the minimum duration)', async () => {
    const { clock, session } = makeSession();
    await session.start();
    const { v, falseInterruptions, kinds } = scriptedVoice(session, clock, { speeches: [{ startMs: 1000, endMs: 2000 }], options: { resumeFalseInterruption: false } });
    const h = session.say(LONG);
    await clock.advance(4000);
    expect(h.interrupted).toBe(true);
    expect(kinds()).toEqual(['interrupted@1500', 'falseInterruption@4000']);
    expect(falseInterruptions).toEqual([{ resumed: false, speechId: h.id, atMs: 4000 }]);
    v.close();
  });

  it('no event when words come: a real interruption', async () => {
    const { clock, session } = makeSession({ replies: [{ reply: 'Ok.' }] });
    await session.start();
    const { v, falseInterruptions } = scriptedVoice(session, clock, {
      speeches: [{ startMs: 1000, endMs: 2000 }],
      transcripts: [{ final: { text: 'wait', afterEndMs: 300 } }],
      options: { resumeFalseInterruption: false },
    });
    session.say(LONG);
    await clock.runAll();
    expect(falseInterruptions).toEqual([]);
    v.close();
  });
});
