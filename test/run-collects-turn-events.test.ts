import { describe, expect, it } from 'vitest';
import { Agent, RunInProgressError, SessionClosedError, SpeechFailedError, tool } from '../src/index.js';
import { FakeLLM, ScriptedLLM } from '../src/testing/index.js';
import { runSession } from './support/run-fixture.js';

describe.each([
  { audio: false, label: 'text-only' },
  { audio: true, label: 'with audio' },
])('session.run() on the virtual clock, $label', ({ audio }) => {
  it('collects the reply of a plain turn, without the run’s own user message', async () => {
    const { clock, session, errors } = await runSession({ audio });
    const result = session.run({ userInput: 'Hello' });
    expect(result.done()).toBe(false);
    await clock.runUntil(result.wait());
    expect(result.events.map((e) => e.type)).toEqual(['message']);
    result.expect.nextEvent().isMessage({ role: 'assistant' });
    result.expect.noMoreEvents();
    expect(session.history.map((i) => i.type === 'message' && i.role)).toEqual(['user', 'assistant']);
    expect(session.agentState).toBe('listening');
    expect(errors).toEqual([]);
  });

  it('collects tool calls, their outputs and the tool reply', async () => {
    const { clock, session } = await runSession({ audio });
    const result = await clock.runUntil(session.run({ userInput: 'Weather in Paris?' }).wait());
    result.expect.nextEvent().isMessage({ role: 'assistant' });
    result.expect.nextEvent().isFunctionCall({ name: 'lookup', args: { city: 'Paris' } });
    result.expect.nextEvent().isFunctionCallOutput({ output: 'sunny in Paris', isError: false });
    result.expect.nextEvent().isMessage({ role: 'assistant' });
    result.expect.noMoreEvents();
    expect(result.events.at(-1)!.item).toMatchObject({ content: 'It is sunny in Paris.' });
  });

  it('collects a tool’s handoff and what the new agent says on entry', async () => {
    const { clock, session } = await runSession({ audio });
    const result = await clock.runUntil(session.run({ userInput: 'Billing please' }).wait());
    expect(result.events.map((e) => e.type)).toEqual(['function_call', 'function_call_output', 'agent_handoff', 'message']);
    result.expect.containsAgentHandoff({ newAgentId: 'billing' });
    result.expect.at(-1).isMessage({ role: 'assistant' });
    expect(result.events.at(-1)!.item).toMatchObject({ content: 'Billing here, how can I help?' });
    expect(session.currentAgent.id).toBe('billing');
    // The next run goes to the new agent.
    const next = await clock.runUntil(session.run({ userInput: 'Hello' }).wait());
    next.expect.nextEvent().isMessage({ role: 'assistant' });
    next.expect.noMoreEvents();
  });
});

