import { describe, expect, it } from 'vitest';
import { Agent } from '../src/index.js';
import { TestAgent, handoffTool } from './support/agent-fixture.js';
import { historyLines, makeSession } from './support/session-fixture.js';

describe('a handoff returned by a tool whose speech is interrupted', () => {
  it('is not applied: the agent stays, the output says the handoff did not happen, the next turn is the same agent', async () => {
    const handoffs: string[] = [];
    const transfer = handoffTool(() => new Agent({ id: 'booking', instructions: 'BOOKING' }));
    const { clock, session, llm } = makeSession({
      session: { agent: new TestAgent({ id: 'greeter', instructions: 'GREETER', tools: { transfer } }) },
      replies: [
        // A long preamble: the tool returns its handoff at once, the user cuts the preamble short.
        { when: { userInput: 'book a table' }, reply: ['Let me transfer you to our booking desk, it will only take a moment.', { type: 'toolCall', callId: 'c1', name: 'transfer', arguments: '{}' }] },
        { when: { userInput: 'never mind' }, reply: 'Sure, anything else?' },
      ],
    });
    session.on('agent_handoff', (e) => handoffs.push(`${e.oldAgentId ?? '-'}>${e.newAgentId}`));
    await session.start();
    const h = session.generateReply({ userInput: 'book a table' });
    await clock.runUntilTrue(() => session.history.length === 1 && session.agentState === 'speaking');
    await clock.advance(300);
    await clock.runUntil(session.interrupt());
    expect(h.outcome).toBe('interrupted');
    await clock.runUntil(session.generateReply({ userInput: 'never mind' }).waitForPlayout());
    expect(session.currentAgent.id).toBe('greeter');
    expect(handoffs).toEqual(['->greeter']);
    const lines = historyLines(session.history);
    expect(lines).toContain('output:transfer:error:error: the agent handoff was interrupted and did not happen');
    expect(lines.some((l) => l.startsWith('handoff:'))).toBe(false);
    expect(lines.at(-1)).toBe('assistant:Sure, anything else?');
    expect(llm.requests.at(-1)!.instructions).toContain('GREETER');
  });
});
