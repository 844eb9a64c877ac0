import { describe, expect, it } from 'vitest';
import { SpeechInterruptedError, tool } from '../src/index.js';
import { historyLines, makeSession } from './support/session-fixture.js';

describe('interrupt in each phase of a speech', () => {
  it('while queued: the speech never plays and leaves no history', async () => {
    const { clock, session, audioOutput } = makeSession();
    await session.start();
    const first = session.say('The first speech is playing now.');
    const queued = session.say('The queued one.');
    await clock.advance(300);
    expect(queued.state).toBe('queued');
    const wait = queued.waitForPlayout();
    queued.interrupt();
    expect(queued.interrupted).toBe(true);
    await expect(wait).rejects.toBeInstanceOf(SpeechInterruptedError);
    await clock.runUntil(first.waitForPlayout());
    await clock.runAll();
    expect(audioOutput.segments).toHaveLength(1);
    expect(historyLines(session.history)).toEqual(['assistant:The first speech is playing now.']);
  });

  it('while generating, before any audio: no assistant message, the LLM stream is aborted', async () => {
    const { clock, session, llm, audioOutput } = makeSession({ replies: [{ reply: 'A slow answer.', ttftMs: 1000 }] });
    await session.start();
    const h = session.generateReply({ userInput: 'hi' });
    await clock.advance(200);
    expect(h.state).toEqual({ active: 'generating' });
    expect(session.agentState).toBe('thinking');
    await clock.runUntil(session.interrupt());
    expect(llm.requests[0]?.signal.aborted).toBe(true);
    expect(audioOutput.segments).toHaveLength(0);
    expect(historyLines(session.history)).toEqual(['user:hi']);
    expect(session.agentState).toBe('listening');
  });

  it('while playing: the heard text is kept, cut at the playback position', async () => {
    const { clock, session, audioOutput } = makeSession();
    await session.start();
    const h = session.say('one two three four five six seven eight'); // 39 chars: 1.95 s
    await clock.advance(1000);
    expect(session.agentState).toBe('speaking');
    await clock.runUntil(session.interrupt());
    expect(h.interrupted).toBe(true);
    expect(audioOutput.segments[0]).toMatchObject({ interrupted: true, playbackPosition: 1 });
    expect(historyLines(session.history)).toEqual(['assistant:one two three four [interrupted]']);
  });

  it('while tools run after the preamble played: full preamble kept, the tool aborted', async () => {
    let signal: AbortSignal | undefined;
    const lookup = tool({
      description: 'slow lookup',
      execute: (_a, o) => {
        signal = o.abortSignal;
        return new Promise((resolve) => o.abortSignal.addEventListener('abort', () => resolve('too late')));
      },
    });
    const { clock, session } = makeSession({
      tools: { lookup },
      replies: [{ when: { userInput: 'look it up' }, reply: ['Looking.', { type: 'toolCall', callId: 'c1', name: 'lookup', arguments: '{}' }] }],
    });
    await session.start();
    const h = session.generateReply({ userInput: 'look it up' });
    await clock.advance(2000);
    expect(h.state).toEqual({ active: 'awaitingTools' });
    expect(session.agentState).toBe('thinking');
    await clock.runUntil(session.interrupt());
    expect(signal?.aborted).toBe(true);
    expect(historyLines(session.history)).toEqual([
      'user:look it up',
      'assistant:Looking.',
      'call:lookup({})',
      'output:lookup:error:error: the tool was aborted because the user interrupted the speech',
    ]);
  });

  it('after done: interrupt is a no-op that resolves at once', async () => {
    const { clock, session } = makeSession();
    await session.start();
    const h = session.say('short');
    await clock.runUntil(h.waitForPlayout());
    expect(h.interrupt()).toBe(h);
    expect(h.interrupted).toBe(false);
    await clock.runUntil(session.interrupt());
    await expect(h.waitForPlayout()).resolves.toBeUndefined();
  });

  it('waitIfNotInterrupted rejects at once on interrupt and passes results through otherwise', async () => {
    const { clock, session } = makeSession();
    await session.start();
    const h = session.say('a long sentence that keeps playing for a while');
    await clock.advance(100);
    await expect(h.waitIfNotInterrupted(Promise.resolve(42))).resolves.toBe(42);
    const never = new Promise<number>(() => {});
    const raced = h.waitIfNotInterrupted(never);
    h.interrupt();
    await expect(raced).rejects.toBeInstanceOf(SpeechInterruptedError);
    await expect(h.waitIfNotInterrupted(Promise.resolve(1))).rejects.toBeInstanceOf(SpeechInterruptedError);
    await clock.runAll();
  });

  it('interrupts every queued speech that allows it, keeps uninterruptible queued ones', async () => {
    const { clock, session } = makeSession();
    await session.start();
    const current = session.say('current');
    const q1 = session.say('queued one');
    const keep = session.say('queued announcement', { allowInterruptions: false });
    await clock.advance(100);
    const stopped = session.interrupt();
    expect([current.interrupted, q1.interrupted, keep.interrupted]).toEqual([true, true, false]);
    await clock.runUntil(stopped);
    await clock.runUntil(keep.waitForPlayout());
    expect(historyLines(session.history)).toEqual(['assistant:queued announcement']);
  });

  it('done callbacks run once the speech is final, including for late registrations', async () => {
    const { clock, session } = makeSession();
    await session.start();
    const h = session.say('hello there');
    const seen: string[] = [];
    h.addDoneCallback((x) => seen.push(`early:${x.interrupted}`));
    await clock.advance(100);
    h.interrupt();
    h.addDoneCallback((x) => seen.push(`late:${x.interrupted}`));
    await clock.runAll();
    expect(seen).toEqual(['early:true', 'late:true']);
  });
});

describe('interrupt from a speech_created listener', () => {
  it('ends the new speech before it plays and leaves scheduling free', async () => {
    const { clock, session } = makeSession();
    await session.start();
    let once = true;
    session.on('speech_created', ({ speechHandle }) => {
      if (once) {
        once = false;
        speechHandle.interrupt();
      }
    });
    const first = session.say('cancelled at birth');
    expect(first.interrupted).toBe(true);
    const second = session.say('this one plays');
    await clock.runUntil(second.waitForPlayout());
    expect(session.history.map((i) => (i.type === 'message' ? i.content : ''))).toEqual(['this one plays']);
  });
});
