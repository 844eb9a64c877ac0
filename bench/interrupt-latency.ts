/**
 * Interrupt → tool-waiter latency, wall clock, on the seed scenario.
 * A tool awaits `ctx.waitForPlayout()` for its preamble; `session.interrupt({ force: true })` is called
 * mid-preamble. Measured: from just before the call to the moment the tool's catch block runs, and
 * to the abort signal firing. The pipeline runs on fakes and a virtual clock, so only the engine counts.
 *
 * Run: npx tsx bench/interrupt-latency.ts [turns=2000]
 */
import { AgentSession, tool } from '../src/index.js';
import { FakeTTS, ScriptedLLM, VirtualAudioOutput, VirtualClock } from '../src/testing/index.js';

const turns = Number(process.argv[2] ?? 2000);
const toWait: number[] = [];
const toSignal: number[] = [];
const callDuration: number[] = [];

for (let i = 0; i < turns; i++) {
  const clock = new VirtualClock();
  let t0 = 0;
  let waitAt = -1;
  let signalAt = -1;
  const slow = tool({
    description: 'slow',
    async execute(_a, { ctx, abortSignal }) {
      abortSignal.addEventListener('abort', () => (signalAt = performance.now()));
      try {
        await ctx.waitForPlayout();
      } catch {
        waitAt = performance.now();
      }
      return 'done';
    },
  });
  const llm = new ScriptedLLM({
    clock,
    replies: [{ when: { userInput: 'run' }, reply: ['Sure, let me run that for you now.', { type: 'toolCall', callId: 'c', name: 'slow', arguments: '{}' }] }],
  });
  const session = new AgentSession({ llm, tts: new FakeTTS(), audioOutput: new VirtualAudioOutput(clock), tools: { slow } });
  await session.start();
  session.generateReply({ userInput: 'run' });
  await clock.advance(700);
  t0 = performance.now();
  const stopped = session.interrupt({ force: true });
  const t1 = performance.now();
  await stopped;
  if (waitAt < 0 || signalAt < 0) throw new Error(`turn ${i}: the tool was not released`);
  toWait.push(waitAt - t0);
  toSignal.push(signalAt - t0);
  callDuration.push(t1 - t0);
  await session.close();
}

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const row = (name: string, xs: number[]) =>
  `| ${name.padEnd(38)} | ${q(xs, 0.5).toFixed(4).padStart(8)} | ${q(xs, 0.99).toFixed(4).padStart(8)} | ${Math.max(...xs).toFixed(4).padStart(8)} |`;
console.log(`interrupt latency over ${turns} seed turns (ms, wall clock, node ${process.version})`);
console.log('| measure                                |      p50 |      p99 |      max |');
console.log('|----------------------------------------|---------:|---------:|---------:|');
console.log(row('interrupt() call returns', callDuration));
console.log(row('interrupt → tool abort signal fired', toSignal));
console.log(row('interrupt → tool waitForPlayout rejected', toWait));
