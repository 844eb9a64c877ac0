import { describe, expect, it } from 'vitest';
import { AgentSession, SpeechFailedError, SpeechInterruptedError, tool, type TTS } from '../src/index.js';
import { FakeTTS, ScriptedLLM, VirtualAudioOutput, VirtualClock } from '../src/testing/index.js';
import { historyLines, makeSession } from './support/session-fixture.js';

describe('LLM and TTS errors', () => {
  it('an LLM stream error mid-step fails the speech with a typed error; the next input is served', async () => {
    let toolSignal: AbortSignal | undefined;
    let waitError: unknown;
    const t = tool({
      description: 'waits for preamble',
      execute: async (_a, { ctx, abortSignal }) => {
        toolSignal = abortSignal;
        await ctx.waitForPlayout().catch((e) => { waitError = e; });
        return 'x';
      },
    });
    const { clock, session, errors } = makeSession({
      tools: { t },
      replies: [
        { when: { userInput: 'break' }, reply: ['Starting a long preamble that will break. ', { type: 'toolCall', callId: 'c', name: 't', arguments: '{}' }, 'more text'], chunkDelayMs: 300, error: new Error('LLM connection reset') },
        { when: { userInput: 'again' }, reply: 'Working now.' },
      ],
    });
    await session.start();
    const h = session.generateReply({ userInput: 'break' });
    const wait = h.waitForPlayout();
    await clock.runUntil(wait.catch(() => {}));
    await expect(wait).rejects.toBeInstanceOf(SpeechFailedError);
    expect(h.outcome).toBe('failed');
    expect(toolSignal?.aborted).toBe(true);
    expect(waitError).toBeInstanceOf(SpeechFailedError);
    expect(errors.map((e) => [e.source, e.error.message])).toEqual([['llm', 'LLM connection reset']]);
    await clock.runUntil(session.generateReply({ userInput: 'again' }).waitForPlayout());
    expect(historyLines(session.history)).toEqual([
      'user:break',
      'assistant:Starting a [interrupted]', // failed at 0.6 s,
      'call:t({})',
      'output:t:error:error: the reply failed before the tool finished',
      'user:again',
      'assistant:Working now.',
    ]);
  });

  it('an LLM that throws before streaming fails the speech', async () => {
    const { clock, session, errors } = makeSession({ replies: [] }); // no reply matches: ScriptedLLM throws
    await session.start();
    const h = session.generateReply({ userInput: 'anything' });
    await expect(clock.runUntil(h.waitForPlayout())).rejects.toBeInstanceOf(SpeechFailedError);
    expect(errors[0]?.source).toBe('llm');
    expect(session.agentState).toBe('listening');
  });

  it('a TTS error fails the speech at once, even while the LLM still streams', async () => {
    const { clock, session, errors, llm } = makeSession({
      tts: { failAfterFrames: { frames: 10, error: new Error('TTS quota exceeded') } },
      replies: [{ reply: ['A reply ', 'streamed ', 'slowly ', 'over ', 'many ', 'chunks.'], chunkDelayMs: 400 }],
    });
    await session.start();
    const h = session.generateReply({ userInput: 'hi' });
    await expect(clock.runUntil(h.waitForPlayout())).rejects.toThrow(/TTS quota exceeded/);
    expect(errors.map((e) => e.source)).toEqual(['tts']);
    expect(llm.requests[0]?.signal.aborted).toBe(true);
    expect(clock.now()).toBeLessThan(1000); // failed before the LLM finished its 2 s stream
  });

  it('a TTS that throws synchronously fails the speech, not the session', async () => {
    const clock = new VirtualClock();
    const bad: TTS = { sampleRate: 24000, numChannels: 1, synthesize: () => { throw new Error('no voice'); } };
    const session = new AgentSession({ llm: new ScriptedLLM({ replies: [{ reply: 'x' }] }), tts: bad, audioOutput: new VirtualAudioOutput(clock) });
    const errors: string[] = [];
    session.on('error', (e) => errors.push(e.error.message));
    await session.start();
    const h = session.say('hello');
    await expect(clock.runUntil(h.waitForPlayout())).rejects.toBeInstanceOf(SpeechFailedError);
    expect(errors).toEqual(['no voice']);
    const ok = new AgentSession({ llm: new ScriptedLLM({ replies: [] }), tts: new FakeTTS(), audioOutput: new VirtualAudioOutput(clock) });
    await ok.start();
    await clock.runUntil(ok.say('fine').waitForPlayout());
  });

  it('an interrupt during a failing stream wins: waiters reject SpeechInterruptedError, no error event', async () => {
    const { clock, session, errors } = makeSession({ replies: [{ reply: ['slow ', 'text'], chunkDelayMs: 1000, error: new Error('late failure') }] });
    await session.start();
    const h = session.generateReply({ userInput: 'hi' });
    await clock.advance(200);
    const wait = h.waitForPlayout();
    h.interrupt();
    await expect(wait).rejects.toBeInstanceOf(SpeechInterruptedError);
    await clock.runAll();
    expect(errors).toEqual([]);
  });
});
