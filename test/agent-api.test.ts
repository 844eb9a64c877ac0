import { describe, expect, it } from 'vitest';
import { Agent, AgentNotRunningError, AgentTask, AgentSession, InvalidArgumentError, handoff, tool } from '../src/index.js';
import { FakeTTS, ScriptedLLM, VirtualAudioOutput, VirtualClock } from '../src/testing/index.js';
import { TestAgent } from './support/agent-fixture.js';
import { makeSession } from './support/session-fixture.js';

class BookingAgent extends Agent {}
class PaymentTask extends AgentTask<number> {}

describe('the Agent API', () => {
  it('ids: given, default_agent for Agent, derived from the class name otherwise', () => {
    expect(new Agent({ instructions: 'x' }).id).toBe('default_agent');
    expect(new Agent({ id: 'greeter', instructions: 'x' }).id).toBe('greeter');
    expect(new BookingAgent({ instructions: 'x' }).id).toBe('booking_agent');
    expect(new PaymentTask({ instructions: 'x' }).id).toBe('payment_task');
  });

  it('bad options are refused with a clear error naming what was wrong', () => {
    expect(() => new Agent({} as never)).toThrow(/instructions must be a string/);
    expect(() => new Agent({ instructions: 'x', tools: { t: () => 1 } as never })).toThrow(/tools\.t is not a tool/);
    expect(() => new Agent({ instructions: 'x', llm: {} as never })).toThrow(/llm must have a chat\(\) method/);
    expect(() => handoff({ agent: {} as never })).toThrow(InvalidArgumentError);
    const clock = new VirtualClock();
    const base = { llm: new ScriptedLLM({ replies: [] }), tts: new FakeTTS(), audioOutput: new VirtualAudioOutput(clock) };
    expect(() => new AgentSession({ ...base, agent: {} as never })).toThrow(/agent must be an Agent/);
    expect(() => new AgentSession({ ...base, agent: new Agent({ instructions: 'x' }), instructions: 'y' })).toThrow(/either agent, or instructions and tools/);
  });

  it('agent.session works while it runs and throws AgentNotRunningError otherwise', async () => {
    const a = new TestAgent({ id: 'a', instructions: 'A' });
    expect(() => a.session).toThrow(AgentNotRunningError);
    const { clock, session } = makeSession({ session: { agent: a } });
    await session.start();
    await clock.runAll();
    expect(a.session).toBe(session);
    session.updateAgent(new TestAgent({ id: 'b', instructions: 'B' }));
    await clock.runUntilTrue(() => session.currentAgent.id === 'b');
    expect(() => a.session).toThrow(AgentNotRunningError);
  });

  it('without an agent, instructions and tools make the default agent; updateInstructions and updateTools apply to later steps', async () => {
    const t1 = tool({ description: 'one', execute: async () => 'x' });
    const { clock, session, llm } = makeSession({ tools: { t1 }, session: { instructions: 'FIRST' }, replies: [{ reply: 'ok' }] });
    await session.start();
    await clock.runUntil(session.generateReply({ userInput: 'a' }).waitForPlayout());
    expect(session.currentAgent.id).toBe('default_agent');
    await session.currentAgent.updateInstructions('SECOND');
    await session.currentAgent.updateTools({});
    await clock.runUntil(session.generateReply({ userInput: 'b' }).waitForPlayout());
    expect(llm.requests.map((r) => [r.instructions, r.tools.map((t) => t.name)])).toEqual([['FIRST', ['t1']], ['SECOND', []]]);
  });

  it('an agent brings its own LLM and TTS; AgentTask misuse is refused', async () => {
    const own = new ScriptedLLM({ replies: [{ reply: 'from my own LLM' }] });
    const { clock, session, llm } = makeSession({ session: { agent: new Agent({ instructions: 'x', llm: own }) } });
    await session.start();
    await clock.runUntil(session.generateReply({ userInput: 'hi' }).waitForPlayout());
    expect(own.requests).toHaveLength(1);
    expect(llm.requests).toHaveLength(0);
    const task = new PaymentTask({ instructions: 'pay' });
    await expect(task.run()).rejects.toThrow(/call it from a tool or a hook/);
    expect(() => task.complete(1)).toThrow(AgentNotRunningError);
  });
});