describe('session.run()', () => {
  it('resolves without the clock when nothing waits on a timer (text-only, no LLM delays)', async () => {
    const { session } = await runSession({ audio: false, llm: new FakeLLM([{ input: 'Hello', content: 'Hi!' }]) });
    const result = await session.run({ userInput: 'Hello' }).wait();
    result.expect.nextEvent().isMessage({ role: 'assistant' });
  });

  it('a run while another is not done throws RunInProgressError; after it, the next run starts', async () => {
    const { clock, session } = await runSession({ audio: false });
    const first = session.run({ userInput: 'Hello' });
    expect(() => session.run({ userInput: 'Hello' })).toThrow(RunInProgressError);
    expect(() => first.expect).toThrow(RunInProgressError);
    await clock.runUntil(first.wait());
    await clock.runUntil(session.run({ userInput: 'Hello' }).wait());
  });

  it('before start() or after close() it throws SessionClosedError', async () => {
    const { session } = await runSession({ audio: false });
    await session.close();
    expect(() => session.run({ userInput: 'Hello' })).toThrow(SessionClosedError);
  });

  it('the LLM failing rejects wait() with the speech’s SpeechFailedError (cause: the LLM error)', async () => {
    const llmError = new Error('LLM down');
    const { clock, session } = await runSession({ audio: true, llm: new ScriptedLLM({ replies: [{ reply: ['Hel'], error: llmError }] }) });
    const result = session.run({ userInput: 'Hello' });
    const outcome = await clock.runUntil(result.wait().then(() => null, (e: unknown) => e));
    expect(outcome).toBeInstanceOf(SpeechFailedError);
    expect((outcome as SpeechFailedError).cause).toBe(llmError);
    expect(result.done()).toBe(true);
  });

  it('an agent whose onUserTurnCompleted changes the message: the changed message is not an event either', async () => {
    class Upper extends Agent {
      override onUserTurnCompleted(_h: unknown, msg: { content: string }) {
        msg.content = msg.content.toUpperCase();
      }
    }
    const { session } = await runSession({ audio: false, agent: new Upper({ instructions: '' }), llm: new FakeLLM([{ input: 'HELLO', content: 'Hi!' }]) });
    const result = await session.run({ userInput: 'hello' }).wait();
    expect(result.events.map((e) => e.type)).toEqual(['message']);
    expect(session.history[0]).toMatchObject({ role: 'user', content: 'HELLO' });
  });

  it('a tool running an AgentTask that waits for the user ends the run; the next run completes it', async () => {
    const { AgentTask } = await import('../src/index.js');
    class AskName extends AgentTask<string> {
      constructor() {
        super({ id: 'ask_name', instructions: 'ASK NAME', tools: { save: tool({ description: 'Save', execute: async ({ name }: { name: string }) => (this.complete(name), 'saved') }) } });
      }
      override async onEnter() {
        this.session.say('What is your name?');
      }
    }
    const book = tool({ description: 'Book', execute: async () => `booked for ${await new AskName().run()}` });
    const llm = new FakeLLM([
      { input: 'Book please', toolCalls: [{ name: 'book', args: {} }] },
      { input: 'Ann', toolCalls: [{ name: 'save', args: { name: 'Ann' } }] },
      { input: 'saved', content: '' },
      { input: 'booked for Ann', content: 'Booked for Ann.' },
    ]);
    const { session } = await runSession({ audio: false, agent: new Agent({ id: 'desk', instructions: 'DESK', tools: { book } }), llm });
    const first = await session.run({ userInput: 'Book please' }).wait();
    expect(first.events.map((e) => e.type)).toEqual(['agent_handoff', 'message']);
    first.expect.at(0).isAgentHandoff({ newAgentId: 'ask_name' });
    expect(session.currentAgent.id).toBe('ask_name');
    const second = await session.run({ userInput: 'Ann' }).wait();
    second.expect.containsFunctionCall({ name: 'save', args: { name: 'Ann' } });
    second.expect.containsAgentHandoff({ newAgentId: 'desk' });
    second.expect.containsFunctionCall({ name: 'book' });
    second.expect.containsFunctionCallOutput({ output: 'booked for Ann' });
    second.expect.at(-1).isMessage({ role: 'assistant' });
    expect(session.currentAgent.id).toBe('desk');
  });

  it('an interrupt during the run ends it with what was heard, marked interrupted (text-only: what was generated)', async () => {
    const { clock, session } = await runSession({ audio: false, llm: (clock) => new ScriptedLLM({ clock, replies: [{ chunkDelayMs: 100, reply: ['Once ', 'upon ', 'a time.'] }] }) });
    const result = session.run({ userInput: 'Tell me a story' });
    await clock.runUntilTrue(() => session.agentState === 'speaking');
    await clock.advance(150);
    await session.interrupt();
    await clock.runUntil(result.wait());
    result.expect.nextEvent().isMessage({ role: 'assistant' });
    expect(result.events[0]!.item).toMatchObject({ content: 'Once upon ', interrupted: true });
    result.expect.noMoreEvents();
  });

  it('close() during the run ends it', async () => {
    const { clock, session } = await runSession({ audio: true });
    const result = session.run({ userInput: 'Weather in Paris?' });
    await clock.runUntilTrue(() => session.agentState === 'speaking');
    await session.close();
    await clock.runUntil(result.wait());
    expect(result.done()).toBe(true);
  });
});
