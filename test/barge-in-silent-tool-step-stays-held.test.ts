import { describe, expect, it } from 'vitest';
import { tool } from '../src/index.js';
import { historyLines, makeSession } from './support/session-fixture.js';
import { scriptedVoice } from './support/voice-fixture.js';

// A step that only calls a tool is held by a barge-in; its step ends with nothing audible while the
// tool runs. The hold must carry over: the tool reply is held as it starts, never played over the user.
describe('a silent tool step keeps its hold', () => {
  it('the tool reply waits for the false-interruption timeout, then plays; agent_false_interruption { resumed: true }', async () => {
    const lookup = tool({ description: 'lookup', execute: async () => new Promise<string>((r) => clock.setTimeout(() => r('found'), 300)) });
    const { clock, session, audioOutput, errors } = makeSession({
      tools: { lookup },
      replies: [
        { when: { userInput: 'look it up' }, ttftMs: 800, reply: [{ type: 'toolCall', callId: 'c1', name: 'lookup', arguments: '{}' }] },
        { when: { afterTool: 'lookup' }, reply: 'Here it is.' },
      ],
    });
    await session.start();
    const { v, kinds, falseInterruptions } = scriptedVoice(session, clock, { speeches: [{ startMs: 200, endMs: 1500 }] });
    const h = session.generateReply({ userInput: 'look it up' });
    await clock.advance(700);
    expect(h.paused).toBe(true); // held while its LLM step runs
    await clock.advance(3499 - 700);
    // The tool ran (800 → 1100) and its reply started under the hold: not a frame has played.
    expect(v.bargeIn.actor.getSnapshot().value).toEqual({ holding: 'awaitingWords' });
    expect(audioOutput.segments.filter((s) => s.playbackPosition > 0)).toEqual([]);
    expect(h.paused).toBe(true);
    await clock.advance(1);
    expect(falseInterruptions).toEqual([{ resumed: true, speechId: h.id, atMs: 3500 }]);
    await clock.runUntil(h.waitForPlayout());
    expect(clock.now()).toBe(3500 + 550); // 11 characters at 50 ms, from the resume
    expect(kinds()).toEqual(['paused@700', 'paused@1100', 'resumed@3500', 'falseInterruption@3500']);
    expect(historyLines(session.history)).toEqual(['user:look it up', 'call:lookup({})', 'output:lookup:ok:found', 'assistant:Here it is.']);
    expect(errors).toEqual([]);
    v.close();
  });
});
