/**
 * `npm run bench:scale`: N concurrent sessions in one process (default 100, 1,000, 5,000), each
 * running scripted turns (a reply, sometimes a preamble with a tool awaiting its playout) with
 * interrupts + new input at random points, on virtual audio devices paced by the wall clock
 * (VirtualAudioOutput over realClock: no I/O, real timers). One child process per N.
 *
 * Measured per N: event-loop lag p50/p99/max (perf_hooks.monitorEventLoopDelay), CPU per turn
 * (process.cpuUsage / user inputs served), heap per idle session (after a forced GC, N started idle
 * sessions vs none), heap per active session, close() latency mid-turn (half the sessions one at a
 * time, the other half all at once), and how each grows with N. Writes bench/results/scale.md and scale.svg.
 *
 * `--replot 1` redraws the .md and .svg from the last run's .json without running.
 * Options: --ns 100,1000,5000 --seconds 20 --frame-ms 20 --think-s 0 (user think time after a played-out
 * reply; 0 = the next input at once) --out scale (bench/results/<out>.md|.svg)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { AgentSession, realClock, tool } from '../src/index.js';
import { ScriptedLLM, VirtualAudioOutput } from '../src/testing/index.js';
import { SilentTTS, exposeGc, seededRandom } from '../test/support/reliability.js';
import { args } from './lib/cli-args.js';
import { fmtMs, median, quantile } from './lib/scenario.js';

const a = args({ ns: '100,1000,5000', seconds: '20', 'frame-ms': '20', child: '', seed: '7', 'think-s': '0', out: 'scale', replot: '' });
const root = fileURLToPath(new URL('..', import.meta.url));

interface ScaleResult {
  n: number;
  seconds: number;
  frameMs: number;
  lagP50: number;
  lagP99: number;
  lagMax: number;
  turns: number;
  interrupts: number;
  cpuMsPerTurn: number;
  /** CPU time / wall time over the measured window (1.0 = one core busy). */
  cpuLoad: number;
  heapPerIdleSessionKB: number;
  heapPerActiveSessionKB: number;
  closeP50: number;
  closeP99: number;
  closeMax: number;
  /** N/2 close() calls made at once: until the last resolved. */
  closeAllMs: number;
  errors: number;
  rss: number;
}

if (a.child) {
  const result = await runChild(Number(a.child));
  process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}

