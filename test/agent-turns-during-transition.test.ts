import { describe, expect, it } from 'vitest';
import { SessionClosedError } from '../src/index.js';
import { TestAgent, byInstructions, deferred, userSaysTo } from './support/agent-fixture.js';
import { historyLines, makeSession } from './support/session-fixture.js';

describe('user turns during an agent transition', () => {
  it('are kept while the old agent exits and answered by the new agent once it has entered (LiveKit drops them, py #3129)', async () => {
    const exit = deferred();
    const greeter = new TestAgent({ id: 'greeter', instructions: 'GREETER' }, { onExit: async (a) => { await a.session.say('Transferring you now.').waitForPlayout(); await exit.promise; } });
    const booking = new TestAgent({ id: 'booking', instructions: 'BOOKING' }, { onEnter: (a) => a.session.generateReply({ instructions: 'greet the caller' }) });
    const { clock, session, llm } = makeSession({
      session: { agent: greeter },
      replies: [
        { when: byInstructions('greet the caller'), reply: 'Booking desk, hello.' },
        { when: userSaysTo('BOOKING', 'a table for two'), reply: 'For when?' },
      ],
    });
    await session.start();
    session.updateAgent(booking);
    await clock.runUntilTrue(() => session.history.some((i) => i.type === 'message' && i.content === 'Transferring you now.'));
    // onExit is still running: the user speaks now.
    const turn = session.generateReply({ userInput: 'a table for two' });
    const said = session.say('Please hold.');
    await clock.runAll();
    expect(turn.state).toBe('queued');
    expect(said.state).toBe('queued');
    expect(session.currentAgent.id).toBe('greeter');
    exit.resolve();
    await clock.runUntil(Promise.all([turn.waitForPlayout(), said.waitForPlayout()]));
    expect(historyLines(session.history)).toEqual([
      'assistant:Transferring you now.',
      'handoff:greeter>booking',
      'assistant:Booking desk, hello.',
      'user:a table for two',
      'assistant:For when?',
      'assistant:Please hold.',
    ]);
    expect(llm.requests.every((r) => r.instructions?.includes('BOOKING'))).toBe(true);
  });

  it('a say() made by the leaving agent is served, never leaked, and close still completes (agents-js #2373)', async () => {
    const greeter = new TestAgent({ id: 'greeter', instructions: 'GREETER' }, { onExit: async (a) => { await a.session.say('Goodbye from the greeter.').waitForPlayout(); } });
    const { clock, session } = makeSession({ session: { agent: greeter } });
    await session.start();
    session.updateAgent(new TestAgent({ id: 'booking', instructions: 'BOOKING' }));
    await clock.runUntilTrue(() => session.currentAgent.id === 'booking' && session.agentState === 'listening');
    expect(historyLines(session.history)).toEqual(['assistant:Goodbye from the greeter.', 'handoff:greeter>booking']);
    expect(session.pendingSpeeches).toEqual([]);
    await clock.runUntil(session.close());
    expect(() => session.say('late')).toThrow(SessionClosedError);
  });
});
