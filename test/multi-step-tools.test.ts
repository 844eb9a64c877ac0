import { describe, expect, it } from 'vitest';
import { tool } from '../src/index.js';
import { historyLines, makeSession } from './support/session-fixture.js';

const call = (name: string, callId: string, args = '{}') => ({ type: 'toolCall' as const, callId, name, arguments: args });

describe('multi-step tool loop', () => {
  it('runs parallel tool calls in one step and answers with their outputs', async () => {
    const running: string[] = [];
    let maxConcurrent = 0;
    const mk = (name: string) =>
      tool({
        description: name,
        execute: async (_a, { ctx }) => {
          running.push(name);
          maxConcurrent = Math.max(maxConcurrent, running.length);
          await ctx.waitForPlayout();
          running.splice(running.indexOf(name), 1);
          return `${name} ok`;
        },
      });
    const { clock, session, llm } = makeSession({
      tools: { a: mk('a'), b: mk('b') },
      replies: [
        { when: { userInput: 'both' }, reply: ['Doing both.', call('a', 'ca'), call('b', 'cb')] },
        { when: { afterTool: 'b' }, reply: 'Both done.' },
      ],
    });
    const executed: number[] = [];
    session.on('function_tools_executed', (e) => executed.push(e.functionCalls.length));
    await session.start();
    const h = session.generateReply({ userInput: 'both' });
    await clock.runUntil(h.waitForPlayout());
    expect(maxConcurrent).toBe(2);
    expect(executed).toEqual([2]);
    expect(historyLines(session.history)).toEqual([
      'user:both',
      'assistant:Doing both.',
      'call:a({})',
      'call:b({})',
      'output:a:ok:a ok',
      'output:b:ok:b ok',
      'assistant:Both done.',
    ]);
    expect(llm.requests.map((r) => r.tools.length)).toEqual([2, 2]);
  });

  it('stops offering tools after maxToolSteps and asks for a final text reply', async () => {
    const again = tool({ description: 'loops', execute: () => 'again' });
    const { clock, session, llm } = makeSession({
      tools: { again },
      session: { maxToolSteps: 2 },
      replies: [
        { when: (r) => r.tools.length > 0, reply: [call('again', 'x')] },
        { when: (r) => r.tools.length === 0, reply: 'Final answer without tools.' },
      ],
    });
    await session.start();
    const h = session.generateReply({ userInput: 'loop forever' });
    await clock.runUntil(h.waitForPlayout());
    expect(llm.requests.map((r) => r.tools.length)).toEqual([1, 1, 0]);
    expect(historyLines(session.history).at(-1)).toBe('assistant:Final answer without tools.');
  });

  it('defaults to 3 tool steps', async () => {
    const again = tool({ description: 'loops', execute: () => 'again' });
    const { clock, session, llm } = makeSession({
      tools: { again },
      replies: [{ when: (r) => r.tools.length > 0, reply: [call('again', 'x')] }, { reply: 'Done.' }],
    });
    await session.start();
    await clock.runUntil(session.generateReply({ userInput: 'go' }).waitForPlayout());
    expect(llm.requests.map((r) => r.tools.length)).toEqual([1, 1, 1, 0]);
  });

  it('keeps the outputs of tools that completed before an interrupt (tools never run twice)', async () => {
    let quickRuns = 0;
    const quick = tool({ description: 'quick', execute: () => { quickRuns++; return 'quick result'; } });
    const slow = tool({ description: 'slow', execute: () => new Promise(() => {}) });
    const { clock, session } = makeSession({
      tools: { quick, slow },
      replies: [
        { when: { userInput: 'go' }, reply: ['Working on both of those now.', call('quick', 'q'), call('slow', 's')] },
        { when: { userInput: 'stop' }, reply: 'Stopped.' },
      ],
    });
    await session.start();
    session.generateReply({ userInput: 'go' });
    await clock.advance(500);
    await clock.runUntil(session.interrupt());
    await clock.runUntil(session.generateReply({ userInput: 'stop' }).waitForPlayout());
    expect(quickRuns).toBe(1);
    expect(historyLines(session.history)).toEqual([
      'user:go',
      'assistant:Working on [interrupted]', // 0.5 s at 20 characters a second,
      'call:quick({})',
      'call:slow({})',
      'output:quick:ok:quick result',
      'output:slow:error:error: the tool was aborted because the user interrupted the speech',
      'user:stop',
      'assistant:Stopped.',
    ]);
  });

  it('a tool that returns an object gets JSON output; the follow-up sees the outputs in its history', async () => {
    const info = tool({ description: 'info', execute: () => ({ temp: 21 }) });
    const { clock, session, llm } = makeSession({
      tools: { info },
      replies: [{ when: { userInput: 'temp' }, reply: [call('info', 'i')] }, { when: { afterTool: 'info' }, reply: '21 degrees.' }],
    });
    await session.start();
    await clock.runUntil(session.generateReply({ userInput: 'temp' }).waitForPlayout());
    const second = llm.requests[1]!;
    expect(second.history.at(-1)).toMatchObject({ type: 'function_call_output', output: '{"temp":21}', isError: false });
  });
});
