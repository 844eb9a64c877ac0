import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { SpeechInterruptedError, tool } from '../src/index.js';
import type { BargeInActivity } from '../src/voice/barge-in.js';
import { ScriptedSTT, type ScriptedTranscript } from '../src/voice/stt.js';
import { attachVoiceInput, scheduleScriptedSpeech, type ScriptedSpeech } from '../src/voice/voice-input.js';
import { FIRST_INPUT, SECOND_INPUT, seedSession } from './support/seed-fixture.js';
import { historyLines, makeSession } from './support/session-fixture.js';

// The user's voice on virtual time: a scripted VAD (speech boundaries at given times) and a scripted
// STT drive the barge-in machine against a real AgentSession on FakeTTS + VirtualAudioOutput.

// 100 characters: 5 s of FakeTTS audio at 50 ms a character.
const LONG = 'This is a long answer that goes on for a while, so that the user has time to barge in on it.'.padEnd(100, '.');

function voice(session: Parameters<typeof attachVoiceInput>[0], clock: Parameters<typeof attachVoiceInput>[1]['clock'], o: { speeches: ScriptedSpeech[]; transcripts?: ScriptedTranscript[]; options?: Parameters<typeof attachVoiceInput>[1]['options']; inspect?: (e: InspectionEvent) => void }) {
  const activity: BargeInActivity[] = [];
  const stt = new ScriptedSTT(clock, o.transcripts ?? []);
  const v = attachVoiceInput(session, {
    clock,
    stt,
    // The barge-in policy alone: a turn is committed as soon as it is accepted, and no away timer
    // runs (endpointing and presence have their own tests: test/user-turn-*.test.ts).
    turn: { minEndpointingDelay: 0, maxEndpointingDelay: 0, userAwayTimeout: null },
    onActivity: (a) => activity.push(a),
    onError: (e) => {
      throw e;
    },
    ...(o.options ? { options: o.options } : {}),
    ...(o.inspect ? { inspect: o.inspect } : {}),
  });
  scheduleScriptedSpeech(clock, o.speeches, v.speech);
  const kinds = () => activity.map((a) => `${a.type}@${a.atMs}`);
  return { v, activity, kinds, stt };
}

