/**
 * `npx tsx bench/micro.ts`: the engine's unit costs, warm, wall clock (performance.now), on virtual time.
 *   1. per-transition cost of the machines, inspection off / no-op observer / @statelyai-free
 *   2. per-speech setup: machine.provide() + createActor().start(), as the runtime does it
 *   3. engine CPU per turn (AgentSession on a virtual clock, silent TTS): played-out reply, reply with a
 *      tool awaiting its preamble, interrupted reply; inspection off and on
 *   4. interrupt(): where its synchronous time goes (the seed turn of bench/interrupt-latency.ts),
 *      measured by removing one cost at a time: Error stack capture, DOMException of abort()
 * Writes bench/results/micro.md. Options: --turns 1000
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createActor, type AnyStateMachine } from 'xstate';
import { agentStateMachine, speechHandleMachine, toolRunMachine } from '../machines/index.js';
import { AgentSession, SpeechInterruptedError, tool } from '../src/index.js';
import { ScriptedLLM, VirtualAudioOutput, VirtualClock } from '../src/testing/index.js';
import { SilentTTS } from '../test/support/reliability.js';
import { SoakClock } from '../test/support/soak.js';
import { args } from './lib/cli-args.js';
import { fmtMs, median, quantile } from './lib/scenario.js';

const a = args({ turns: '1000' });
const TURNS = Number(a.turns);
const out: string[] = [];
const log = (s = '') => (console.log(s), out.push(s));

/** µs per call of fn, after warm-up; best of 5 batches (least disturbed by GC and other processes). */
function perCall(n: number, fn: () => void): number {
  for (let i = 0; i < Math.min(n, 3000); i++) fn();
  let best = Infinity;
  for (let b = 0; b < 5; b++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, ((performance.now() - t0) * 1000) / n);
  }
  return best;
}
const us = (x: number) => `${x.toFixed(2)} µs`;

// ── 1. per-transition cost ─────────────────────────────────────────────────
log('## 1. Per-transition cost (warm; best of 5 batches)');
log('');
log('| transition | inspection off | no-op inspect observer | overhead |');
log('|---|---:|---:|---:|');
function transitionCost(inspect: boolean) {
  const opts = inspect ? { inspect: () => {} } : {};
  const agent = createActor(agentStateMachine, opts).start();
  agent.send({ type: 'STARTED' });
  let flip = false;
  const agentT = perCall(50_000, () => agent.send({ type: (flip = !flip) ? 'THINKING' : 'LISTENING' }));
  // A speech's path with one tool: 4 transitions + the final one, per actor (creation excluded by subtraction).
  const create = () => createActor(speechHandleMachine as AnyStateMachine, { input: { id: 's' }, ...opts }).start();
  const createOnly = perCall(10_000, () => void create());
  const path = perCall(10_000, () => {
    const s = create();
    s.send({ type: 'AUTHORIZE' });
    s.send({ type: 'TOOL_STARTED', callId: 'c' });
    s.send({ type: 'GENERATION_DONE' });
    s.send({ type: 'INTERRUPT', force: true });
  });
  const toolCreate = () => createActor(toolRunMachine as AnyStateMachine, { input: { callId: 'c', name: 't', speechId: 's', step: 1 }, ...opts }).start();
  const toolCreateOnly = perCall(10_000, () => void toolCreate());
  const toolPath = perCall(10_000, () => {
    const t = toolCreate();
    t.send({ type: 'WAIT_FOR_PLAYOUT' });
    t.send({ type: 'INTERRUPT', force: true });
  });
  return { agentT, speech: (path - createOnly) / 4, tool: (toolPath - toolCreateOnly) / 2, createOnly, toolCreateOnly };
}
const off = transitionCost(false);
const on = transitionCost(true);
const row1 = (name: string, x: number, y: number) => log(`| ${name} | ${us(x)} | ${us(y)} | ${((y / x - 1) * 100).toFixed(0)} % |`);
row1('agent state THINKING ⇄ LISTENING', off.agentT, on.agentT);
row1('speech handle, mean of AUTHORIZE, TOOL_STARTED, GENERATION_DONE, INTERRUPT (→ final)', off.speech, on.speech);
row1('tool run, mean of WAIT_FOR_PLAYOUT, INTERRUPT (→ final)', off.tool, on.tool);
row1('createActor(speechHandleMachine).start()', off.createOnly, on.createOnly);
row1('createActor(toolRunMachine).start()', off.toolCreateOnly, on.toolCreateOnly);
log('');

