import { describe, expect, it } from 'vitest';
import { TestAgent, deferred } from './support/agent-fixture.js';
import { makeSession } from './support/session-fixture.js';

describe('agent transitions', () => {
  it('run one at a time in the order asked: a second handoff asked during one waits for it, never interleaves', async () => {
    const log: string[] = [];
    const exitA = deferred();
    const mk = (id: string, exit?: Promise<void>) =>
      new TestAgent({ id, instructions: id.toUpperCase() }, { onEnter: () => log.push(`enter ${id}`), onExit: async () => { log.push(`exit ${id} begins`); await exit; log.push(`exit ${id} ends`); } });
    const { clock, session } = makeSession({ session: { agent: mk('a', exitA.promise) } });
    session.on('agent_handoff', (e) => log.push(`handoff ${e.oldAgentId ?? '-'}>${e.newAgentId}`));
    await session.start();
    session.updateAgent(mk('b'));
    await clock.runAll();
    session.updateAgent(mk('c'));
    await clock.runAll();
    expect(session.currentAgent.id).toBe('a');
    exitA.resolve();
    await clock.runUntilTrue(() => session.currentAgent.id === 'c');
    expect(log).toEqual([
      'handoff ->a',
      'enter a',
      'exit a begins',
      'exit a ends',
      'handoff a>b',
      'enter b',
      'exit b begins',
      'exit b ends',
      'handoff b>c',
      'enter c',
    ]);
  });

  it('before start(), updateAgent replaces the agent that enters first', async () => {
    const { clock, session } = makeSession({ session: { agent: new TestAgent({ id: 'a', instructions: 'A' }) } });
    const handoffs: string[] = [];
    session.on('agent_handoff', (e) => handoffs.push(`${e.oldAgentId ?? '-'}>${e.newAgentId}`));
    session.updateAgent(new TestAgent({ id: 'b', instructions: 'B' }));
    expect(session.currentAgent.id).toBe('b');
    await session.start();
    await clock.runAll();
    expect(handoffs).toEqual(['->b']);
    expect(session.history).toEqual([]);
  });
});
