import { describe, expect, it } from 'vitest';
import { Agent, handoff, tool } from '../src/index.js';
import { checkAgent, formatAgentCheck } from '../src/testing/index.js';

// checkAgent explores your agents' hooks that speak when their classes override onEnter or onExit:
// a greeting from onEnter (not awaited, maybe late) and a goodbye onExit awaits.

class Concierge extends Agent {
  constructor() {
    super({
      id: 'concierge',
      instructions: 'Greet, then hand off to billing when asked.',
      tools: { to_billing: tool({ description: 'Hand off to billing.', behavior: { handsOff: true }, execute: async () => handoff({ agent: new Billing() }) }) },
    });
  }
  override async onEnter() {
    this.session.generateReply({ instructions: 'Greet the caller' });
  }
  override async onExit() {
    await this.session.say('Passing you to billing now.').waitForPlayout();
  }
}

class Billing extends Agent {
  constructor() {
    super({ id: 'billing', instructions: 'You answer billing questions.' });
  }
  override async onEnter() {
    this.session.generateReply({ instructions: 'Introduce yourself' });
  }
}

describe('checkAgent with hooks that speak', () => {
  // An exploration of some 10^5 states: seconds alone, longer on a loaded CI box.
  it('explores a greeting and an awaited goodbye beside the handoff, and finds no deadlock', { timeout: 300_000 }, () => {
    const r = checkAgent({ agents: [new Concierge(), new Billing()] });
    expect(r.bounds.hooksSpeak).toBe(true);
    expect(r.findings).toEqual([]);
    expect(r.ok).toBe(true);
    expect(formatAgentCheck(r)[0]).toContain('hooks that speak');
  });

  it('leaves hooks quiet for agents that do not override them, and obeys hooksSpeak', () => {
    const plain = new Agent({ id: 'plain', instructions: 'x' });
    const quiet = checkAgent({ agents: [plain], speeches: 1 });
    expect(quiet.bounds.hooksSpeak).toBe(false);
    const forced = checkAgent({ agents: [plain], speeches: 1, hooksSpeak: true });
    expect(forced.bounds.hooksSpeak).toBe(true);
    expect(forced.ok).toBe(true);
    expect(forced.states).toBeGreaterThan(quiet.states);
  });
});