describe('barge-in runtime (virtual time, scripted VAD and STT)', () => {
  it('a short noise during agent speech: no pause, no interrupt, the speech plays out on time', async () => {
    const { clock, session, audioOutput, errors } = makeSession();
    await session.start();
    const { v, kinds } = voice(session, clock, { speeches: [{ startMs: 1000, endMs: 1300 }] });
    const h = session.say(LONG);
    let pausedSeen = false;
    h.actor.subscribe((s) => (pausedSeen ||= s.matches({ active: 'paused' })));
    await clock.advance(1200);
    expect(v.bargeIn.actor.getSnapshot().value).toEqual({ userSpeaking: 'measuring' });
    await clock.runUntil(h.waitForPlayout());
    expect(clock.now()).toBe(5000);
    expect(pausedSeen).toBe(false);
    expect(kinds()).toEqual([]);
    expect(audioOutput.segments).toMatchObject([{ interrupted: false, playbackPosition: 5 }]);
    expect(session.history.filter((i) => i.type === 'message' && i.role === 'user')).toEqual([]);
    expect(errors).toEqual([]);
    v.close();
  });

  it('long speech without words: paused at the minimum duration, resumed from the same place after the timeout', async () => {
    const { clock, session, audioOutput, errors } = makeSession();
    await session.start();
    const { v, kinds, activity } = voice(session, clock, { speeches: [{ startMs: 1000, endMs: 2500 }] });
    const h = session.say(LONG);
    let settled = false;
    h.waitForPlayout().then(() => (settled = true));
    await clock.advance(1500);
    expect(h.paused).toBe(true);
    expect(audioOutput.playbackPosition).toBe(1.5);
    await clock.advance(1000 + 1999); // the user stops at 2.5 s; the timeout runs from there
    expect(h.paused).toBe(true);
    expect(v.bargeIn.actor.getSnapshot().value).toEqual({ holding: 'awaitingWords' });
    expect(audioOutput.playbackPosition).toBe(1.5);
    expect(settled).toBe(false); // a held speech's waiters keep waiting
    await clock.advance(1);
    expect(h.paused).toBe(false);
    expect(v.bargeIn.actor.getSnapshot().value).toBe('idle');
    await clock.runUntil(h.waitForPlayout());
    expect(clock.now()).toBe(5000 + 3000); // held from 1.5 s to 4.5 s
    expect(audioOutput.segments).toMatchObject([{ interrupted: false, playbackPosition: 5 }]);
    expect(kinds()).toEqual(['paused@1500', 'resumed@4500', 'falseInterruption@4500']);
    expect(activity[1]).toMatchObject({ reason: 'falseInterruption', speechId: h.id });
    expect(activity[2]).toMatchObject({ resumed: true, speechId: h.id });
    expect(historyLines(session.history)).toEqual([`assistant:${LONG}`]);
    expect(errors).toEqual([]);
    v.close();
  });

  it('words during an uninterruptible speech: it plays on, and the turn is discarded', async () => {
    const { clock, session, audioOutput, errors } = makeSession({ replies: [{ reply: 'A reply.' }] });
    await session.start();
    const { v, kinds, activity } = voice(session, clock, {
      speeches: [{ startMs: 1000, endMs: 2500 }],
      transcripts: [{ interim: [{ afterMs: 300, text: 'hold on' }], final: { text: 'hold on a second', afterEndMs: 200 } }],
    });
    const h = session.say(LONG, { allowInterruptions: false });
    await clock.advance(3000);
    expect(h.paused).toBe(false);
    await clock.runUntil(h.waitForPlayout());
    expect(clock.now()).toBe(5000);
    await clock.runAll();
    expect(audioOutput.segments).toMatchObject([{ interrupted: false, playbackPosition: 5 }]);
    expect(kinds()).toEqual(['userTurnDropped@2700']);
    expect(activity[0]).toMatchObject({ reason: 'uninterruptible', text: 'hold on a second' });
    expect(historyLines(session.history)).toEqual([`assistant:${LONG}`]);
    expect(errors).toEqual([]);
    v.close();
  });

  it('the same words with discardAudioIfUninterruptible off become a turn answered after the speech', async () => {
    const { clock, session, errors } = makeSession({ replies: [{ when: { userInput: 'hold on a second' }, reply: 'Sure.' }] });
    await session.start();
    const { v, kinds } = voice(session, clock, {
      speeches: [{ startMs: 1000, endMs: 2500 }],
      transcripts: [{ final: { text: 'hold on a second', afterEndMs: 200 } }],
      options: { discardAudioIfUninterruptible: false },
    });
    const h = session.say(LONG, { allowInterruptions: false });
    await clock.runUntil(h.waitForPlayout());
    expect(h.interrupted).toBe(false);
    await clock.runAll();
    expect(kinds()).toEqual(['userTurnCommitted@2700']);
    expect(historyLines(session.history)).toEqual([`assistant:${LONG}`, 'user:hold on a second', 'assistant:Sure.']);
    expect(errors).toEqual([]);
    v.close();
  });

  it('barge-in by voice during a tool preamble: the same guarantees as the API path', async () => {
    const { clock, session, probe, audioOutput } = seedSession();
    // VirtualAudioOutput.clearBuffer() un-pauses before it updates the position, so a clear while
    // paused would count the held time as played (up to its 200 ms buffer). Read the position
    // first, while still paused, so the cut is where the hold stopped the audio.
    const clear = audioOutput.clearBuffer.bind(audioOutput);
    audioOutput.clearBuffer = () => {
      void audioOutput.playbackPosition;
      clear();
    };
    const errors: Error[] = [];
    session.on('error', ({ error }) => errors.push(error));
    await session.start();
    const first = session.generateReply({ userInput: FIRST_INPUT });
    // The user speaks from 0.5 s; held at 1.0 s; the first words arrive at 1.2 s; the final after the end.
    const { v, kinds } = voice(session, clock, {
      speeches: [{ startMs: 500, endMs: 2600 }],
      transcripts: [{ interim: [{ afterMs: 700, text: 'Actually' }], final: { text: SECOND_INPUT, afterEndMs: 300 } }],
    });
    await clock.advance(1000);
    expect(first.paused).toBe(true);
    expect(probe.waitError).toBeUndefined();
    expect(probe.signal?.aborted).toBe(false);
    await clock.advance(199);
    // At the first word the speech is interrupted inside the transition: the tool's signal fires and
    // its wait rejects in the microtasks that follow, before any more time passes.
    let waitErrorAtInterrupt: unknown = 'not yet';
    first.addDoneCallback(() => queueMicrotask(() => queueMicrotask(() => (waitErrorAtInterrupt = probe.waitError))));
    await clock.advance(1);
    expect(first.interrupted).toBe(true);
    expect(probe.signal?.aborted).toBe(true);
    expect(waitErrorAtInterrupt).toBeInstanceOf(SpeechInterruptedError);
    expect(probe.waitResolved).toBe(false);
    // The audio stopped at the hold position: held at 1.0 s, 0.9 s after the first frame at 0.1 s.
    expect(audioOutput.segments[0]).toMatchObject({ interrupted: true, playbackPosition: 0.9, endedAt: 1200 });
    await clock.advance(2600 + 300 - 1200);
    expect(kinds()).toEqual(['paused@1000', 'interrupted@1200', 'userTurnCommitted@2900']);
    const second = session.pendingSpeeches.at(-1)!;
    await clock.runUntil(second.waitForPlayout());
    expect(historyLines(session.history)).toEqual([
      `user:${FIRST_INPUT}`,
      'assistant:Sure, let me run [interrupted]',
      'call:slow_tool({})',
      'output:slow_tool:error:error: the tool was aborted because the user interrupted the speech',
      `user:${SECOND_INPUT}`,
      'assistant:Okay, something else then.',
    ]);
    expect(probe.executed).toBe(1);
    expect(errors).toEqual([]);
    expect(session.agentState).toBe('listening');
    v.close();
  });

  it('words while the agent waits for its tool (preamble played, nothing audible): the tool is aborted and the turn answered', async () => {
    let signal: AbortSignal | undefined;
    const lookup = tool({
      description: 'A slow lookup',
      execute: async (_a, { ctx, abortSignal }) => {
        signal = abortSignal;
        await ctx.waitForPlayout();
        await new Promise<void>((resolve) => {
          const t = clock.setTimeout(resolve, 5000);
          abortSignal.addEventListener('abort', () => (clock.clearTimeout(t), resolve()), { once: true });
        });
        return 'found';
      },
    });
    const { clock, session, errors } = makeSession({
      tools: { lookup },
      replies: [
        { when: { userInput: 'look it up' }, reply: ['One moment.', { type: 'toolCall', callId: 'c1', name: 'lookup', arguments: '{}' }] },
        { when: { afterTool: 'lookup' }, reply: 'Found it.' },
        { when: { userInput: 'forget it' }, reply: 'Okay.' },
      ],
    });
    await session.start();
    const first = session.generateReply({ userInput: 'look it up' }); // 0.55 s preamble, then a 5 s tool
    const { v, kinds } = voice(session, clock, {
      speeches: [{ startMs: 1000, endMs: 2000 }],
      transcripts: [{ interim: [{ afterMs: 700, text: 'forget' }], final: { text: 'forget it', afterEndMs: 100 } }],
    });
    await clock.advance(1600);
    expect(first.state).toEqual({ active: 'awaitingTools' });
    expect(kinds()).toEqual([]); // long speech, but nothing audible to hold
    await clock.advance(100);
    expect(kinds()).toEqual(['interrupted@1700']);
    expect(signal?.aborted).toBe(true);
    await clock.runAll();
    expect(historyLines(session.history)).toEqual([
      'user:look it up',
      'assistant:One moment.',
      'call:lookup({})',
      'output:lookup:error:error: the tool was aborted because the user interrupted the speech',
      'user:forget it',
      'assistant:Okay.',
    ]);
    expect(errors).toEqual([]);
    v.close();
  });

  it('user speech while the agent is silent: no interrupt; the final transcript becomes the next turn', async () => {
    const { clock, session, errors } = makeSession({ replies: [{ when: { userInput: 'What time is it?' }, reply: 'It is noon.' }] });
    await session.start();
    const { v, kinds } = voice(session, clock, {
      speeches: [{ startMs: 200, endMs: 1400 }],
      transcripts: [{ interim: [{ afterMs: 400, text: 'What time' }], final: { text: 'What time is it?', afterEndMs: 150 } }],
    });
    await clock.advance(1550);
    expect(kinds()).toEqual(['userTurnCommitted@1550']);
    await clock.runAll();
    expect(historyLines(session.history)).toEqual(['user:What time is it?', 'assistant:It is noon.']);
    expect(errors).toEqual([]);
    v.close();
  });
});

