import { describe, expect, it } from 'vitest';
import { attachUserTurn } from '../src/voice/user-turn.js';
import { preemptiveSession } from './support/preemptive-fixture.js';

// `turn: { preemptiveGeneration: false }`: the LLM is asked only when the turn is committed.

describe('preemptive generation off', () => {
  it('makes no early request: one request at the commit (1500 ms), the agent speaks 600 ms later', async () => {
    const s = await preemptiveSession({ speeches: [{ startMs: 0, endMs: 1000 }], transcripts: [{ final: { text: 'Hello', afterEndMs: 100 } }], turn: { preemptiveGeneration: false } });
    await s.clock.advance(1499);
    expect(s.requestLines()).toEqual([]);
    await s.clock.advance(3000);
    expect(s.requestLines()).toEqual(['Hello@1500']);
    expect(s.speaking).toEqual([2100]);
    expect(s.metrics.find((m) => m.type === 'llm_metrics')).not.toHaveProperty('preemptive');
  });

  it('the option must be a boolean', async () => {
    const s = await preemptiveSession({ speeches: [], transcripts: [] });
    expect(() => attachUserTurn(s.session, { clock: s.clock, options: { preemptiveGeneration: 'yes' as never } })).toThrow(/preemptiveGeneration must be a boolean/);
  });
});