// ── 2. per-speech setup as the runtime does it ─────────────────────────────
log('## 2. Per-speech and per-tool-run setup');
log('');
const noop = () => {};
const provideSpeech = perCall(5_000, () => void speechHandleMachine.provide({ actions: { startStep: noop, interruptTools: noop, stopAudio: noop, finishSpeech: noop } }));
const provideTool = perCall(5_000, () => void toolRunMachine.provide({ actions: { abortSignal: noop, recordOutput: noop } }));
const error = perCall(50_000, () => void new SpeechInterruptedError('speech_1'));
const errorNoStack = perCall(50_000, () => {
  const l = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  void new SpeechInterruptedError('speech_1');
  Error.stackTraceLimit = l;
});
const reason = new SpeechInterruptedError('s');
const abortNoReason = perCall(50_000, () => new AbortController().abort());
const abortReason = perCall(50_000, () => new AbortController().abort(reason));
const controllerOnly = perCall(50_000, () => void new AbortController());
// generateReply() as a caller sees it: a queued reply (the floor is held by a long say()), then dropped.
const gClock = new VirtualClock();
const gSession = new AgentSession({ llm: new ScriptedLLM({ replies: [{ reply: 'x' }] }), tts: new SilentTTS(), audioOutput: new VirtualAudioOutput(gClock) });
await gSession.start();
gSession.say('A long speech holding the floor.', { allowInterruptions: false });
let genTotal = 0;
let genCount = 0;
for (let i = 0; i < 20_000; i++) {
  const t0 = performance.now();
  const h = gSession.generateReply({ userInput: 'hi' });
  const dt = performance.now() - t0;
  if (i >= 5_000) (genTotal += dt), genCount++; // after warm-up
  h.waitForPlayout().catch(() => {});
  h.interrupt({ force: true }); // queued: removed at once, so the queue stays one long
}
const genReply = (genTotal * 1000) / genCount;
await gClock.runAll();
log('| operation | cost |');
log('|---|---:|');
log(`| session.generateReply() while another speech holds the floor (SpeechHandle: provide + createActor + ENQUEUE) | ${us(genReply)} |`);
log(`| speechHandleMachine.provide({...}) (once per speech, SpeechHandle constructor) | ${us(provideSpeech)} |`);
log(`| toolRunMachine.provide({...}) (once per tool run, ToolRun constructor) | ${us(provideTool)} |`);
log(`| new SpeechInterruptedError() (stack captured) | ${us(error)} |`);
log(`| new SpeechInterruptedError() with Error.stackTraceLimit = 0 | ${us(errorNoStack)} |`);
log(`| new AbortController().abort() (no reason: builds a DOMException with a stack) | ${us(abortNoReason)} |`);
log(`| new AbortController().abort(reason) (a ready reason) | ${us(abortReason)} |`);
log(`| new AbortController() alone | ${us(controllerOnly)} |`);
log('');

// ── 3. engine CPU per turn ─────────────────────────────────────────────────
log(`## 3. Engine CPU per turn (${TURNS} turns each, one session, virtual clock with a one-hop settle, silent TTS with 20 ms frames)`);
log('');
const call = (id: string) => ({ type: 'toolCall' as const, callId: id, name: 'lookup', arguments: '{}' });
async function cpuPerTurn(kind: 'plain' | 'tool' | 'interrupted', inspect: boolean): Promise<{ cpu: number; wall: number; events: number }> {
  const clock = new SoakClock();
  let n = 0;
  let events = 0;
  const lookup = tool({ description: 'lookup', execute: async (_a, { ctx }) => { await ctx.waitForPlayout().catch(() => {}); return 'ok'; } });
  const llm = new ScriptedLLM({
    clock,
    replies: [
      { when: { afterTool: 'lookup' }, reply: 'Found it.' },
      kind === 'plain' ? { reply: 'A plain answer of about a second.' } : { get reply() { return ['Let me look that up.', call(`c${++n}`)]; } },
    ],
  });
  const session = new AgentSession({
    llm,
    tts: new SilentTTS({ frameMs: 20 }),
    audioOutput: new VirtualAudioOutput(clock),
    tools: { lookup },
    ...(inspect ? { inspect: () => void events++ } : {}),
  });
  await session.start();
  const turn = async (i: number) => {
    const h = session.generateReply({ userInput: `input ${i}` });
    if (kind === 'interrupted') {
      await clock.advance(400);
      await clock.runUntil(session.interrupt());
    } else await clock.runUntil(h.waitForPlayout());
  };
  for (let i = 0; i < 200; i++) await turn(i); // warm-up
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (let i = 0; i < TURNS; i++) await turn(i);
  const c = process.cpuUsage(c0);
  const wall = performance.now() - w0;
  await clock.runUntil(session.close());
  return { cpu: (c.user + c.system) / 1000 / TURNS, wall: wall / TURNS, events: events / (TURNS + 200) };
}
log('| turn | CPU per turn, inspection off | CPU per turn, no-op inspect observer | overhead | inspection events per turn |');
log('|---|---:|---:|---:|---:|');
for (const kind of ['plain', 'tool', 'interrupted'] as const) {
  // Alternating rounds, best of 3: other processes on the machine only ever add time.
  let x = { cpu: Infinity, wall: 0, events: 0 };
  let y = { cpu: Infinity, wall: 0, events: 0 };
  for (let r = 0; r < 3; r++) {
    const xo = await cpuPerTurn(kind, false);
    const yo = await cpuPerTurn(kind, true);
    if (xo.cpu < x.cpu) x = xo;
    if (yo.cpu < y.cpu) y = yo;
  }
  const label = { plain: 'reply played out (1.65 s of audio)', tool: 'preamble + tool awaiting its playout + tool reply, played out', interrupted: 'preamble + tool, interrupt 400 ms in' }[kind];
  log(`| ${label} | ${fmtMs(x.cpu)} ms | ${fmtMs(y.cpu)} ms | ${((y.cpu / x.cpu - 1) * 100).toFixed(0)} % | ${y.events.toFixed(0)} |`);
}
log('');
log('CPU per turn includes the fakes (ScriptedLLM, silent TTS, VirtualAudioOutput) and the virtual clock (one setImmediate per timer), so it is an upper bound for the engine.');
log('');

