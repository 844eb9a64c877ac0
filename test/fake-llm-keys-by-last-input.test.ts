import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, type LLMChunk, type LLMRequest } from '../src/index.js';
import { FakeLLM, NoFakeResponseError, VirtualClock } from '../src/testing/index.js';

const req = (history: LLMRequest['history'], instructions?: string): LLMRequest => ({ history, tools: [], signal: new AbortController().signal, ...(instructions ? { instructions } : {}) });
async function collect(it: AsyncIterable<LLMChunk>) {
  const out: LLMChunk[] = [];
  for await (const c of it) out.push(c);
  return out;
}

describe('FakeLLM (LiveKit FakeLLM’s rule)', () => {
  const llm = () => new FakeLLM([
    { input: 'hello', content: 'Hi there!' },
    { input: 'sunny', content: 'Sunny.', toolCalls: [{ name: 'note', args: { a: 1 } }] },
    { input: 'instructions:Greet the caller', content: 'Welcome!' },
  ]);

  it('answers by the last user message, streamed in chunks of 3 characters', async () => {
    expect(await collect(llm().chat(req([{ type: 'message', id: '1', role: 'user', content: 'hello' }])))).toEqual([
      { type: 'text', text: 'Hi ' },
      { type: 'text', text: 'the' },
      { type: 'text', text: 're!' },
    ]);
  });

  it('answers by the last tool output; tool calls follow the text with ids unique across answers', async () => {
    const l = llm();
    const h: LLMRequest['history'] = [
      { type: 'message', id: '1', role: 'user', content: 'weather?' },
      { type: 'function_call', id: '2', callId: 'c', name: 'lookup', arguments: '{}' },
      { type: 'function_call_output', id: '3', callId: 'c', name: 'lookup', output: 'sunny', isError: false },
    ];
    const first = await collect(l.chat(req(h)));
    expect(first.at(-1)).toEqual({ type: 'toolCall', callId: 'fake_call_1', name: 'note', arguments: '{"a":1}' });
    expect((await collect(l.chat(req(h)))).at(-1)).toMatchObject({ callId: 'fake_call_2' });
  });

  it('any other request is keyed by the last line of its instructions (a reply’s own instructions)', async () => {
    const chunks = await collect(llm().chat(req([], 'AGENT RULES\n\nGreet the caller')));
    expect(chunks.map((c) => (c.type === 'text' ? c.text : '')).join('')).toBe('Welcome!');
  });

  it('an unknown input throws NoFakeResponseError listing the known ones, or answers nothing with unmatched: empty', async () => {
    const h = [{ type: 'message', id: '1', role: 'user', content: 'helo' }] as const;
    await expect(collect(llm().chat(req(h)))).rejects.toThrow(NoFakeResponseError);
    await expect(collect(llm().chat(req(h)))).rejects.toThrow(/no response for the input "helo" \(known inputs: "hello", "sunny", "instructions:Greet the caller"\)/);
    expect(await collect(new FakeLLM([], { unmatched: 'empty' }).chat(req(h)))).toEqual([]);
  });

  it('ttft and duration run on the clock', async () => {
    const clock = new VirtualClock();
    const l = new FakeLLM([{ input: 'hello', content: 'Hi', ttft: 200, duration: 500 }], { clock });
    const done = collect(l.chat(req([{ type: 'message', id: '1', role: 'user', content: 'hello' }]))).then(() => clock.now());
    expect(await clock.runUntil(done)).toBe(500);
  });

  it('bad responses are InvalidArgumentErrors naming the field', () => {
    expect(() => new FakeLLM([{ input: 3 as never }])).toThrow(/responses\[0\]\.input must be a string/);
    expect(() => new FakeLLM([{ input: 'a', ttft: -1 }])).toThrow(/responses\[0\]\.ttft must be a non-negative number/);
    expect(() => new FakeLLM([{ input: 'a' }, { input: 'a' }])).toThrow(InvalidArgumentError);
  });
});
