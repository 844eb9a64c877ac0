import { describe, expect, it } from 'vitest';
import { Agent } from '../src/index.js';
import { preemptiveSession } from './support/preemptive-fixture.js';

// The LLM starts on "Hello" at 1100 ms for the current agent. At 1200 ms the session hands over to a
// billing agent: the request was made with the old agent's instructions and tools, so it is
// cancelled then; the turn (committed at 1500 ms) is answered by the new agent with a new request.

describe('an agent handoff cancels the preemptive generation', () => {
  it('aborted at the handoff (1200 ms); the reply asks the new agent at the commit', async () => {
    const s = await preemptiveSession({ speeches: [{ startMs: 0, endMs: 1000 }], transcripts: [{ final: { text: 'Hello', afterEndMs: 100 } }], session: { instructions: 'You are the front desk.' } });
    s.clock.setTimeout(() => s.session.updateAgent(new Agent({ id: 'billing', instructions: 'You are billing.' })), 1200);
    const abortedAt: number[] = [];
    await s.clock.advance(1150);
    expect(s.requestLines()).toEqual(['Hello@1100']);
    expect(s.requests[0]!.req.instructions).toBe('You are the front desk.');
    s.requests[0]!.signal.addEventListener('abort', () => abortedAt.push(s.clock.now()));
    await s.clock.advance(4000);
    expect(abortedAt).toEqual([1200]);
    expect(s.requestLines()).toEqual(['Hello@1100!', 'Hello@1500']);
    expect(s.requests[1]!.req.instructions).toBe('You are billing.');
    expect(s.speaking).toEqual([2100]);
    expect(s.errors).toEqual([]);
  });

  it('no preemptive generation starts while an agent transition is under way', async () => {
    // The first agent's onExit holds the handoff asked at 1050 ms until 1300 ms: the final at 1100 ms
    // starts nothing; the turn committed at 1500 ms is answered by the new agent.
    let clock!: { now(): number; setTimeout(fn: () => void, ms: number): unknown };
    class SlowExit extends Agent {
      override async onExit() {
        await new Promise<void>((r) => clock.setTimeout(r, 1300 - clock.now()));
      }
    }
    const s = await preemptiveSession({ speeches: [{ startMs: 0, endMs: 1000 }], transcripts: [{ final: { text: 'Hello', afterEndMs: 100 } }], session: { agent: new SlowExit({ id: 'front', instructions: 'You are the front desk.' }) } });
    clock = s.clock;
    s.clock.setTimeout(() => s.session.updateAgent(new Agent({ id: 'billing', instructions: 'You are billing.' })), 1050);
    await s.clock.advance(5000);
    expect(s.requestLines()).toEqual(['Hello@1500']);
    expect(s.requests[0]!.req.instructions).toBe('You are billing.');
    expect(s.errors).toEqual([]);
  });
});
