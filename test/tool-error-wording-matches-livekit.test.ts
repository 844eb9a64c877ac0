import { describe, expect, it } from 'vitest';
import { tool } from '../src/index.js';
import { makeSession } from './support/session-fixture.js';

// Users' prompts and tests match on LiveKit's exact wording of these two tool error outputs.
describe('tool error outputs are worded as in LiveKit', () => {
  it('an unknown tool is "Unknown function: NAME"; a tool that throws (not a ToolError) is "An internal error occurred"', async () => {
    const boom = tool({ description: 'crashes', execute: () => { throw new Error('secret detail'); } });
    const { clock, session } = makeSession({
      tools: { boom },
      replies: [
        { when: { userInput: 'go' }, reply: [{ type: 'toolCall', callId: 'a', name: 'nope', arguments: '{}' }, { type: 'toolCall', callId: 'b', name: 'boom', arguments: '{}' }] },
        { when: { afterTool: 'boom' }, reply: 'Sorry.' },
      ],
    });
    session.on('error', () => {});
    await session.start();
    await clock.runUntil(session.generateReply({ userInput: 'go' }).waitForPlayout());
    const outputs = session.history.filter((i) => i.type === 'function_call_output');
    expect(outputs.map((o) => [o.name, o.isError, o.output])).toEqual([
      ['nope', true, 'Unknown function: nope'],
      ['boom', true, 'An internal error occurred'],
    ]);
  });
});
