import { AgentSession } from '../agent-session.js';
import type { InspectObserver } from '../agent-session.js';
import { realClock, type Clock } from '../ports/clock.js';
import type { SpeechHandle } from '../speech-handle.js';
import { tool } from '../tool.js';
import { FakeTTS } from '../testing/fake-tts.js';
import { ScriptedLLM } from '../testing/scripted-llm.js';
import { VirtualAudioOutput } from '../testing/virtual-audio-output.js';
import type { VirtualClock } from '../testing/virtual-clock.js';

export const SEED_FIRST_INPUT = 'Please run the slow tool for me';
export const SEED_SECOND_INPUT = 'Actually, never mind, do something else!';

export interface SeedDemoOptions {
  /** The inspection observer to attach to the session. */
  inspect?: InspectObserver;
  /** Run on this virtual clock (tests, benchmarks); without it the demo runs in real time (~2.5 s). */
  clock?: VirtualClock;
}

export interface SeedDemoResult {
  session: AgentSession;
  /** The reply whose tool waited for its preamble and was interrupted. */
  first: SpeechHandle;
  /** The reply to the input that interrupted it. */
  second: SpeechHandle;
}

/**
 * The seed scenario on fakes, for the inspector's demo, its tests and the overhead benchmark:
 * a tool waits for its preamble's playout, API input interrupts 0.8 s into the preamble, the tool
 * run is aborted, the speech interrupted, and the new reply plays. Resolves once the new reply has
 * played; the session is left open (close it when done).
 * @example
 * const inspector = await createInspectorServer();
 * const { session } = await runSeedDemo({ inspect: inspector.inspect });
 * await session.close();
 */
export async function runSeedDemo(o: SeedDemoOptions = {}): Promise<SeedDemoResult> {
  const clock: Clock = o.clock ?? realClock;
  const wait = (ms: number): Promise<void> => (o.clock ? o.clock.advance(ms) : new Promise((r) => realClock.setTimeout(r, ms)));
  const until = <T>(p: Promise<T>, what: string): Promise<T> => (o.clock ? o.clock.runUntil(p, { what }) : p);
  const slowTool = tool({
    description: 'Run a slow operation. Say a short preamble before calling this.',
    async execute(_args, { ctx }) {
      await ctx.waitForPlayout();
      return 'done';
    },
  });
  const llm = new ScriptedLLM({
    clock,
    replies: [
      {
        when: { userInput: SEED_FIRST_INPUT },
        ttftMs: 100,
        reply: ['Sure, let me run that for you now.', { type: 'toolCall', callId: 'call_1', name: 'slow_tool', arguments: '{}' }],
      },
      { when: { afterTool: 'slow_tool' }, reply: 'The slow tool is done.' },
      { when: { userInput: SEED_SECOND_INPUT }, ttftMs: 100, reply: 'Okay, something else then.' },
    ],
  });
  const session = new AgentSession({
    llm,
    tts: new FakeTTS({ msPerChar: 50 }),
    audioOutput: new VirtualAudioOutput(clock),
    tools: { slow_tool: slowTool },
    clock,
    ...(o.inspect ? { inspect: o.inspect } : {}),
  });
  await session.start();
  const first = session.generateReply({ userInput: SEED_FIRST_INPUT });
  // The interrupted reply's waiters reject by design; nobody else awaits them here.
  first.waitForPlayout().catch(() => {});
  await wait(900); // 0.8 s into the 1.7 s preamble; the tool waits for its playout
  const stopped = session.interrupt({ force: true });
  const second = session.generateReply({ userInput: SEED_SECOND_INPUT });
  await until(stopped, 'the interrupt');
  await until(second.waitForPlayout(), 'the new reply');
  return { session, first, second };
}
