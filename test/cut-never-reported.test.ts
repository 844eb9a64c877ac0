import { describe, expect, it } from 'vitest';
import { DependencyStalledError, SpeechInterruptedError } from '../src/index.js';
import { VirtualClock, VirtualClockStallError } from '../src/testing/index.js';
import { historyLines } from './support/session-fixture.js';
import { UnreportedCutOutput, stallSession } from './support/stalling-fakes.js';

// After an interrupt the floor and history wait for the output's report of where the audio was cut.
// An output that clears and never reports used to leave the interrupt pending and the floor held
// forever; now the cut is given up after ioTimeouts.audioOutputMs (10 s): nothing counts as heard.
describe('a cut the audio output never reports', () => {
  const replies = [{ when: { userInput: 'next' }, reply: 'Next one.' }];
  const LONG = 'This sentence plays for a little over two seconds.';

  it('is given up after 10 s: error event, the interrupt resolves, the floor goes to the next turn', async () => {
    const clock = new VirtualClock();
    const audioOutput = new UnreportedCutOutput(clock);
    const { session, errors } = stallSession(clock, { replies, audioOutput });
    await session.start();
    const h = session.say(LONG);
    const wait = h.waitForPlayout().then(() => null, (e: unknown) => e);
    await clock.advance(1_000);
    const stopped = session.interrupt();
    const next = session.generateReply({ userInput: 'next' });
    // The speech's waiters reject at once, as for any interrupt; the release waits for the cut.
    expect(await wait).toBeInstanceOf(SpeechInterruptedError);
    await clock.advance(9_999);
    expect(next.state).toBe('queued');
    await clock.runUntil(stopped);
    expect(clock.now()).toBe(11_000);
    expect(h.outcome).toBe('interrupted');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ source: 'audio_output', at: 11_000 });
    expect(errors[0]!.error).toBeInstanceOf(DependencyStalledError);
    expect(errors[0]!.error).toMatchObject({ dependency: 'audio_output', ms: 10_000 });
    await clock.runUntil(next.waitForPlayout());
    expect(historyLines(session.history)).toEqual(['user:next', 'assistant:Next one.']);
    expect(session.agentState).toBe('listening');
    expect(clock.nextTimerIn()).toBeUndefined();
  });

  it('a cut reported in time is used as before, and no limit fires', async () => {
    const clock = new VirtualClock();
    const audioOutput = new UnreportedCutOutput(clock);
    audioOutput.swallowCuts = false;
    const { session, errors } = stallSession(clock, { replies, audioOutput });
    await session.start();
    const h = session.say(LONG);
    h.waitForPlayout().catch(() => {});
    await clock.advance(1_000);
    await clock.runUntil(session.interrupt());
    expect(clock.now()).toBe(1_000);
    expect(historyLines(session.history)).toEqual(['assistant:This sentence plays [interrupted]']);
    expect(errors).toEqual([]);
    expect(clock.nextTimerIn()).toBeUndefined();
  });

  it('with ioTimeouts: false the interrupt waits for the report forever, as before', async () => {
    const clock = new VirtualClock();
    const audioOutput = new UnreportedCutOutput(clock);
    const { session, errors } = stallSession(clock, { replies, audioOutput, session: { ioTimeouts: false } });
    await session.start();
    session.say(LONG).waitForPlayout().catch(() => {});
    await clock.advance(1_000);
    const stopped = session.interrupt();
    const next = session.generateReply({ userInput: 'next' });
    await expect(clock.runUntil(stopped, { maxMs: 60_000 })).rejects.toBeInstanceOf(VirtualClockStallError);
    expect(next.state).toBe('queued');
    expect(errors).toEqual([]);
  });
});
