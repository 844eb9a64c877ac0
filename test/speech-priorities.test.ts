import { describe, expect, it } from 'vitest';
import { SPEECH_PRIORITY, type SpeechHandle } from '../src/index.js';
import { makeSession } from './support/session-fixture.js';

describe('speech priorities', () => {
  it('serves HIGH before NORMAL before LOW, FIFO within a priority, one speech at a time', async () => {
    const { clock, session } = makeSession();
    const order: string[] = [];
    let holders = 0;
    let maxHolders = 0;
    session.on('speech_created', ({ speechHandle }) => speechHandle.addDoneCallback((h) => order.push(h.id)));
    // Queued before start(): nothing plays until the session starts.
    const h: Record<string, SpeechHandle> = {
      low: session.say('low', { priority: SPEECH_PRIORITY.LOW }),
      normal1: session.say('normal one', { priority: SPEECH_PRIORITY.NORMAL }),
      high1: session.say('high one', { priority: SPEECH_PRIORITY.HIGH }),
      normal2: session.say('normal two'),
      high2: session.say('high two', { priority: SPEECH_PRIORITY.HIGH }),
    };
    session.schedulerActor.subscribe((s) => {
      holders = s.context.current ? 1 : 0;
      maxHolders = Math.max(maxHolders, holders);
    });
    expect(session.agentState).toBe('initializing');
    expect(Object.values(h).every((x) => x.state === 'queued')).toBe(true);
    await session.start();
    await clock.runUntil(Promise.all(Object.values(h).map((x) => x.waitForPlayout())));
    const ids = Object.fromEntries(Object.entries(h).map(([k, v]) => [v.id, k]));
    expect(order.map((id) => ids[id])).toEqual(['high1', 'high2', 'normal1', 'normal2', 'low']);
    expect(maxHolders).toBe(1);
    expect(session.currentSpeech).toBeUndefined();
  });

  it('a higher-priority speech waits for the current one: it never preempts', async () => {
    const { clock, session } = makeSession();
    await session.start();
    const first = session.say('first, at normal priority');
    await clock.advance(200);
    const urgent = session.say('urgent', { priority: SPEECH_PRIORITY.HIGH });
    expect(session.currentSpeech).toBe(first);
    expect(urgent.state).toBe('queued');
    await clock.runUntil(urgent.waitForPlayout());
    expect(first.done() && !first.interrupted).toBe(true);
  });
});
