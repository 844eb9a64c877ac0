import { AgentSession, tool, type Tool } from '../../src/index.js';
import { FakeTTS, ScriptedLLM, VirtualAudioOutput, VirtualClock, type ScriptedReply } from '../../src/testing/index.js';

export const PREAMBLE = 'Sure, let me run that for you now.';
export const FIRST_INPUT = 'Please run the slow tool for me';
export const SECOND_INPUT = 'Actually, never mind, do something else!';

/** The seed scenario's parts on fakes and virtual time, with hooks into the tool. */
export function seedSession(o: { extraReplies?: ScriptedReply[]; tools?: Record<string, Tool>; allowInterruptions?: boolean } = {}) {
  const clock = new VirtualClock();
  const audioOutput = new VirtualAudioOutput(clock);
  const tts = new FakeTTS({ msPerChar: 50 }); // the preamble is 1.7 s of audio
  const probe = {
    signal: undefined as AbortSignal | undefined,
    waitError: undefined as unknown,
    waitResolved: false,
    executed: 0,
  };
  const slowTool = tool({
    description: 'Run a slow operation. Say a short preamble before calling this.',
    async execute(_args, { ctx, abortSignal }) {
      probe.executed++;
      probe.signal = abortSignal;
      try {
        await ctx.waitForPlayout();
        probe.waitResolved = true;
      } catch (e) {
        probe.waitError = e;
        throw e;
      }
      return 'done';
    },
  });
  const llm = new ScriptedLLM({
    clock,
    replies: [
      {
        when: { userInput: FIRST_INPUT },
        ttftMs: 100,
        reply: [PREAMBLE, { type: 'toolCall', callId: 'call_1', name: 'slow_tool', arguments: '{}' }],
      },
      { when: { afterTool: 'slow_tool' }, reply: 'The slow tool is done.' },
      { when: { userInput: SECOND_INPUT }, ttftMs: 100, reply: 'Okay, something else then.' },
      ...(o.extraReplies ?? []),
    ],
  });
  const session = new AgentSession({
    llm,
    tts,
    audioOutput,
    tools: { slow_tool: slowTool, ...(o.tools ?? {}) },
    clock,
    ...(o.allowInterruptions !== undefined ? { allowInterruptions: o.allowInterruptions } : {}),
  });
  return { clock, audioOutput, tts, llm, session, probe };
}

/** Resolves after the current macrotask: anything that settled before it happened in microtasks. */
export function nextMacrotask(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
