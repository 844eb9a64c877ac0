import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LLM, LLMChunk } from '../src/index.js';
import { preemptiveSession } from './support/preemptive-fixture.js';

// Closing the session while the LLM runs for the prospective turn aborts that request; nothing is
// committed or played, and a stream that rejects on its abort leaves no unhandled rejection.

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

describe('close cancels the preemptive generation', () => {
  it('aborted at the close (1200 ms); no commit, no reply, no unhandled rejection', async () => {
    const s = await preemptiveSession({ speeches: [{ startMs: 0, endMs: 1000 }], transcripts: [{ final: { text: 'Hello', afterEndMs: 100 } }] });
    const abortedAt: number[] = [];
    await s.clock.advance(1150);
    expect(s.requestLines()).toEqual(['Hello@1100']);
    s.requests[0]!.signal.addEventListener('abort', () => abortedAt.push(s.clock.now()));
    let closed = false;
    s.clock.setTimeout(() => void s.session.close().then(() => (closed = true)), 50);
    await s.clock.advance(4000);
    expect(closed).toBe(true);
    expect(abortedAt).toEqual([1200]);
    expect(s.requestLines()).toEqual(['Hello@1100!']);
    expect(s.commits).toEqual([]);
    expect(s.speaking).toEqual([]);
    expect(s.errors).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(unhandled).toEqual([]);
  });

  it('an LLM stream that rejects when aborted: the rejection is observed, never unhandled', async () => {
    const s = await preemptiveSession({ speeches: [{ startMs: 0, endMs: 1000 }], transcripts: [{ final: { text: 'Hello', afterEndMs: 100 } }] });
    const clock = s.clock;
    // Its first chunk never comes: it rejects with the abort's reason.
    const rejecting: LLM = {
      chat: ({ signal }) => ({
        async *[Symbol.asyncIterator](): AsyncIterator<LLMChunk> {
          await new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
        },
      }),
    };
    const chat = rejecting.chat;
    s.llm.chat = (req) => {
      s.requests.push({ atMs: clock.now(), input: 'Hello', signal: req.signal, req });
      return chat(req);
    };
    clock.setTimeout(() => void s.session.close(), 1200);
    await clock.advance(4000);
    expect(s.requestLines()).toEqual(['Hello@1100!']);
    expect(s.errors).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(unhandled).toEqual([]);
  });

  it('interrupt() cancels it too', async () => {
    const s = await preemptiveSession({ speeches: [{ startMs: 0, endMs: 1000 }], transcripts: [{ final: { text: 'Hello', afterEndMs: 100 } }] });
    s.clock.setTimeout(() => void s.session.interrupt(), 1200);
    await s.clock.advance(5000);
    // Cancelled at the interrupt; the reply committed at 1500 ms asks again.
    expect(s.requestLines()).toEqual(['Hello@1100!', 'Hello@1500']);
    expect(s.speaking).toEqual([2100]);
    expect(s.errors).toEqual([]);
  });
});
