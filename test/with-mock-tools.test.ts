import { afterEach, describe, expect, it } from 'vitest';
import { Agent, InvalidArgumentError, ToolError, tool } from '../src/index.js';
import { withMockTools } from '../src/testing/index.js';
import { frontDesk, runSession } from './support/run-fixture.js';

describe('withMockTools', () => {
  const restores: (() => void)[] = [];
  afterEach(() => restores.splice(0).forEach((r) => r()));

  it('replaces a tool’s execute for an agent instance; the LLM still sees the real tool; the disposer restores it', async () => {
    const agent = frontDesk();
    const { clock, session, llm } = await runSession({ audio: false, agent, script: [
      { input: 'Weather in Paris?', toolCalls: [{ name: 'lookup', args: { city: 'Paris' } }] },
      { input: 'rainy (mock)', content: 'It rains.' },
      { input: 'sunny in Paris', content: 'It is sunny.' },
    ] });
    const seen: unknown[] = [];
    const restore = withMockTools(agent, { lookup: (args: unknown, { toolCallId }) => (seen.push([args, toolCallId]), 'rainy (mock)') });
    restores.push(restore);
    const mocked = await clock.runUntil(session.run({ userInput: 'Weather in Paris?' }).wait());
    mocked.expect.containsFunctionCallOutput({ output: 'rainy (mock)' });
    expect(seen).toEqual([[{ city: 'Paris' }, 'fake_call_1']]);
    expect((llm as { requests: { tools: readonly { name: string }[] }[] }).requests[0]!.tools.map((t) => t.name)).toEqual(['lookup', 'transfer']);
    restore();
    const real = await clock.runUntil(session.run({ userInput: 'Weather in Paris?' }).wait());
    real.expect.containsFunctionCallOutput({ output: 'sunny in Paris' });
  });

  it('scopes to a callback, and targets every instance of an agent class', async () => {
    class Desk extends Agent {}
    const lookup = tool({ description: 'Weather', execute: async () => 'real' });
    const { clock, session } = await runSession({ audio: false, agent: new Desk({ instructions: '', tools: { lookup } }), script: [
      { input: 'Weather?', toolCalls: [{ name: 'lookup', args: {} }] },
      { input: 'booked out', content: 'Sorry.' },
      { input: 'real', content: 'Real.' },
    ] });
    await withMockTools(Desk, { lookup: () => { throw new ToolError('booked out'); } }, async () => {
      const r = await clock.runUntil(session.run({ userInput: 'Weather?' }).wait());
      r.expect.containsFunctionCallOutput({ output: 'booked out', isError: true });
    });
    const after = await clock.runUntil(session.run({ userInput: 'Weather?' }).wait());
    after.expect.containsFunctionCallOutput({ output: 'real', isError: false });
  });

  it('arguments are still checked against the real tool’s parameters', async () => {
    const agent = frontDesk();
    const { clock, session } = await runSession({ audio: false, agent, script: [
      { input: 'Weather?', toolCalls: [{ name: 'lookup', args: { town: 'Paris' } }] },
      { input: "error: invalid arguments for lookup: arguments must have required property 'city'", content: 'Oops.' },
    ] });
    let called = false;
    restores.push(withMockTools(agent, { lookup: () => ((called = true), 'x') }));
    const r = await clock.runUntil(session.run({ userInput: 'Weather?' }).wait());
    r.expect.containsFunctionCallOutput({ isError: true });
    expect(called).toBe(false);
  });

  it('a mock for a tool the agent does not have, or a non-function, is an InvalidArgumentError', () => {
    expect(() => withMockTools(frontDesk(), { lookUp: () => 'x' })).toThrow(/agent front_desk has no tool 'lookUp' \(its tools: lookup, transfer\)/);
    expect(() => withMockTools(frontDesk(), { lookup: 'x' as never })).toThrow(InvalidArgumentError);
    expect(() => withMockTools({} as never, {})).toThrow(/agent must be an Agent or an Agent class/);
  });
});
