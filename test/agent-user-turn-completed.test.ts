import { describe, expect, it } from 'vitest';
import { StopResponse, type ChatItem, type ChatMessage } from '../src/index.js';
import { TestAgent } from './support/agent-fixture.js';
import { historyLines, makeSession } from './support/session-fixture.js';

class Screening extends TestAgent {
  seen: string[] = [];
  constructor() {
    super({ id: 'screening', instructions: 'SCREEN' });
  }
  override async onUserTurnCompleted(history: readonly ChatItem[], msg: ChatMessage) {
    this.seen.push(`${history.length}:${msg.content}`);
    if (msg.content === 'shh') throw new StopResponse();
    if (msg.content === 'tpyo') msg.content = 'typo';
  }
}

describe('Agent.onUserTurnCompleted', () => {
  it('runs for each user turn before the reply: StopResponse skips the reply (the turn stays in history), a change to the message is what is committed', async () => {
    const agent = new Screening();
    const { clock, session, llm } = makeSession({ session: { agent }, replies: [{ when: { userInput: 'typo' }, reply: 'Fixed.' }] });
    await session.start();
    const stopped = session.generateReply({ userInput: 'shh' });
    await clock.runUntil(stopped.waitForPlayout());
    expect(stopped.outcome).toBe('done');
    await clock.runUntil(session.generateReply({ userInput: 'tpyo' }).waitForPlayout());
    expect(agent.seen).toEqual(['0:shh', '1:tpyo']);
    expect(historyLines(session.history)).toEqual(['user:shh', 'user:typo', 'assistant:Fixed.']);
    expect(llm.requests).toHaveLength(1);
    expect(session.agentState).toBe('listening');
  });

  it('a hook that throws fails that reply (error event, source agent); the session goes on', async () => {
    const agent = new (class extends TestAgent {
      override onUserTurnCompleted() {
        throw new Error('hook bug');
      }
    })({ id: 'buggy', instructions: 'X' });
    const { clock, session, errors } = makeSession({ session: { agent } });
    await session.start();
    const h = session.generateReply({ userInput: 'hello' });
    await clock.runUntil(h.waitForPlayout().catch(() => undefined));
    expect(h.outcome).toBe('failed');
    expect(errors.map((e) => `${e.source}:${e.error.message}`)).toEqual(['agent:hook bug']);
    expect(historyLines(session.history)).toEqual(['user:hello']);
  });
});
