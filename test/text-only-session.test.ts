import { describe, expect, it } from 'vitest';
import { AgentSession, InvalidArgumentError, tool } from '../src/index.js';
import { FakeTTS, ScriptedLLM, VirtualAudioOutput, VirtualClock, type ScriptedReply } from '../src/testing/index.js';
import { historyLines } from './support/session-fixture.js';

/** A session with neither a TTS nor an audio output, on virtual time. */
function textSession(replies: ScriptedReply[], o: { tools?: Record<string, ReturnType<typeof tool>> } = {}) {
  const clock = new VirtualClock();
  const llm = new ScriptedLLM({ clock, replies });
  const session = new AgentSession({ llm, clock, ...(o.tools ? { tools: o.tools } : {}) });
  const errors: Error[] = [];
  session.on('error', (e) => errors.push(e.error));
  return { clock, llm, session, errors };
}

describe('a text-only session (no tts, no audioOutput)', () => {
  it('commits each reply whole when its generation ends, with the same agent states as with audio', async () => {
    const { clock, session, errors } = textSession([{ when: { userInput: 'hi' }, ttftMs: 100, reply: ['Hello ', 'there.'] }]);
    const states: string[] = [session.agentState];
    session.on('agent_state_changed', (e) => states.push(e.newState));
    await session.start();
    await clock.runUntil(session.generateReply({ userInput: 'hi' }).waitForPlayout());
    expect(historyLines(session.history)).toEqual(['user:hi', 'assistant:Hello there.']);
    expect(states).toEqual(['initializing', 'listening', 'thinking', 'speaking', 'listening']);
    expect(clock.now()).toBe(100); // only the LLM's own time passed: no playout to wait for
    expect(errors).toEqual([]);
  });

  it('runs tool steps and the tool reply', async () => {
    const lookup = tool({ description: 'Weather', execute: async ({ city }: { city: string }, { ctx }) => (await ctx.waitForPlayout(), `sunny in ${city}`) });
    const { clock, session } = textSession(
      [
        { when: { userInput: 'weather?' }, reply: ['Let me look.', { type: 'toolCall', callId: 'c1', name: 'lookup', arguments: '{"city":"Paris"}' }] },
        { when: { afterTool: 'lookup' }, ttftMs: 50, reply: 'It is sunny.' },
      ],
      { tools: { lookup } },
    );
    await session.start();
    await clock.runUntil(session.generateReply({ userInput: 'weather?' }).waitForPlayout());
    expect(historyLines(session.history)).toEqual([
      'user:weather?',
      'assistant:Let me look.',
      'call:lookup({"city":"Paris"})',
      'output:lookup:ok:sunny in Paris',
      'assistant:It is sunny.',
    ]);
    expect(session.agentState).toBe('listening');
  });

  it('an interrupt mid-generation keeps the text generated so far, marked interrupted', async () => {
    const { clock, session } = textSession([{ when: { userInput: 'story' }, chunkDelayMs: 100, reply: ['Once ', 'upon ', 'a time.'] }]);
    await session.start();
    const h = session.generateReply({ userInput: 'story' });
    await clock.runUntilTrue(() => session.agentState === 'speaking');
    await clock.advance(150); // 'Once ' and 'upon ' were generated; 'a time.' is 50 ms away
    await session.interrupt();
    expect(h.interrupted).toBe(true);
    expect(historyLines(session.history)).toEqual(['user:story', 'assistant:Once upon  [interrupted]']);
    expect(session.agentState).toBe('listening');
  });

  it('an interrupt before any text leaves no assistant message', async () => {
    const { clock, session } = textSession([{ when: { userInput: 'hi' }, ttftMs: 500, reply: 'Hello.' }]);
    await session.start();
    session.generateReply({ userInput: 'hi' });
    await clock.advance(100);
    await session.interrupt();
    expect(historyLines(session.history)).toEqual(['user:hi']);
  });

  it('pause() is a no-op: there is no audio to hold', async () => {
    const { clock, session } = textSession([{ when: { userInput: 'hi' }, chunkDelayMs: 100, reply: ['Hello ', 'there.'] }]);
    await session.start();
    const h = session.generateReply({ userInput: 'hi' });
    await clock.runUntilTrue(() => session.agentState === 'speaking');
    expect(h.pause()).toBe(false);
    expect(h.paused).toBe(false);
    await clock.runUntil(h.waitForPlayout());
    expect(historyLines(session.history)).toEqual(['user:hi', 'assistant:Hello there.']);
  });

  it('tts and audioOutput go together: one without the other is an InvalidArgumentError naming the missing one', () => {
    const clock = new VirtualClock();
    const llm = new ScriptedLLM({ replies: [] });
    expect(() => new AgentSession({ llm, tts: new FakeTTS() })).toThrow(InvalidArgumentError);
    expect(() => new AgentSession({ llm, tts: new FakeTTS() })).toThrow(/audioOutput is required with tts/);
    expect(() => new AgentSession({ llm, audioOutput: new VirtualAudioOutput(clock) })).toThrow(/tts is required with audioOutput/);
  });
});
