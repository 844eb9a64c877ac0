import { describe, expect, it } from 'vitest';
import { Agent, handoff, tool, type LLMRequest } from '../src/index.js';
import { historyLines, makeSession } from './support/session-fixture.js';

const byInstructions = (text: string) => (req: LLMRequest) => req.instructions?.includes(text) === true;

class Booking extends Agent {
  constructor() {
    super({ id: 'booking', instructions: 'BOOKING desk' });
  }
  override onEnter() {
    this.session.generateReply({ instructions: 'introduce yourself' });
  }
}

function greeter(log: string[]) {
  const transfer = tool({ description: 'Transfer to booking', execute: async () => handoff({ agent: new Booking() }) });
  return new (class Greeter extends Agent {
    constructor() {
      super({ id: 'greeter', instructions: 'GREETER', tools: { transfer } });
    }
    override onExit() {
      log.push(`exit ${this.id}`);
    }
  })();
}

describe('a tool that returns handoff()', () => {
  it('hands over once its step played: onExit, the handoff item and event, then the new agent speaks first', async () => {
    const log: string[] = [];
    const { clock, session, llm } = makeSession({
      session: { agent: greeter(log) },
      replies: [
        { when: { userInput: 'book a table' }, reply: ['Let me transfer you.', { type: 'toolCall', callId: 'c1', name: 'transfer', arguments: '{}' }] },
        { when: byInstructions('introduce yourself'), reply: 'Booking desk here.' },
      ],
    });
    session.on('agent_handoff', (e) => log.push(`handoff ${e.oldAgentId ?? '-'} > ${e.newAgentId}`));
    expect(session.currentAgent.id).toBe('greeter');
    await session.start();
    session.generateReply({ userInput: 'book a table' });
    await clock.runUntilTrue(() => session.currentAgent.id === 'booking' && session.agentState === 'listening');
    expect(historyLines(session.history)).toEqual([
      'user:book a table',
      'assistant:Let me transfer you.',
      'call:transfer({})',
      'output:transfer:ok:',
      'handoff:greeter>booking',
      'assistant:Booking desk here.',
    ]);
    expect(log).toEqual(['handoff - > greeter', 'exit greeter', 'handoff greeter > booking']);
    // The greeting ran with the new agent's instructions and (no) tools; the handoff asked for no tool reply.
    const greeting = llm.requests.at(-1)!;
    expect(greeting.instructions).toContain('BOOKING desk');
    expect(greeting.tools).toEqual([]);
    expect(llm.requests).toHaveLength(2);
  });
});
