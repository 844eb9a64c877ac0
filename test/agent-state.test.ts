import { describe, expect, it } from 'vitest';
import { tool } from '../src/index.js';
import { makeSession } from './support/session-fixture.js';

describe('agent state', () => {
  it('moves initializing → listening → thinking → speaking → thinking (tools) → speaking → listening', async () => {
    const t = tool({ description: 't', execute: async (_a, { ctx }) => { await ctx.waitForPlayout(); return 'ok'; } });
    const { clock, session } = makeSession({
      tools: { t },
      replies: [
        { when: { userInput: 'go' }, ttftMs: 300, reply: ['One moment.', { type: 'toolCall', callId: 'c', name: 't', arguments: '{}' }] },
        { when: { afterTool: 't' }, ttftMs: 300, reply: 'Done.' },
      ],
    });
    const seen: string[] = [session.agentState];
    session.on('agent_state_changed', (e) => seen.push(e.newState));
    await session.start();
    await clock.runUntil(session.generateReply({ userInput: 'go' }).waitForPlayout());
    expect(seen).toEqual(['initializing', 'listening', 'thinking', 'speaking', 'thinking', 'speaking', 'listening']);
  });

  it('emits speech_created and conversation_item_added in order', async () => {
    const { clock, session } = makeSession({ replies: [{ reply: 'Hello.' }] });
    const events: string[] = [];
    session.on('speech_created', (e) => events.push(`speech:${e.source}`));
    session.on('conversation_item_added', (e) => events.push(`item:${e.item.type}`));
    await session.start();
    await clock.runUntil(session.generateReply({ userInput: 'hi' }).waitForPlayout());
    expect(events).toEqual(['speech:generate_reply', 'item:message', 'item:message']);
  });

  it('a throwing listener becomes an error event, never a broken session', async () => {
    const { clock, session, errors } = makeSession();
    session.on('speech_created', () => { throw new Error('listener bug'); });
    await session.start();
    await clock.runUntil(session.say('still fine').waitForPlayout());
    expect(errors.map((e) => [e.source, e.error.message])).toEqual([['callback', 'listener bug']]);
  });
});
