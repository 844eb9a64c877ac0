import { describe, expect, it } from 'vitest';
import { SpeechInterruptedError, ToolError, tool } from '../src/index.js';
import { historyLines, makeSession } from './support/session-fixture.js';

const call = (name: string, args = '{}', callId = 'c1') => ({ type: 'toolCall' as const, callId, name, arguments: args });

describe('tool failures', () => {
  it('a tool that throws: generic error output for the LLM, details on the error event, the reply goes on', async () => {
    const boom = tool({ description: 'crashes', execute: () => { throw new TypeError('db handle is null'); } });
    const { clock, session, errors } = makeSession({
      tools: { boom },
      replies: [
        { when: { userInput: 'go' }, reply: ['Trying.', call('boom')] },
        { when: { afterTool: 'boom' }, reply: 'That failed, sorry.' },
      ],
    });
    await session.start();
    const h = session.generateReply({ userInput: 'go' });
    await clock.runUntil(h.waitForPlayout());
    expect(historyLines(session.history)).toEqual([
      'user:go',
      'assistant:Trying.',
      'call:boom({})',
      'output:boom:error:An internal error occurred',
      'assistant:That failed, sorry.',
    ]);
    expect(errors.map((e) => [e.source, e.error.message])).toEqual([['tool', 'db handle is null']]);
  });

  it('a tool that throws ToolError: its message is the error output', async () => {
    const picky = tool({ description: 'rejects', execute: async () => { throw new ToolError('no table for 12 people'); } });
    const { clock, session, errors } = makeSession({
      tools: { picky },
      replies: [
        { when: { userInput: 'book' }, reply: [call('picky')] },
        { when: { afterTool: 'picky' }, reply: 'No table, sorry.' },
      ],
    });
    await session.start();
    await clock.runUntil(session.generateReply({ userInput: 'book' }).waitForPlayout());
    expect(historyLines(session.history)).toContain('output:picky:error:no table for 12 people');
    expect(errors).toEqual([]);
  });

  it('a tool that ignores its signal and never settles: the interrupt still settles everything, no timeout', async () => {
    let started = false;
    const stubborn = tool({ description: 'hangs', execute: () => { started = true; return new Promise(() => {}); } });
    const { clock, session } = makeSession({
      tools: { stubborn },
      replies: [
        { when: { userInput: 'hang' }, reply: ['On it.', call('stubborn')] },
        { when: { userInput: 'next' }, reply: 'Next answer.' },
      ],
    });
    await session.start();
    const h = session.generateReply({ userInput: 'hang' });
    await clock.advance(2000);
    expect(started).toBe(true);
    expect(h.state).toEqual({ active: 'awaitingTools' });
    const t0 = clock.now();
    const stopped = session.interrupt();
    const next = session.generateReply({ userInput: 'next' });
    await clock.runUntil(stopped);
    expect(clock.now()).toBe(t0);
    await clock.runUntil(next.waitForPlayout());
    expect(historyLines(session.history).slice(-3)).toEqual([
      'output:stubborn:error:error: the tool was aborted because the user interrupted the speech',
      'user:next',
      'assistant:Next answer.',
    ]);
  });

  it('a result that arrives after the abort is discarded, observably, and never recorded', async () => {
    let finish!: (v: string) => void;
    const late = tool({ description: 'late', execute: () => new Promise<string>((r) => (finish = r)) });
    const { clock, session } = makeSession({ tools: { late }, replies: [{ when: { userInput: 'x' }, reply: ['Ok.', call('late')] }] });
    const discarded: unknown[] = [];
    session.on('tool_result_discarded', (e) => discarded.push(e));
    await session.start();
    session.generateReply({ userInput: 'x' });
    await clock.advance(100);
    await clock.runUntil(session.interrupt());
    finish('finally done');
    await clock.settle();
    expect(discarded).toEqual([{ speechId: 'speech_1', callId: 'c1', name: 'late', outcome: 'result', value: 'finally done' }]);
    expect(historyLines(session.history).some((l) => l.includes('finally done'))).toBe(false);
  });

  it('unknown function and invalid arguments become error outputs; the tool never runs', async () => {
    let ran = 0;
    const weather = tool<{ city: string }>({
      description: 'weather',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      execute: ({ city }) => { ran++; return `sunny in ${city}`; },
    });
    const { clock, session } = makeSession({
      tools: { weather },
      replies: [
        { when: { userInput: 'w' }, reply: [call('nope', '{}', 'a'), call('weather', '{"city": 3}', 'b'), call('weather', '{oops', 'c'), call('weather', '{"city":"Paris"}', 'd')] },
        { when: { afterTool: 'weather' }, reply: 'Here you go.' },
      ],
    });
    await session.start();
    await clock.runUntil(session.generateReply({ userInput: 'w' }).waitForPlayout());
    const outputs = session.history.filter((i) => i.type === 'function_call_output');
    expect(outputs.map((o) => [o.callId, o.isError, o.output])).toEqual([
      ['a', true, 'Unknown function: nope'],
      ['b', true, 'error: invalid arguments for weather: arguments/city must be string'],
      ['c', true, expect.stringMatching(/^error: invalid arguments for weather: .*JSON/)],
      ['d', false, 'sunny in Paris'],
    ]);
    expect(ran).toBe(1);
  });

  it('a tool waiting for playout after its preamble played resolves at once', async () => {
    const order: string[] = [];
    const t = tool({
      description: 'waits',
      execute: async (_a, { ctx }) => {
        await ctx.waitForPlayout();
        order.push('first wait');
        await ctx.waitForPlayout(); // again: already played
        order.push('second wait');
        return 'ok';
      },
    });
    const { clock, session } = makeSession({
      tools: { t },
      replies: [{ when: { userInput: 'q' }, reply: ['Preamble here.', call('t')] }, { when: { afterTool: 't' }, reply: 'Done.' }],
    });
    await session.start();
    await clock.runUntil(session.generateReply({ userInput: 'q' }).waitForPlayout());
    expect(order).toEqual(['first wait', 'second wait']);
  });

  it('the abort signal carries a SpeechInterruptedError as its reason', async () => {
    let reason: unknown;
    const t = tool({ description: 'x', execute: (_a, { abortSignal }) => new Promise((_r, rej) => abortSignal.addEventListener('abort', () => { reason = abortSignal.reason; rej(abortSignal.reason); })) });
    const { clock, session } = makeSession({ tools: { t }, replies: [{ reply: ['Hm.', call('t')] }] });
    await session.start();
    session.generateReply({ userInput: 'go' });
    await clock.advance(50);
    await clock.runUntil(session.interrupt());
    expect(reason).toBeInstanceOf(SpeechInterruptedError);
  });
});