// ── 4. interrupt() breakdown ───────────────────────────────────────────────
log('## 4. Where the synchronous time of `interrupt()` goes (seed turn: preamble playing, tool awaiting it)');
log('');
async function interruptCost(turns: number): Promise<{ p50: number; p99: number }> {
  const xs: number[] = [];
  for (let i = 0; i < turns; i++) {
    const clock = new VirtualClock();
    const slow = tool({ description: 'slow', execute: async (_a, { ctx }) => { await ctx.waitForPlayout().catch(() => {}); return 'done'; } });
    const llm = new ScriptedLLM({ clock, replies: [{ when: { userInput: 'run' }, reply: ['Sure, let me run that for you now.', { type: 'toolCall', callId: 'c', name: 'slow', arguments: '{}' }] }] });
    const session = new AgentSession({ llm, tts: new SilentTTS(), audioOutput: new VirtualAudioOutput(clock), tools: { slow } });
    await session.start();
    session.generateReply({ userInput: 'run' });
    await clock.advance(700);
    const t0 = performance.now();
    const p = session.interrupt({ force: true });
    xs.push(performance.now() - t0);
    await p;
    await session.close();
  }
  return { p50: median(xs)!, p99: quantile(xs, 0.99)! };
}
const realAbort = AbortController.prototype.abort;
const sharedReason = new SpeechInterruptedError('shared');
const variants: [string, () => void, () => void][] = [
  ['as is', () => {}, () => {}],
  [
    'no stack capture (Error.stackTraceLimit = 0)',
    () => void (Error.stackTraceLimit = 0),
    () => void (Error.stackTraceLimit = 10),
  ],
  [
    'abort() given a ready reason (no DOMException)',
    () => void (AbortController.prototype.abort = function (this: AbortController, r?: unknown) { return realAbort.call(this, r ?? sharedReason); }),
    () => void (AbortController.prototype.abort = realAbort),
  ],
  [
    'both',
    () => {
      Error.stackTraceLimit = 0;
      AbortController.prototype.abort = function (this: AbortController, r?: unknown) { return realAbort.call(this, r ?? sharedReason); };
    },
    () => {
      Error.stackTraceLimit = 10;
      AbortController.prototype.abort = realAbort;
    },
  ],
];
const n4 = Math.max(300, Math.floor(TURNS / 3));
await interruptCost(300); // warm-up
const best = variants.map(() => ({ p50: Infinity, p99: Infinity }));
for (let round = 0; round < 3; round++) {
  for (const [i, [, apply, undo]] of variants.entries()) {
    apply();
    const r = await interruptCost(n4);
    undo();
    best[i] = { p50: Math.min(best[i]!.p50, r.p50), p99: Math.min(best[i]!.p99, r.p99) };
  }
}
log(`| variant (${n4} turns each, best of 3 interleaved rounds) | interrupt() p50 | p99 | p50 saved |`);
log('|---|---:|---:|---:|');
for (const [i, [name]] of variants.entries()) {
  log(`| ${name} | ${fmtMs(best[i]!.p50)} ms | ${fmtMs(best[i]!.p99)} ms | ${i === 0 ? '' : `${((1 - best[i]!.p50 / best[0]!.p50) * 100).toFixed(0)} %`} |`);
}
log('');

const machine = `${cpus()[0]?.model ?? 'CPU'} (${cpus().length} cores), Linux ${release()}, Node ${process.version}`;
const root = fileURLToPath(new URL('..', import.meta.url));
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(
  join(root, 'bench/results/micro.md'),
  `# Micro benchmarks\n\nGenerated by \`npx tsx bench/micro.ts${process.argv.length > 2 ? ' ' + process.argv.slice(2).join(' ') : ''}\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine}.\n\n${out.join('\n')}\n`,
);
console.log('wrote bench/results/micro.md');
