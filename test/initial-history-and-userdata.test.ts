import { describe, expect, it } from 'vitest';
import { AgentSession, InvalidArgumentError, tool, type ChatItem } from '../src/index.js';
import { FakeLLM, ScriptedLLM } from '../src/testing/index.js';
import { historyLines } from './support/session-fixture.js';

describe('initialHistory', () => {
  const earlier: ChatItem[] = [
    { type: 'message', id: 'item_7', role: 'user', content: 'My name is Ann' },
    { type: 'function_call', id: 'fc', callId: 'c0', name: 'remember', arguments: '{"name":"Ann"}' },
    { type: 'function_call_output', id: 'fo', callId: 'c0', name: 'remember', output: 'ok', isError: false },
    { type: 'message', id: 'm2', role: 'assistant', content: 'Nice to meet you, Ann.' },
  ];

  it('is the history the LLM sees from the first turn; new items get fresh ids', async () => {
    const llm = new FakeLLM([{ input: 'What is my name?', content: 'Ann.' }]);
    const session = new AgentSession({ llm, initialHistory: earlier });
    await session.start();
    expect(session.history).toEqual(earlier);
    const r = await session.run({ userInput: 'What is my name?' }).wait();
    expect(llm.requests[0]!.history.slice(0, 4)).toEqual(earlier);
    r.expect.nextEvent().isMessage({ role: 'assistant' });
    expect(historyLines(session.history).slice(4)).toEqual(['user:What is my name?', 'assistant:Ann.']);
    const ids = session.history.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is copied: changing the caller’s array later does not change the session', () => {
    const items: ChatItem[] = [{ type: 'message', id: 'a', role: 'user', content: 'hi' }];
    const session = new AgentSession({ llm: new FakeLLM(), initialHistory: items });
    items.push({ type: 'message', id: 'b', role: 'user', content: 'later' });
    expect(session.history).toHaveLength(1);
  });

  it('a bad item is an InvalidArgumentError naming it', () => {
    const make = (initialHistory: unknown) => () => new AgentSession({ llm: new ScriptedLLM({ replies: [] }), initialHistory: initialHistory as ChatItem[] });
    expect(make('hi')).toThrow(/initialHistory must be an array/);
    expect(make([{ type: 'message', id: 'a', role: 'bot', content: 'x' }])).toThrow(/initialHistory\[0\]\.role must be one of system, user, assistant, got "bot"/);
    expect(make([{ type: 'message', id: 'a', role: 'user' }])).toThrow(/initialHistory\[0\]\.content must be a string/);
    expect(make([{ type: 'message', id: 'a', role: 'user', content: 'x' }, { type: 'message', id: 'a', role: 'user', content: 'y' }])).toThrow(/initialHistory\[1\]\.id 'a' is used by an earlier item/);
    expect(make([{ type: 'function_call_output', id: 'o', callId: 'zz', name: 'f', output: 'x', isError: false }])).toThrow(/initialHistory\[0\] is the output of call 'zz'/);
    expect(make([{ type: 'note', id: 'n' }])).toThrow(InvalidArgumentError);
  });
});

describe('userdata', () => {
  it('is session.userdata, and ctx.userdata in tools', async () => {
    const cart: string[] = [];
    const add = tool({
      description: 'Add to cart',
      execute: async ({ item }: { item: string }, { ctx }) => {
        ctx.userdata.cart.push(item);
        return `added ${item}`;
      },
    });
    const llm = new FakeLLM([
      { input: 'Add a pizza', toolCalls: [{ name: 'add', args: { item: 'pizza' } }] },
      { input: 'added pizza', content: 'Added.' },
    ]);
    const session = new AgentSession({ llm, tools: { add }, userdata: { cart } });
    expect(session.userdata.cart).toBe(cart);
    await session.start();
    await session.run({ userInput: 'Add a pizza' }).wait();
    expect(cart).toEqual(['pizza']);
  });
});
