import { describe, expect, it } from 'vitest';
import type { AudioFrame, TTS } from '../src/index.js';
import { VirtualClock, VirtualClockStallError } from '../src/testing/index.js';
import { historyLines } from './support/session-fixture.js';
import { HangingTTS, never, stallSession, stalledCause, watchWait } from './support/stalling-fakes.js';

/** A TTS that takes all its text and never answers (ignoring its signal). */
class SwallowingTTS implements TTS {
  readonly sampleRate = 24000;
  readonly numChannels = 1;
  readonly signals: AbortSignal[] = [];
  async *synthesize(text: AsyncIterable<string>, { signal }: { signal: AbortSignal }): AsyncIterable<AudioFrame> {
    this.signals.push(signal);
    for await (const _ of text) {
      // taken, never spoken
    }
    await never();
  }
}

// A TTS that stops sending frames used to hold the floor for good; now the TTS limit (ioTimeouts.ttsMs,
// 10 s by default) fails the speech. The TTS is only held to it while it has text to answer: waiting
// for the LLM is not a stall.
describe('a TTS that stalls', () => {
  const replies = [
    { when: { userInput: 'speak' }, reply: 'This sentence is long enough for many frames.' },
    { when: { userInput: 'next' }, reply: 'Next one.' },
  ];

  it('fails the speech after 10 s without a frame: typed error, tts error event, stream aborted, next turn served', async () => {
    const clock = new VirtualClock();
    const tts = new HangingTTS({ hangOnCall: 1, frames: 5 }); // 0.1 s of audio, then nothing
    const { session, errors } = stallSession(clock, { replies, tts });
    await session.start();
    const hung = session.generateReply({ userInput: 'speak' });
    const hungWait = watchWait(hung);
    const next = session.generateReply({ userInput: 'next' });
    await clock.advance(9_999);
    expect(hung.done()).toBe(false);
    expect(next.state).toBe('queued');
    await clock.runUntil(next.waitForPlayout());
    const cause = await stalledCause(hung, hungWait);
    expect(cause).toMatchObject({ dependency: 'tts', ms: 10_000 });
    expect(errors).toEqual([{ error: cause, source: 'tts', at: 10_000 }]);
    expect(tts.signals[0]!.aborted).toBe(true);
    // 0.1 s heard: not a word of the failed reply enters history.
    expect(historyLines(session.history)).toEqual(['user:speak', 'user:next', 'assistant:Next one.']);
    expect(session.agentState).toBe('listening');
    expect(clock.nextTimerIn()).toBeUndefined();
  });

  it('a TTS that swallows its text owes audio from the end of the text on: fails 10 s after the LLM ends', async () => {
    const clock = new VirtualClock();
    const tts = new SwallowingTTS();
    const slow = { when: { userInput: 'speak' }, reply: ['Part one. ', 'Part two. ', 'Part three.'], chunkDelayMs: 8_000 };
    const { session, errors } = stallSession(clock, { replies: [slow], tts, session: { ioTimeouts: { ttsMs: 10_000, audioOutputMs: false } } });
    await session.start();
    const hung = session.generateReply({ userInput: 'speak' });
    const hungWait = watchWait(hung);
    // The text ends at 16 s; until then the TTS waits for the LLM between chunks, which is no stall.
    await clock.runUntil(hungWait.catch(() => {}));
    const cause = await stalledCause(hung, hungWait);
    expect(cause).toMatchObject({ dependency: 'tts', ms: 10_000 });
    expect(errors.map((e) => [e.source, e.at])).toEqual([['tts', 26_000]]);
    expect(tts.signals[0]!.aborted).toBe(true);
    expect(clock.nextTimerIn()).toBeUndefined();
  });

  it('waiting for a slow LLM is not a stall, even with a TTS limit shorter than the LLM gaps', async () => {
    const clock = new VirtualClock();
    const slow = { when: { userInput: 'slow' }, reply: ['One. ', 'Two. ', 'Three.'], ttftMs: 5_000, chunkDelayMs: 5_000 };
    const { session, errors } = stallSession(clock, { replies: [slow], session: { ioTimeouts: { ttsMs: 1_000 } } });
    await session.start();
    const h = session.generateReply({ userInput: 'slow' });
    await clock.runUntil(h.waitForPlayout());
    expect(h.outcome).toBe('done');
    expect(errors).toEqual([]);
    expect(historyLines(session.history)).toEqual(['user:slow', 'assistant:One. Two. Three.']);
    expect(clock.nextTimerIn()).toBeUndefined();
  });

  it('with ioTimeouts: false it parks as before', async () => {
    const clock = new VirtualClock();
    const tts = new HangingTTS({ hangOnCall: 1, frames: 5 });
    const { session, errors } = stallSession(clock, { replies, tts, session: { ioTimeouts: false } });
    await session.start();
    const hung = session.generateReply({ userInput: 'speak' });
    const next = session.generateReply({ userInput: 'next' });
    await expect(clock.runUntil(next.waitForPlayout(), { maxMs: 60_000 })).rejects.toBeInstanceOf(VirtualClockStallError);
    expect(hung.done()).toBe(false);
    expect(next.state).toBe('queued');
    expect(errors).toEqual([]);
    await clock.runUntil(session.close());
  });
});
