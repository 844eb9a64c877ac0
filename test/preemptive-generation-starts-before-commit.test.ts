import { describe, expect, it } from 'vitest';
import { preemptiveSession } from './support/preemptive-fixture.js';

// LiveKit's preemptive generation: the LLM starts on the final transcript while the turn is still
// endpointing; at the commit the reply uses that request's stream. The user speaks 0-1000 ms, the
// final transcript comes at 1100 ms, the turn is committed at 1500 ms (500 ms after the end of speech);
// the LLM answers 600 ms after its request.

const SPEECH = [{ startMs: 0, endMs: 1000 }];
const HELLO = [{ final: { text: 'Hello', afterEndMs: 100 } }];

describe('preemptive generation starts the LLM at the final transcript, before the commit', () => {
  it('one request, at 1100 ms; the agent speaks at 1700 ms instead of 2100 ms', async () => {
    const on = await preemptiveSession({ speeches: SPEECH, transcripts: HELLO });
    await on.clock.advance(5000);
    expect(on.requestLines()).toEqual(['Hello@1100']);
    expect(on.commits).toEqual(['Hello@1500']);
    expect(on.speaking).toEqual([1700]);
    expect(on.errors).toEqual([]);

    const off = await preemptiveSession({ speeches: SPEECH, transcripts: HELLO, turn: { preemptiveGeneration: false } });
    await off.clock.advance(5000);
    expect(off.requestLines()).toEqual(['Hello@1500']);
    expect(off.speaking).toEqual([2100]);
    // Earlier by the time from the final transcript to the commit.
    expect(off.speaking[0]! - on.speaking[0]!).toBe(1500 - 1100);
  });

  it('the reply is the one the request made, and its llm_metrics say preemptive', async () => {
    const s = await preemptiveSession({ speeches: SPEECH, transcripts: HELLO });
    await s.clock.advance(5000);
    expect(s.session.history.map((i) => (i.type === 'message' ? `${i.role}:${i.content}` : i.type))).toEqual(['user:Hello', 'assistant:Okay.']);
    const llm = s.metrics.filter((m) => m.type === 'llm_metrics');
    expect(llm).toHaveLength(1);
    expect(llm[0]).toMatchObject({ preemptive: true, cancelled: false, step: 1 });
  });

  it('a commit before the answer came waits for the rest of the same stream (no second request)', async () => {
    const s = await preemptiveSession({ speeches: SPEECH, transcripts: HELLO, replies: [{ reply: 'Okay.', ttftMs: 1000 }] });
    await s.clock.advance(5000);
    expect(s.requestLines()).toEqual(['Hello@1100']);
    expect(s.speaking).toEqual([2100]);
  });
});