// ── parent: one child per N, then the table and the chart ───────────────────
const ns = a.ns.split(',').map(Number);
const results: ScaleResult[] = a.replot ? (JSON.parse(readFileSync(join(root, `bench/results/${a.out}.json`), 'utf8')) as { results: ScaleResult[] }).results : [];
for (const n of a.replot ? [] : ns) {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'bench/scale.ts', '--child', String(n), '--seconds', a.seconds, '--frame-ms', a['frame-ms'], '--seed', a.seed, '--think-s', a['think-s']],
    { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (r.status !== 0 || !line) throw new Error(`scale child N=${n} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  const res = JSON.parse(line.slice(7)) as ScaleResult & { turnsPerSecond?: number };
  results.push(res);
  console.log(`N=${n}: ${((performance.now() - t0) / 1000).toFixed(0)} s, lag p99 ${fmtMs(res.lagP99)} ms, ${res.cpuMsPerTurn.toFixed(2)} ms CPU/turn, ${res.heapPerIdleSessionKB.toFixed(1)} KB/idle session`);
}

const cpu = cpus();
const machine = `${cpu[0]?.model ?? 'unknown CPU'} (${cpu.length} cores), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}`;
const header = '| sessions | turns served | interrupts | event-loop lag p50 / p99 / max (ms) | CPU per turn (ms) | CPU load (cores) | heap per idle session | heap per active session | close() p50 / p99 / max, one at a time (ms) | N/2 close() at once, until all resolved (ms) | RSS (MB) | errors |';
const rows = results.map(
  (r) =>
    `| ${r.n.toLocaleString('en-US')} | ${r.turns.toLocaleString('en-US')} | ${r.interrupts.toLocaleString('en-US')} | ${fmtMs(r.lagP50)} / ${fmtMs(r.lagP99)} / ${fmtMs(r.lagMax)} | ${r.cpuMsPerTurn.toFixed(2)} | ${r.cpuLoad.toFixed(2)} | ${r.heapPerIdleSessionKB.toFixed(1)} KB | ${r.heapPerActiveSessionKB.toFixed(1)} KB | ${fmtMs(r.closeP50)} / ${fmtMs(r.closeP99)} / ${fmtMs(r.closeMax)} | ${fmtMs(r.closeAllMs)} | ${(r.rss / 2 ** 20).toFixed(0)} | ${r.errors} |`,
);
const table = [header, '|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---:|---:|', ...rows].join('\n');
const command = `npm run bench:scale${process.argv.length > 2 ? ` -- ${process.argv.slice(2).filter((x, i, all) => x !== '--replot' && all[i - 1] !== '--replot').join(' ')}` : ''}`.replace(/ -- $/, '');
console.log(`\n${table}\n\nmachine: ${machine}; ${a.seconds} s measured per N; ${a['frame-ms']} ms frames; command: ${command}`);

mkdirSync(join(root, 'bench/results'), { recursive: true });
const think = Number(a['think-s']);
const pacing =
  think > 0
    ? `after a reply that played out, the user thinks ${(think * 0.5).toFixed(1)}–${(think * 1.5).toFixed(1)} s before the next input (conversational pacing)`
    : 'no think time: the next input follows at once (a barge-in every ~2 s per session, the worst case)';
writeFileSync(join(root, `bench/results/${a.out}.svg`), scaleSvg(results));
if (!a.replot) writeFileSync(join(root, `bench/results/${a.out}.json`), JSON.stringify({ machine, command, results }, null, 1));
writeFileSync(
  join(root, `bench/results/${a.out}.md`),
  [
    '# Scale: concurrent sessions in one process',
    '',
    `Generated by \`${command}\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine}.`,
    '',
    `Each session runs scripted turns for ${a.seconds} s of wall time: a reply (a third of them a preamble with a tool awaiting its playout, a third a preamble with a tool that works 300 ms after it), and 0.2–3 s later either \`interrupt()\` + new input (60 %) or, after the reply played out, the next input; ${pacing}. Turns served per second: ${results.map((r) => `${(r.turns / r.seconds).toFixed(0)} at N=${r.n}`).join(', ')}. Audio: silent ${a['frame-ms']} ms frames into a VirtualAudioOutput paced by the wall clock (200 ms buffer). LLM: ScriptedLLM with 100 ms to first token. Sessions start spread over the first 2 s. One process per N, \`--expose-gc\`.`,
    '',
    table,
    '',
    `![scale](${a.out}.svg)`,
    '',
  ].join('\n'),
);
console.log(`wrote bench/results/${a.out}.md and ${a.out}.svg`);

