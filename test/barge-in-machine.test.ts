import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { bargeInMachine, countWords, resolveBargeInOptions, type BargeInEvent, type BargeInInput } from '../machines/barge-in.machine.js';

/** The pure machine with every effect recorded by name (timers included: they are only requests here). */
function run(input: BargeInInput = {}) {
  const calls: string[] = [];
  const rec = (name: string) => (_: unknown, p?: unknown) => void calls.push(p === undefined ? name : `${name}(${Object.values(p as object).join(',')})`);
  const machine = bargeInMachine.provide({
    actions: {
      startMinDurationTimer: rec('startMinDurationTimer'),
      cancelMinDurationTimer: rec('cancelMinDurationTimer'),
      startFalseInterruptionTimer: rec('startFalseInterruptionTimer'),
      cancelFalseInterruptionTimer: rec('cancelFalseInterruptionTimer'),
      pauseSpeech: rec('pauseSpeech'),
      resumeSpeech: rec('resumeSpeech'),
      interruptSpeech: rec('interruptSpeech'),
      commitUserTurn: rec('commitUserTurn'),
      dropUserTurn: rec('dropUserTurn'),
      declineUserTurn: rec('declineUserTurn'),
      reportFalseInterruption: rec('reportFalseInterruption'),
    },
  });
  const actor = createActor(machine, { input }).start();
  const send = (...events: (BargeInEvent | BargeInEvent['type'])[]) => {
    for (const e of events) actor.send(typeof e === 'string' ? ({ type: e } as BargeInEvent) : e);
  };
  const state = () => actor.getSnapshot().value;
  const effects = () => calls.filter((c) => !/Timer/.test(c));
  return { actor, send, state, calls, effects };
}

const speaking = (allowInterruptions = true): BargeInEvent => ({ type: 'AGENT_SPEAKING', allowInterruptions });
const interim = (text: string): BargeInEvent => ({ type: 'INTERIM_TRANSCRIPT', text });
const final = (text: string): BargeInEvent => ({ type: 'FINAL_TRANSCRIPT', text });

