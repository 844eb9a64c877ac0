import { describe, expect, it } from 'vitest';
import { preemptiveSession } from './support/preemptive-fixture.js';

// The user speaks 0-1000 ms; the STT's final "Hello" comes at 1100 ms (the LLM starts on it), then a
// second final "there" for the same speech at 1300 ms, before the commit (1500 ms): the transcript
// changed, so the first request is cancelled and a new one is made with the whole text.

describe('a transcript that changes cancels the preemptive generation', () => {
  it('the request for "Hello" is aborted at 1300 ms; "Hello there" is asked then, and that is the reply', async () => {
    const s = await preemptiveSession({ speeches: [{ startMs: 0, endMs: 1000 }], transcripts: [{ final: { text: 'Hello', afterEndMs: 100 } }] });
    s.clock.setTimeout(() => s.voice.userTurn.finalTranscript('there', 'en'), 1300);
    const abortedAt: number[] = [];
    await s.clock.advance(1200);
    expect(s.requestLines()).toEqual(['Hello@1100']);
    s.requests[0]!.signal.addEventListener('abort', () => abortedAt.push(s.clock.now()));
    await s.clock.advance(3800);
    expect(abortedAt).toEqual([1300]);
    expect(s.requestLines()).toEqual(['Hello@1100!', 'Hello there@1300']);
    expect(s.commits).toEqual(['Hello there@1500']);
    // The second request's answer (600 ms after 1300) is played, never the first's.
    expect(s.speaking).toEqual([1900]);
    expect(s.session.history.map((i) => (i.type === 'message' ? `${i.role}:${i.content}` : i.type))).toEqual(['user:Hello there', 'assistant:Okay.']);
    expect(s.errors).toEqual([]);
  });

  it('while the agent speaks the transcript changes: the request is cancelled at once and not started again until the reply asks', async () => {
    // A say() (not added to history) plays from 1200 ms for 550 ms: the agent is busy when "there"
    // comes at 1300 ms, so no new preemptive request; the commit (1500 ms) waits for the say's end.
    const s = await preemptiveSession({ speeches: [{ startMs: 0, endMs: 1000 }], transcripts: [{ final: { text: 'Hello', afterEndMs: 100 } }] });
    s.clock.setTimeout(() => s.session.say('One moment.', { addToHistory: false }), 1200);
    s.clock.setTimeout(() => s.voice.userTurn.finalTranscript('there', 'en'), 1300);
    await s.clock.advance(1300);
    expect(s.requestLines()).toEqual(['Hello@1100!']);
    await s.clock.advance(3700);
    // The reply starts when the say ends (1200 + 11 characters × 50 ms) and asks for the whole text.
    expect(s.commits).toEqual(['Hello there@1750']);
    expect(s.requestLines()).toEqual(['Hello@1100!', 'Hello there@1750']);
    expect(s.errors).toEqual([]);
  });
});