// ── child: N sessions ───────────────────────────────────────────────────────
async function runChild(n: number): Promise<ScaleResult> {
  const seconds = Number(a.seconds);
  const frameMs = Number(a['frame-ms']);
  const think = Number(a['think-s']);
  const gc = await exposeGc();
  const rand = seededRandom(Number(a.seed));
  let errors = 0;
  process.on('unhandledRejection', () => errors++);

  const call = (name: string, id: string) => ({ type: 'toolCall' as const, callId: id, name, arguments: '{}' });
  const kind = (r: { history: readonly { type: string; role?: string; content?: string }[] }) => {
    const last = r.history[r.history.length - 1];
    return last?.type === 'message' && last.role === 'user' ? Number(/(\d)$/.exec(last.content ?? '')?.[1] ?? 0) % 3 : -1;
  };
  function makeSession(): AgentSession {
    let c = 0;
    const llm = new ScriptedLLM({
      clock: realClock,
      replies: [
        { when: (r) => kind(r) === 1, ttftMs: 100, get reply() { return ['Let me look that up for you.', call('lookup', `c${++c}`)]; } },
        { when: (r) => kind(r) === 2, ttftMs: 100, get reply() { return ['Working on it now.', call('work', `c${++c}`)]; } },
        { when: { afterTool: 'lookup' }, reply: 'Found it.' },
        { when: { afterTool: 'work' }, reply: 'All done.' },
        { reply: 'A plain answer that takes a couple of seconds to say.', ttftMs: 100 },
      ],
    });
    const lookup = tool({ description: 'lookup', execute: async (_a, { ctx }) => { await ctx.waitForPlayout(); return 'found'; } });
    const work = tool({
      description: 'work',
      execute: async (_a, { ctx, abortSignal }) => {
        await ctx.waitForPlayout();
        await new Promise<void>((r) => {
          const t = setTimeout(r, 300);
          abortSignal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
        });
        return 'worked';
      },
    });
    const s = new AgentSession({ llm, tts: new SilentTTS({ frameMs }), audioOutput: new VirtualAudioOutput(realClock), tools: { lookup, work } });
    s.on('error', () => errors++);
    return s;
  }

  // Heap per idle session: N started, idle sessions vs none.
  const heap = () => (gc?.(), gc?.(), process.memoryUsage().heapUsed);
  const h0 = heap();
  let idle: AgentSession[] = [];
  for (let i = 0; i < n; i++) idle.push(makeSession());
  await Promise.all(idle.map((s) => s.start()));
  const h1 = heap();
  await Promise.all(idle.map((s) => s.close()));
  idle = [];

  // The run.
  const sessions: AgentSession[] = [];
  for (let i = 0; i < n; i++) sessions.push(makeSession());
  await Promise.all(sessions.map((s) => s.start()));
  let turns = 0;
  let interrupts = 0;
  let stopping = false;
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const loop = async (s: AgentSession, id: number) => {
    await sleep(rand() * 2000);
    for (let k = 0; !stopping; k++) {
      const h = s.generateReply({ userInput: `session ${id} input ${k}` });
      turns++;
      await sleep(200 + rand() * 2800);
      if (stopping) return;
      if (rand() < 0.6) {
        interrupts++;
        void s.interrupt().catch(() => errors++);
      } else {
        await h.waitForPlayout().catch(() => {});
        if (think > 0) await sleep(think * (0.5 + rand()) * 1000); // the user listens, then thinks
      }
    }
  };
  const loops = sessions.map((s, i) => loop(s, i));
  await sleep(3000); // warm-up: every session started, JIT warm
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const turns0 = turns;
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  await sleep(seconds * 1000);
  const cpu1 = process.cpuUsage(cpu0);
  const wall = performance.now() - w0;
  lag.disable();
  const served = turns - turns0;
  const heapActive = process.memoryUsage().heapUsed; // no forced GC: what the process holds while working
  const rss = process.memoryUsage().rss;

  // close(), mid-turn: half the sessions one at a time (the latency of one close), then the other half
  // all at once (how long N/2 simultaneous closes take to all resolve).
  stopping = true;
  const closes: number[] = [];
  const half = Math.floor(n / 2);
  for (const s of sessions.slice(0, half)) {
    const t = performance.now();
    await s.close();
    closes.push(performance.now() - t);
  }
  const c0 = performance.now();
  await Promise.all(sessions.slice(half).map((s) => s.close()));
  const closeAll = performance.now() - c0;
  await Promise.all(loops);

  const cpuMs = (cpu1.user + cpu1.system) / 1000;
  return {
    n,
    seconds,
    frameMs,
    lagP50: lag.percentile(50) / 1e6,
    lagP99: lag.percentile(99) / 1e6,
    lagMax: lag.max / 1e6,
    turns: served,
    interrupts,
    cpuMsPerTurn: cpuMs / Math.max(1, served),
    cpuLoad: cpuMs / wall,
    heapPerIdleSessionKB: (h1 - h0) / n / 1024,
    heapPerActiveSessionKB: (heapActive - h0) / n / 1024,
    closeP50: median(closes)!,
    closeP99: quantile(closes, 0.99)!,
    closeMax: Math.max(...closes),
    closeAllMs: closeAll,
    errors,
    rss,
  };
}

