import { describe, expect, it } from 'vitest';
import { tool } from '../src/index.js';
import { deferred } from './support/agent-fixture.js';
import { historyLines, makeSession } from './support/session-fixture.js';

describe('an LLM that reuses a tool call id', () => {
  it('while the first run is live: both runs go on, the second gets a suffixed id, both speeches end', async () => {
    const gate = deferred<string>();
    let n = 0;
    const slow = tool({ description: 's', execute: async () => (++n === 1 ? gate.promise : 'second') });
    const { clock, session } = makeSession({
      tools: { slow },
      replies: [
        { when: { userInput: 'a' }, reply: ['A.', { type: 'toolCall', callId: 'c1', name: 'slow', arguments: '{}' }] },
        { when: { userInput: 'b' }, reply: ['B.', { type: 'toolCall', callId: 'c1', name: 'slow', arguments: '{}' }] },
        { when: { afterTool: 'slow' }, reply: 'done' },
      ],
    });
    await session.start();
    const a = session.generateReply({ userInput: 'a' });
    const b = session.generateReply({ userInput: 'b' });
    await clock.runUntil(b.waitForPlayout());
    gate.resolve('first');
    await clock.runUntil(a.waitForPlayout());
    const calls = session.history.filter((i) => i.type === 'function_call').map((i) => (i.type === 'function_call' ? i.callId : ''));
    expect(calls.sort()).toEqual(['c1', 'c1_2']);
    expect(historyLines(session.history).filter((l) => l.startsWith('output:'))).toEqual(['output:slow:ok:second', 'output:slow:ok:first']);
    expect(session.pendingSpeeches).toEqual([]);
  });
});
