import { describe, expect, it } from 'vitest';
import { AgentTaskError, tool, type LLMChunk } from '../src/index.js';
import { TestAgent, deferred, sessionInTask } from './support/agent-fixture.js';
import { makeSession } from './support/session-fixture.js';

const never = new Promise<never>(() => {});

describe('close() completes whatever the agents are doing', () => {
  it('during an onEnter that never returns', async () => {
    const { clock, session } = makeSession({ session: { agent: new TestAgent({ id: 'a', instructions: 'A' }, { onEnter: () => never }) } });
    await session.start();
    await clock.runAll();
    await clock.runUntil(session.close());
    expect(session.closed).toBe(true);
  });

  it('during an onExit that never returns (the transition is abandoned, turns held by it end)', async () => {
    const { clock, session } = makeSession({ session: { agent: new TestAgent({ id: 'a', instructions: 'A' }, { onExit: () => never }) } });
    await session.start();
    session.updateAgent(new TestAgent({ id: 'b', instructions: 'B' }));
    await clock.runAll();
    const held = session.generateReply({ userInput: 'hello?' });
    await clock.runAll();
    expect(held.state).toBe('queued');
    await clock.runUntil(session.close());
    expect(held.outcome).toBe('interrupted');
    // The held turn's input is still in history: never lost.
    expect(session.history.some((i) => i.type === 'message' && i.content === 'hello?')).toBe(true);
  });

  it('during an AgentTask whose caller tool ignores its abort signal', async () => {
    const { clock, session, out } = await sessionInTask();
    await clock.runUntil(session.close());
    await clock.runUntilTrue(() => out.failure !== undefined);
    expect(out.failure).toBeInstanceOf(AgentTaskError);
  });

  it('during a drain that waits for a speech whose LLM never ends, while a tool ignores its abort', async () => {
    const stuck = deferred();
    const slow = tool({ description: 'Slow', execute: async () => { await never; return 'x'; } });
    const hanging = {
      async *chat(): AsyncIterable<LLMChunk> {
        yield { type: 'toolCall', callId: 'c1', name: 'slow', arguments: '{}' };
        yield { type: 'text', text: 'Working on it' };
        await stuck.promise; // the stream neither yields nor ends
      },
    };
    const { clock, session } = makeSession({ session: { agent: new TestAgent({ id: 'a', instructions: 'A', tools: { slow }, llm: hanging }), ioTimeouts: false } });
    await session.start();
    const h = session.generateReply({ userInput: 'go' });
    await clock.runAll();
    session.updateAgent(new TestAgent({ id: 'b', instructions: 'B' }));
    await clock.runAll();
    expect(session.currentAgent.id).toBe('a'); // the drain waits for the step on the floor
    await clock.runUntil(session.close());
    expect(h.outcome).toBe('interrupted');
  });
});