// ── the chart ───────────────────────────────────────────────────────────────
function scaleSvg(rs: ScaleResult[]): string {
  const W = 660;
  const H = 320;
  const m = { l: 72, r: 72, t: 40, b: 50 };
  const lx = (n: number) => Math.log10(n);
  const xs = rs.map((r) => lx(r.n));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const X = (n: number) => m.l + ((lx(n) - x0) / Math.max(1e-9, x1 - x0)) * (W - m.l - m.r);
  // Lag on a log axis (0.1 ms … a power of ten above the worst p99), CPU per turn on a linear one.
  const lagTop = 10 ** Math.ceil(Math.log10(Math.max(20, ...rs.map((r) => r.lagP99))));
  const [l0, l1] = [Math.log10(0.1), Math.log10(lagTop)];
  const YL = (v: number) => H - m.b - ((Math.log10(Math.max(0.1, v)) - l0) / (l1 - l0)) * (H - m.t - m.b);
  const cpuMax = Math.max(1, ...rs.map((r) => r.cpuMsPerTurn)) * 1.2;
  const YC = (v: number) => H - m.b - (v / cpuMax) * (H - m.t - m.b);
  const line = (pts: [number, number][], color: string, dash = '') =>
    `<polyline fill="none" stroke="${color}" stroke-width="2.5"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>` +
    pts.map(([x, y]) => `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="4" fill="${color}"/>`).join('');
  // Point labels beside the point, pointing inward at the ends so they never sit on the axes.
  const label = (x: number, y: number, text: string, color: string, dy = -8) => {
    const anchor = x <= m.l + 1 ? 'start' : x >= W - m.r - 1 ? 'end' : 'middle';
    const dx = anchor === 'start' ? 8 : anchor === 'end' ? -8 : 0;
    return `<text x="${(x + dx).toFixed(1)}" y="${(y + dy).toFixed(1)}" text-anchor="${anchor}" fill="${color}" font-size="11">${text}</text>`;
  };
  const lagTicks: number[] = [];
  for (let v = 0.1; v <= lagTop * 1.001; v *= 10) lagTicks.push(v);
  const cpuTicks = [0, 0.25, 0.5, 0.75, 1].map((t) => t * cpuMax);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, sans-serif" font-size="12">
<rect width="${W}" height="${H}" fill="#fff"/>
<text x="${W / 2}" y="22" text-anchor="middle" font-size="14" font-weight="600">speechcharts: N concurrent sessions in one Node process</text>
${lagTicks.map((v) => `<line x1="${m.l}" x2="${W - m.r}" y1="${YL(v).toFixed(1)}" y2="${YL(v).toFixed(1)}" stroke="#eee"/><text x="${m.l - 6}" y="${(YL(v) + 4).toFixed(1)}" text-anchor="end" fill="#c0392b">${v < 1 ? v.toFixed(1) : v.toFixed(0)}</text>`).join('\n')}
${cpuTicks.map((v) => `<text x="${W - m.r + 6}" y="${(YC(v) + 4).toFixed(1)}" fill="#2c6fbb">${v.toFixed(1)}</text>`).join('\n')}
<line x1="${m.l}" x2="${W - m.r}" y1="${YL(10).toFixed(1)}" y2="${YL(10).toFixed(1)}" stroke="#c0392b" stroke-dasharray="2 4"/><text x="${(m.l + (W - m.l - m.r) * 0.28).toFixed(1)}" y="${(YL(10) + 14).toFixed(1)}" text-anchor="middle" fill="#c0392b" font-size="11">lag p99 target 10 ms</text>
${line(rs.map((r) => [X(r.n), YL(r.lagP99)] as [number, number]), '#c0392b')}
${line(rs.map((r) => [X(r.n), YL(r.lagP50)] as [number, number]), '#e8a49c', '5 4')}
${line(rs.map((r) => [X(r.n), YC(r.cpuMsPerTurn)] as [number, number]), '#2c6fbb')}
${rs.map((r) => label(X(r.n), YL(r.lagP99), `${fmtMs(r.lagP99)} ms`, '#c0392b')).join('')}
${rs.map((r) => label(X(r.n), YC(r.cpuMsPerTurn), `${r.cpuMsPerTurn.toFixed(2)} ms`, '#2c6fbb', 16)).join('')}
${rs.map((r) => `<text x="${X(r.n).toFixed(1)}" y="${H - m.b + 18}" text-anchor="middle">${r.n.toLocaleString('en-US')}</text>`).join('')}
<text x="${W / 2}" y="${H - 10}" text-anchor="middle">sessions (log scale)</text>
<text transform="translate(18 ${H / 2}) rotate(-90)" text-anchor="middle" fill="#c0392b" font-size="11">event-loop lag, ms (log): p99 solid, p50 dashed</text>
<text transform="translate(${W - 18} ${H / 2}) rotate(90)" text-anchor="middle" fill="#2c6fbb" font-size="11">CPU per turn, ms</text>
</svg>
`;
}
