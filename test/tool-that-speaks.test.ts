import { describe, expect, it } from 'vitest';
import { SpeechInterruptedError, tool, type SpeechHandle } from '../src/index.js';
import { historyLines, makeSession } from './support/session-fixture.js';

// LiveKit's most common tool patterns: a tool that says "one moment" (or asks the LLM for a status
// line) and awaits it before it goes on. The speech that called the tool releases the floor once its
// step's audio has played, so the status speech is served; the tool reply comes after it.

const call = (name: string, callId: string) => ({ type: 'toolCall' as const, callId, name, arguments: '{}' });

function speakingTool(how: 'say' | 'reply', probe: { status?: SpeechHandle; waitError?: unknown; returned: boolean }) {
  return tool({
    description: 'looks something up, telling the user to hold on',
    async execute(_a, { ctx }) {
      await ctx.waitForPlayout();
      const h = how === 'say' ? ctx.session.say('One moment while I check.') : ctx.session.generateReply({ instructions: 'tell the user to hold on' });
      probe.status = h;
      try {
        await h.waitForPlayout();
      } catch (e) {
        probe.waitError = e;
      }
      probe.returned = true;
      return 'found it';
    },
  });
}

function session(how: 'say' | 'reply', probe: { status?: SpeechHandle; waitError?: unknown; returned: boolean }) {
  return makeSession({
    tools: { lookup: speakingTool(how, probe) },
    replies: [
      { when: { userInput: 'look it up' }, reply: ['Sure.', call('lookup', 'c1')] },
      { when: (r) => r.instructions?.includes('hold on') === true, reply: 'Please hold on.' },
      { when: { afterTool: 'lookup' }, reply: 'Here it is.' },
    ],
  });
}

describe('a tool that speaks and waits for its own status speech', () => {
  for (const how of ['say', 'reply'] as const) {
    it(`${how}: the status speech plays before the tool reply; the tool returns; nothing hangs`, async () => {
      const probe: { status?: SpeechHandle; waitError?: unknown; returned: boolean } = { returned: false };
      const { clock, session: s, errors } = session(how, probe);
      const states: string[] = [];
      s.on('agent_state_changed', (e) => states.push(e.newState));
      await s.start();
      const h = s.generateReply({ userInput: 'look it up' });
      // runUntil fails the test (instead of hanging) if the reply never finishes.
      await clock.runUntil(h.waitForPlayout());
      expect(probe.returned).toBe(true);
      expect(probe.waitError).toBeUndefined();
      expect(probe.status!.outcome).toBe('done');
      const status = how === 'say' ? 'assistant:One moment while I check.' : 'assistant:Please hold on.';
      expect(historyLines(s.history)).toEqual(['user:look it up', 'assistant:Sure.', status, 'call:lookup({})', 'output:lookup:ok:found it', 'assistant:Here it is.']);
      expect(s.agentState).toBe('listening');
      expect(states).toEqual(['listening', 'thinking', 'speaking', 'thinking', 'speaking', 'thinking', 'speaking', 'listening']);
      expect(errors).toEqual([]);
    });
  }

  it('interrupting the status speech rejects the tool wait with SpeechInterruptedError; the tool goes on and its reply plays', async () => {
    const probe: { status?: SpeechHandle; waitError?: unknown; returned: boolean } = { returned: false };
    const { clock, session: s } = session('say', probe);
    await s.start();
    const h = s.generateReply({ userInput: 'look it up' });
    await clock.runUntilTrue(() => s.currentSpeech !== undefined && s.currentSpeech === probe.status && s.agentState === 'speaking');
    // A barge-in interrupts the speech holding the floor: the status speech, not the one waiting for its tool.
    s.currentSpeech!.interrupt();
    await clock.settle();
    expect(probe.waitError).toBeInstanceOf(SpeechInterruptedError);
    expect(probe.returned).toBe(true);
    await clock.runUntil(h.waitForPlayout());
    expect(h.outcome).toBe('done');
    const lines = historyLines(s.history);
    expect(lines[0]).toBe('user:look it up');
    expect(lines[1]).toBe('assistant:Sure.');
    expect(lines.slice(-3)).toEqual(['call:lookup({})', 'output:lookup:ok:found it', 'assistant:Here it is.']);
  });

  it('session.interrupt() while the original speech waits for its tool aborts the tool at once', async () => {
    let signal: AbortSignal | undefined;
    let waitError: unknown;
    const slow = tool({
      description: 'slow',
      async execute(_a, { ctx, abortSignal }) {
        signal = abortSignal;
        await ctx.waitForPlayout();
        try {
          await ctx.speechHandle.waitIfNotInterrupted(new Promise(() => {}));
        } catch (e) {
          waitError = e;
          throw e;
        }
      },
    });
    const { clock, session: s } = makeSession({ tools: { slow }, replies: [{ when: { userInput: 'go' }, reply: ['Working.', call('slow', 'c1')] }] });
    await s.start();
    const h = s.generateReply({ userInput: 'go' });
    await clock.runUntilTrue(() => s.agentState === 'thinking' && s.currentSpeech === undefined && h.state !== 'queued');
    expect(h.state).toEqual({ active: 'awaitingTools' });
    const done = s.interrupt();
    expect(signal!.aborted).toBe(true);
    expect(h.interrupted).toBe(true);
    await clock.runUntil(done);
    expect(waitError).toBeInstanceOf(SpeechInterruptedError);
    expect(historyLines(s.history)).toEqual([
      'user:go',
      'assistant:Working.',
      'call:slow({})',
      'output:slow:error:error: the tool was aborted because the user interrupted the speech',
    ]);
    expect(s.agentState).toBe('listening');
  });

  it('a HIGH priority say from outside, made while a tool runs, is heard before the tool reply', async () => {
    let release!: () => void;
    const slow = tool({ description: 'slow', execute: () => new Promise<string>((r) => (release = () => r('ok'))) });
    const { clock, session: s } = makeSession({
      tools: { slow },
      replies: [
        { when: { userInput: 'go' }, reply: ['Working.', call('slow', 'c1')] },
        { when: { afterTool: 'slow' }, reply: 'All done.' },
      ],
    });
    await s.start();
    const h = s.generateReply({ userInput: 'go' });
    await clock.runUntilTrue(() => h.state !== 'queued' && s.currentSpeech === undefined);
    const news = s.say('Still working on it.', { priority: 10 });
    await clock.runUntil(news.waitForPlayout());
    release();
    await clock.runUntil(h.waitForPlayout());
    expect(historyLines(s.history)).toEqual(['user:go', 'assistant:Working.', 'assistant:Still working on it.', 'call:slow({})', 'output:slow:ok:ok', 'assistant:All done.']);
  });
});
