import { describe, expect, it } from 'vitest';
import type { AgentSessionEventMap } from '../src/session-events.js';
import { turnSession } from './support/turn-fixture.js';

// LiveKit's user events: user_state_changed (speaking / listening / away, away after
// userAwayTimeout of both sides silent) and user_input_transcribed { transcript, isFinal, language }.

describe('user_state_changed', () => {
  it('speaking while the VAD hears the user, listening after, away after 15 s of both sides silent', async () => {
    const { clock, session, voice } = await turnSession({
      speeches: [
        { startMs: 1000, endMs: 2000 },
        { startMs: 30_000, endMs: 31_000 },
      ],
      transcripts: [{ final: { text: 'Hello', afterEndMs: 100 } }],
    });
    const seen: string[] = [];
    session.on('user_state_changed', ({ oldState, newState }) => seen.push(`${oldState}→${newState}@${clock.now()}`));
    await clock.advance(40_000);
    // The agent answers "Okay." (thinking, then ~250 ms of speech) from 2500 ms: the away timer starts once it is silent again.
    const agentSilentAt = Number(seen.find((s) => s.startsWith('listening→away'))!.split('@')[1]) - 15_000;
    expect(agentSilentAt).toBeGreaterThan(2500);
    expect(agentSilentAt).toBeLessThan(4000);
    expect(seen).toEqual(['listening→speaking@1000', 'speaking→listening@2000', `listening→away@${agentSilentAt + 15_000}`, 'away→speaking@30000', 'speaking→listening@31000']);
    expect(session.userState).toBe('listening');
    voice.close();
  });

  it('no away while the agent speaks; userAwayTimeout null: never away', async () => {
    const { clock, session, voice } = await turnSession({ speeches: [], transcripts: [], turn: { userAwayTimeout: null } });
    const seen: AgentSessionEventMap['user_state_changed'][] = [];
    session.on('user_state_changed', (e) => seen.push(e));
    await clock.advance(60_000);
    expect(seen).toEqual([]);
    voice.close();

    const b = await turnSession({ speeches: [], transcripts: [], turn: { userAwayTimeout: 1000 } });
    const h = b.session.say('x'.repeat(100)); // 5 s of speech
    const away: number[] = [];
    b.session.on('user_state_changed', (e) => e.newState === 'away' && away.push(b.clock.now()));
    await b.clock.advance(3000);
    expect(away).toEqual([]);
    await b.clock.runUntil(h.waitForPlayout());
    const spokeUntil = b.clock.now();
    await b.clock.advance(2000);
    expect(away).toHaveLength(1);
    expect(away[0]! - spokeUntil).toBeGreaterThanOrEqual(1000);
    expect(away[0]! - spokeUntil).toBeLessThan(1100);
    b.voice.close();
  });
});

describe('user_input_transcribed', () => {
  it('every interim and final transcript, with its language', async () => {
    const { clock, session, voice } = await turnSession({
      speeches: [{ startMs: 0, endMs: 1000 }],
      transcripts: [{ interim: [{ afterMs: 400, text: 'Hallo' }], final: { text: 'Hallo da', afterEndMs: 100 }, language: 'de' }],
    });
    const seen: AgentSessionEventMap['user_input_transcribed'][] = [];
    session.on('user_input_transcribed', (e) => seen.push(e));
    await clock.advance(2000);
    expect(seen).toEqual([
      { transcript: 'Hallo', isFinal: false, language: 'de' },
      { transcript: 'Hallo da', isFinal: true, language: 'de' },
    ]);
    voice.close();
  });
});