describe('barge-in runtime: the hold against other actors', () => {
  it('an API interrupt of a held speech settles its waiters at once; the policy drops its timer and never resumes it', async () => {
    const { clock, session } = makeSession();
    await session.start();
    const { v, kinds } = voice(session, clock, { speeches: [{ startMs: 1000, endMs: 2000 }] });
    const h = session.say(LONG);
    let waitError: unknown;
    h.waitForPlayout().catch((e) => (waitError = e));
    await clock.advance(2500);
    expect(v.bargeIn.actor.getSnapshot().value).toEqual({ holding: 'awaitingWords' });
    const stopped = session.interrupt();
    await Promise.resolve();
    expect(waitError).toBeInstanceOf(SpeechInterruptedError);
    await clock.runUntil(stopped);
    expect(v.bargeIn.actor.getSnapshot().value).toBe('idle');
    expect(clock.nextTimerIn()).toBeUndefined(); // the false-interruption timer is gone
    expect(kinds()).toEqual(['paused@1500']);
    v.close();
  });

  it('closing the voice input while holding resumes the speech; the session closing closes the policy', async () => {
    const { clock, session } = makeSession();
    await session.start();
    const a = voice(session, clock, { speeches: [{ startMs: 500, endMs: 5000 }] });
    const h = session.say(LONG);
    await clock.advance(1200);
    expect(h.paused).toBe(true);
    a.v.close();
    expect(h.paused).toBe(false);
    expect(a.v.bargeIn.actor.getSnapshot().status).toBe('done');
    expect(a.kinds()).toEqual(['paused@1000', 'resumed@1200']);
    await clock.runUntil(h.waitForPlayout());

    const b = voice(session, clock, { speeches: [] });
    await session.close();
    expect(b.v.bargeIn.actor.getSnapshot().status).toBe('done');
  });

  it('the barge-in actor reports to the inspect observer it is given', async () => {
    const { clock, session } = makeSession();
    await session.start();
    const seen: string[] = [];
    const { v } = voice(session, clock, {
      speeches: [{ startMs: 0, endMs: 100 }],
      inspect: (e) => {
        if (e.type === '@xstate.snapshot' && e.actorRef.id === 'bargeIn') seen.push(`${e.actorRef.id}:${JSON.stringify((e.snapshot as { value?: unknown }).value)}`);
      },
    });
    await clock.advance(200);
    expect(seen).toEqual(['bargeIn:"idle"', 'bargeIn:{"userSpeaking":"measuring"}', 'bargeIn:"idle"']);
    v.close();
  });
});