describe('barge-in machine (pure)', () => {
  it('a short noise during agent speech: the minimum-duration timer is started and cancelled, nothing else', () => {
    const m = run();
    m.send(speaking(), 'USER_SPEECH_STARTED');
    expect(m.state()).toEqual({ userSpeaking: 'measuring' });
    m.send('USER_SPEECH_ENDED');
    expect(m.state()).toBe('idle');
    expect(m.calls).toEqual(['startMinDurationTimer', 'cancelMinDurationTimer']);
    m.send('MIN_DURATION_ELAPSED'); // a late timer event is ignored
    expect(m.state()).toBe('idle');
    expect(m.effects()).toEqual([]);
  });

  it('long speech with no words: pause, false-interruption timer from the end of speech, then resume', () => {
    const m = run();
    m.send(speaking(), 'USER_SPEECH_STARTED', 'MIN_DURATION_ELAPSED');
    expect(m.state()).toEqual({ holding: 'userSpeaking' });
    expect(m.calls).toEqual(['startMinDurationTimer', 'cancelMinDurationTimer', 'pauseSpeech']);
    m.send('FALSE_INTERRUPTION_TIMEOUT'); // no timer runs while the user speaks: ignored
    expect(m.state()).toEqual({ holding: 'userSpeaking' });
    m.send('USER_SPEECH_ENDED');
    expect(m.state()).toEqual({ holding: 'awaitingWords' });
    m.send('FALSE_INTERRUPTION_TIMEOUT');
    expect(m.state()).toBe('idle');
    expect(m.calls.slice(3)).toEqual(['startFalseInterruptionTimer', 'cancelFalseInterruptionTimer', 'resumeSpeech(falseInterruption)']);
  });

  it('words while holding interrupt at once (user still speaking, or after, when STT lags)', () => {
    const a = run();
    a.send(speaking(), 'USER_SPEECH_STARTED', 'MIN_DURATION_ELAPSED', interim('wait'));
    expect(a.state()).toEqual({ userSpeaking: 'long' });
    expect(a.effects()).toEqual(['pauseSpeech', 'interruptSpeech']);
    a.send('USER_SPEECH_ENDED', final('wait a second'));
    expect(a.effects()).toEqual(['pauseSpeech', 'interruptSpeech', 'commitUserTurn(wait a second)']);

    const b = run();
    b.send(speaking(), 'USER_SPEECH_STARTED', 'MIN_DURATION_ELAPSED', 'USER_SPEECH_ENDED', final('stop please'));
    expect(b.state()).toBe('idle');
    expect(b.calls).toEqual([
      'startMinDurationTimer',
      'cancelMinDurationTimer',
      'pauseSpeech',
      'startFalseInterruptionTimer',
      'cancelFalseInterruptionTimer',
      'interruptSpeech',
      'commitUserTurn(stop please)',
    ]);
  });

  it('with a VAD, words wait for the minimum duration (LiveKit #3515), then interrupt once', () => {
    const m = run();
    m.send(speaking(), 'USER_SPEECH_STARTED', interim('stop'));
    expect(m.state()).toEqual({ userSpeaking: 'measuring' });
    expect(m.effects()).toEqual([]);
    m.send('MIN_DURATION_ELAPSED');
    expect(m.effects()).toEqual(['interruptSpeech']); // once, not again on the duration
  });

  it('without a VAD (transcripts only), words interrupt at once', () => {
    const m = run();
    m.send(speaking(), interim('stop'));
    expect(m.effects()).toEqual(['interruptSpeech']);
  });

  it('the user speaks again before the timeout: the timer is cancelled and the hold goes on', () => {
    const m = run();
    m.send(speaking(), 'USER_SPEECH_STARTED', 'MIN_DURATION_ELAPSED', 'USER_SPEECH_ENDED', 'USER_SPEECH_STARTED');
    expect(m.state()).toEqual({ holding: 'userSpeaking' });
    expect(m.calls.slice(-2)).toEqual(['startFalseInterruptionTimer', 'cancelFalseInterruptionTimer']);
  });

  it('user speech while the agent is silent never pauses or interrupts; the final becomes the user turn', () => {
    const m = run();
    m.send('USER_SPEECH_STARTED', 'MIN_DURATION_ELAPSED', interim('book a'), 'USER_SPEECH_ENDED');
    expect(m.effects()).toEqual([]);
    m.send(final('book a table'));
    expect(m.effects()).toEqual(['commitUserTurn(book a table)']);
  });

  it('words during an uninterruptible speech: no pause, no interrupt, the turn is discarded', () => {
    const m = run();
    m.send(speaking(false), 'USER_SPEECH_STARTED', 'MIN_DURATION_ELAPSED', interim('hello there'), 'USER_SPEECH_ENDED', final('hello there'));
    expect(m.effects()).toEqual(['dropUserTurn(hello there,uninterruptible)']);
  });

  it('with discardAudioIfUninterruptible off, that turn is committed (it will queue behind the speech)', () => {
    const m = run({ discardAudioIfUninterruptible: false });
    m.send(speaking(false), 'USER_SPEECH_STARTED', 'MIN_DURATION_ELAPSED', 'USER_SPEECH_ENDED', final('hello there'));
    expect(m.effects()).toEqual(['commitUserTurn(hello there)']);
  });

  it('minInterruptionWords: long speech alone does nothing; a short backchannel is declined and kept; its words add up with the next', () => {
    const m = run({ minInterruptionWords: 2 });
    m.send(speaking(), 'USER_SPEECH_STARTED', 'MIN_DURATION_ELAPSED', interim('yeah'));
    expect(m.state()).toEqual({ userSpeaking: 'long' });
    expect(m.effects()).toEqual([]);
    m.send('USER_SPEECH_ENDED', final('yeah'));
    expect(m.effects()).toEqual(['declineUserTurn(yeah,1)']);
    expect(m.actor.getSnapshot().context.keptText).toBe('yeah');
    m.send('USER_SPEECH_STARTED', interim('no'), 'MIN_DURATION_ELAPSED'); // 'yeah' + 'no' = 2 words
    expect(m.effects()).toEqual(['declineUserTurn(yeah,1)', 'interruptSpeech']);
    m.send('USER_SPEECH_ENDED', final('no'));
    expect(m.effects().at(-1)).toBe('commitUserTurn(yeah no)');
  });

  it('without false-interruption resume, long speech interrupts at once', () => {
    for (const input of [{ resumeFalseInterruption: false }, { falseInterruptionTimeout: null }]) {
      const m = run(input);
      m.send(speaking(), 'USER_SPEECH_STARTED', 'MIN_DURATION_ELAPSED');
      expect(m.state()).toEqual({ userSpeaking: 'long' });
      expect(m.effects()).toEqual(['interruptSpeech']);
    }
  });

  it('the agent starts speaking while the user already speaks long: held at once', () => {
    const m = run();
    m.send('USER_SPEECH_STARTED', 'MIN_DURATION_ELAPSED', speaking());
    expect(m.state()).toEqual({ holding: 'userSpeaking' });
  });

  it('the held speech ends on its own (or by the API): the hold and its timer go, nothing is resumed', () => {
    const m = run();
    m.send(speaking(), 'USER_SPEECH_STARTED', 'MIN_DURATION_ELAPSED', 'USER_SPEECH_ENDED', 'AGENT_SILENT');
    expect(m.state()).toBe('idle');
    expect(m.calls.slice(-2)).toEqual(['startFalseInterruptionTimer', 'cancelFalseInterruptionTimer']);
    expect(m.effects()).toEqual(['pauseSpeech']);
  });

  it('CLOSE from every state ends the machine; a held speech is resumed and running timers are cancelled', () => {
    const m1 = run();
    m1.send(speaking(), 'USER_SPEECH_STARTED', 'CLOSE');
    expect(m1.actor.getSnapshot().status).toBe('done');
    expect(m1.calls).toEqual(['startMinDurationTimer', 'cancelMinDurationTimer']);
    const m2 = run();
    m2.send(speaking(), 'USER_SPEECH_STARTED', 'MIN_DURATION_ELAPSED', 'USER_SPEECH_ENDED', 'CLOSE');
    expect(m2.actor.getSnapshot().status).toBe('done');
    expect(m2.calls.slice(-2)).toEqual(['cancelFalseInterruptionTimer', 'resumeSpeech(close)']);
    const m3 = run();
    m3.send('CLOSE');
    expect(m3.actor.getSnapshot().status).toBe('done');
  });

  it('stale interim words do not interrupt a speech that starts later', () => {
    const m = run();
    m.send(speaking(), 'USER_SPEECH_STARTED', 'MIN_DURATION_ELAPSED', interim('hang on'), 'USER_SPEECH_ENDED');
    expect(m.effects()).toEqual(['pauseSpeech', 'interruptSpeech']);
    m.send('AGENT_SILENT', speaking());
    expect(m.effects()).toEqual(['pauseSpeech', 'interruptSpeech']);
  });

  it('the agent waits for its tools (nothing audible): long speech holds nothing; words interrupt; the final is answered', () => {
    const m = run();
    m.send({ type: 'AGENT_SPEAKING', allowInterruptions: true, audible: false }, 'USER_SPEECH_STARTED', 'MIN_DURATION_ELAPSED');
    expect(m.state()).toEqual({ userSpeaking: 'long' });
    expect(m.effects()).toEqual([]);
    m.send(interim('stop that'));
    expect(m.effects()).toEqual(['interruptSpeech']);
    m.send('USER_SPEECH_ENDED', final('stop that'));
    expect(m.effects()).toEqual(['interruptSpeech', 'commitUserTurn(stop that)']);
  });

  it('a held speech between its steps (a silent tool step ended) stays held; its next step is paused as it starts', () => {
    const m = run();
    m.send(speaking(), 'USER_SPEECH_STARTED', 'MIN_DURATION_ELAPSED', 'USER_SPEECH_ENDED');
    expect(m.state()).toEqual({ holding: 'awaitingWords' });
    m.send({ type: 'AGENT_SPEAKING', allowInterruptions: true, audible: false });
    expect(m.state()).toEqual({ holding: 'awaitingWords' });
    m.send(speaking());
    expect(m.effects()).toEqual(['pauseSpeech', 'pauseSpeech']);
    m.send('FALSE_INTERRUPTION_TIMEOUT');
    expect(m.effects().at(-1)).toBe('resumeSpeech(falseInterruption)');
  });

  it('counts words like an STT, and checks options', () => {
    expect(countWords("wait, don't go")).toBe(3);
    expect(countWords('  ... ')).toBe(0);
    expect(countWords('ok 42')).toBe(2);
    expect(resolveBargeInOptions(undefined)).toEqual({
      minInterruptionDuration: 500,
      minInterruptionWords: 0,
      falseInterruptionTimeout: 2000,
      resumeFalseInterruption: true,
      discardAudioIfUninterruptible: true,
    });
    expect(() => resolveBargeInOptions({ minInterruptionWords: -1 })).toThrow(RangeError);
    expect(() => resolveBargeInOptions({ falseInterruptionTimeout: Number.NaN })).toThrow(/falseInterruptionTimeout/);
  });
});
