import { describe, expect, it } from 'vitest';
import { AgentTaskError, handoff, tool, type Agent } from '../src/index.js';
import { CollectTask, TestAgent, byInstructions, deferred, sessionInTask, userSaysTo } from './support/agent-fixture.js';
import { historyLines, makeSession } from './support/session-fixture.js';

const never = new Promise<never>(() => {});

/**
 * One test per LiveKit bug around handoffs and tasks (circular waits, lost turns), each replaying
 * that bug's sequence against speechcharts. Every one of them hung or dropped input upstream.
 */
describe('LiveKit agent-transition bugs, replayed', () => {
  it('py #6071: close during an AgentTask whose onEnter is still running completes', async () => {
    const enter = deferred();
    const { clock, session, out } = await sessionInTask({ task: () => new CollectTask('phone', { onEnter: () => enter.promise }) });
    await clock.runUntil(session.close()); // upstream: the drain held the lock waiting on on_enter
    await clock.runUntilTrue(() => out.failure !== undefined);
    expect((out.failure as AgentTaskError).reason).toBe('close');
  });

  it('py #6500: updateAgent with a long onEnter does not hold the next turn', async () => {
    const slowEnter = new TestAgent({ id: 'b', instructions: 'B' }, { onEnter: () => never });
    const { clock, session } = makeSession({ session: { agent: new TestAgent({ id: 'a', instructions: 'A' }) }, replies: [{ when: { userInput: 'hi' }, reply: 'Hello from B.' }] });
    await session.start();
    session.updateAgent(slowEnter);
    await clock.runUntil(session.generateReply({ userInput: 'hi' }).waitForPlayout());
    expect(historyLines(session.history)).toEqual(['handoff:a>b', 'user:hi', 'assistant:Hello from B.']);
  });

  it('py #6858: a parked reply does not block the handoff; it is answered by the new agent', async () => {
    const { clock, session, llm } = makeSession({
      session: { agent: new TestAgent({ id: 'a', instructions: 'A' }) },
      replies: [{ when: userSaysTo('B', 'parked question'), reply: 'B answers.' }],
    });
    await session.start();
    const playing = session.say('A long announcement that is still playing.', { allowInterruptions: false });
    await clock.runUntilTrue(() => session.agentState === 'speaking');
    const parked = session.generateReply({ userInput: 'parked question' }); // queued behind the announcement
    session.updateAgent(new TestAgent({ id: 'b', instructions: 'B' }));
    await clock.runUntil(Promise.all([playing.waitForPlayout(), parked.waitForPlayout()]));
    expect(historyLines(session.history)).toEqual(['assistant:A long announcement that is still playing.', 'handoff:a>b', 'user:parked question', 'assistant:B answers.']);
    expect(llm.requests).toHaveLength(1);
  });

  it('py #6313: a reply started in the same tick as a handoff completes, and so does the handoff', async () => {
    const { clock, session } = makeSession({
      session: { agent: new TestAgent({ id: 'a', instructions: 'A' }) },
      replies: [{ when: byInstructions('A'), reply: 'A replies.' }, { when: byInstructions('B'), reply: 'B replies.' }],
    });
    await session.start();
    const reply = session.generateReply({ userInput: 'question' });
    session.updateAgent(new TestAgent({ id: 'b', instructions: 'B' }));
    await clock.runUntil(reply.waitForPlayout());
    await clock.runUntilTrue(() => session.currentAgent.id === 'b' && session.agentState === 'listening');
    // The reply started before the transition began: the old agent answered it, then handed over.
    expect(historyLines(session.history)).toEqual(['user:question', 'assistant:A replies.', 'handoff:a>b']);
  });

  it('py #5150: a handoff with a parallel tool that needs a reply completes (the reply is the old agent\'s, without tools)', async () => {
    const lookup = tool({ description: 'Look up', execute: async () => 'open until 10pm' });
    const transfer = tool({ description: 'Transfer', execute: async () => handoff({ agent: new TestAgent({ id: 'b', instructions: 'B' }, { onEnter: (x) => x.session.generateReply({ instructions: 'B greets' }) }) }) });
    const { clock, session, llm } = makeSession({
      session: { agent: new TestAgent({ id: 'a', instructions: 'A', tools: { lookup, transfer } }) },
      replies: [
        { when: { userInput: 'hours, then booking' }, reply: ['Checking.', { type: 'toolCall', callId: 'c1', name: 'lookup', arguments: '{}' }, { type: 'toolCall', callId: 'c2', name: 'transfer', arguments: '{}' }] },
        { when: { afterTool: 'transfer' }, reply: 'We are open until 10pm.' },
        { when: byInstructions('B greets'), reply: 'Booking here.' },
      ],
    });
    await session.start();
    await clock.runUntil(session.generateReply({ userInput: 'hours, then booking' }).waitForPlayout());
    await clock.runUntilTrue(() => session.currentAgent.id === 'b' && session.agentState === 'listening');
    const lines = historyLines(session.history);
    expect(lines).toEqual([
      'user:hours, then booking',
      'assistant:Checking.',
      'call:lookup({})',
      'call:transfer({})',
      'output:lookup:ok:open until 10pm',
      'output:transfer:ok:',
      'assistant:We are open until 10pm.',
      'handoff:a>b',
      'assistant:Booking here.',
    ]);
    const toolReply = llm.requests[1]!;
    expect(toolReply.instructions).toContain('A');
    expect(toolReply.tools).toEqual([]);
  });

  it('py #5035: the session closes when the room goes away during an AgentTask', async () => {
    const { clock, session, out } = await sessionInTask({ task: () => new CollectTask('phone', { onEnter: (t) => t.session.say('Your phone number, please?') }) });
    await clock.runUntilTrue(() => session.agentState === 'speaking'); // the task speaks
    await clock.runUntil(session.close()); // what a room disconnect does
    await clock.runUntilTrue(() => out.failure !== undefined);
    expect(out.failure).toBeInstanceOf(AgentTaskError);
  });

  it('py #3129: a user turn that arrives during a handoff is answered by the new agent', async () => {
    const exit = deferred();
    const { clock, session } = makeSession({
      session: { agent: new TestAgent({ id: 'a', instructions: 'A' }, { onExit: () => exit.promise }) },
      replies: [{ when: userSaysTo('B', 'are you there?'), reply: 'Yes, B here.' }],
    });
    await session.start();
    session.updateAgent(new TestAgent({ id: 'b', instructions: 'B' }));
    await clock.runAll();
    const turn = session.generateReply({ userInput: 'are you there?' });
    await clock.runAll();
    exit.resolve();
    await clock.runUntil(turn.waitForPlayout());
    expect(historyLines(session.history)).toEqual(['handoff:a>b', 'user:are you there?', 'assistant:Yes, B here.']);
  });

  it('agents-js #2483: a handoff while a tool awaits AgentTask.run() does not wait for that tool', async () => {
    let failure: unknown;
    const book = tool({ description: 'Book', execute: async () => new CollectTask('phone').run().catch((e) => ((failure = e), 'no phone')) });
    const { clock, session } = makeSession({
      session: { agent: new TestAgent({ id: 'booking', instructions: 'BOOKING', tools: { book } }) },
      replies: [
        { when: { userInput: 'book' }, reply: [{ type: 'toolCall', callId: 'c1', name: 'book', arguments: '{}' }] },
        { when: { afterTool: 'book' }, reply: 'Could not book.' },
      ],
    });
    await session.start();
    session.generateReply({ userInput: 'book' });
    await clock.runUntilTrue(() => session.currentAgent.id === 'phone');
    session.updateAgent(new TestAgent({ id: 'support', instructions: 'SUPPORT' }));
    await clock.runUntilTrue(() => session.currentAgent.id === 'support' && session.pendingSpeeches.length === 0);
    expect((failure as AgentTaskError).reason).toBe('handoff');
    expect(historyLines(session.history).filter((l) => l.startsWith('handoff:'))).toEqual(['handoff:booking>phone', 'handoff:phone>support']);
  });

  it('agents-js #2373: say() on a paused agent is served, and the next drain and close() complete', async () => {
    const gate = deferred();
    let task: CollectTask | undefined;
    const book = tool({
      description: 'Book',
      execute: async (_a, { ctx }) => {
        const run = (task = new CollectTask('phone')).run();
        await gate.promise;
        await ctx.session.say('Still with you.').waitForPlayout(); // the caller is paused now
        return run;
      },
    });
    const { clock, session } = makeSession({
      session: { agent: new TestAgent({ id: 'booking', instructions: 'BOOKING', tools: { book } }) },
      replies: [
        { when: { userInput: 'book' }, reply: [{ type: 'toolCall', callId: 'c1', name: 'book', arguments: '{}' }] },
        { when: { afterTool: 'book' }, reply: 'Booked.' },
      ],
    });
    await session.start();
    session.generateReply({ userInput: 'book' });
    await clock.runUntilTrue(() => session.currentAgent.id === 'phone');
    gate.resolve();
    await clock.runUntilTrue(() => session.history.some((i) => i.type === 'message' && i.content === 'Still with you.'));
    task!.complete('555');
    await clock.runUntilTrue(() => session.currentAgent.id === 'booking' && session.pendingSpeeches.length === 0);
    session.updateAgent(new TestAgent({ id: 'next', instructions: 'NEXT' }) as Agent);
    await clock.runUntilTrue(() => session.currentAgent.id === 'next');
    await clock.runUntil(session.close());
    expect(historyLines(session.history).at(-1)).toBe('handoff:booking>next');
  });
});
