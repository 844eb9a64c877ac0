/**
 * `npm run bench:density`: memory and CPU per live voice session in one process, speechcharts beside
 * agents-js 1.9's `voice.AgentSession`, with a real Silero VAD on every user stream and real rtc-node
 * audio both ways (bench/density/density-run.ts has the workload and every figure).
 *
 * One fresh child process per (engine, N), plus an empty baseline per engine (everything loaded and
 * the VAD model prepared, no session): per-session figures are (N sessions − baseline) / N.
 * Writes bench/results/density.md and density.json.
 *
 * Options: --sizes 10,50,200 --seconds 20 --warmup 5 --frame-ms 20 --engines speechcharts,agents-js
 * (a child: --child <engine> --sessions N, prints RESULT <json>)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { args } from './lib/cli-args.js';
import { fmtMs } from './lib/scenario.js';
import type { DensityResult } from './density/density-run.js';
import type { Engine } from './density/engine.js';

const a = args({ sizes: '10,50,200', seconds: '20', warmup: '5', 'frame-ms': '20', engines: 'speechcharts,agents-js', child: '', sessions: '0' });
const root = fileURLToPath(new URL('..', import.meta.url));

async function loadEngine(name: string): Promise<Engine> {
  if (name === 'speechcharts') return (await import('./density/speechcharts-engine.js')).speechchartsEngine;
  if (name === 'agents-js') return (await import('./density/agents-js-engine.js')).agentsJsEngine;
  throw new Error(`unknown engine ${JSON.stringify(name)} (speechcharts, agents-js)`);
}

if (a.child) {
  const errors: string[] = [];
  process.on('unhandledRejection', (e) => errors.push(`unhandledRejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
  const { runDensity } = await import('./density/density-run.js');
  const { disposeRtc } = await import('../src/adapters/rtc-audio-output.js');
  const r = await runDensity({ engine: await loadEngine(a.child), sessions: Number(a.sessions), seconds: Number(a.seconds), warmupSeconds: Number(a.warmup), frameMs: Number(a['frame-ms']) });
  r.errors.push(...errors);
  process.stdout.write(`\nRESULT ${JSON.stringify(r)}\n`);
  await disposeRtc();
  process.exit(0);
}

// ── parent ──────────────────────────────────────────────────────────────────
const sizes = a.sizes.split(',').map(Number);
const engines = a.engines.split(',');
for (const n of sizes) if (!Number.isInteger(n) || n < 1) throw new Error(`--sizes: each size must be a positive integer, got ${a.sizes}`);
for (const e of engines) if (e !== 'speechcharts' && e !== 'agents-js') throw new Error(`--engines: unknown engine ${e} (speechcharts, agents-js)`);

function runChild(engine: string, sessions: number): DensityResult {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'bench/density.ts', '--child', engine, '--sessions', String(sessions), '--seconds', a.seconds, '--warmup', a.warmup, '--frame-ms', a['frame-ms']],
    { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20, timeout: (Number(a.seconds) + Number(a.warmup) + 180) * 1000 },
  );
  const line = r.stdout?.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`density child ${engine} N=${sessions} failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}):\n${r.stdout}\n${r.stderr}`);
  const res = JSON.parse(line.slice(7)) as DensityResult;
  console.log(
    `  ${engine.padEnd(12)} N=${String(sessions).padStart(3)}: ${((performance.now() - t0) / 1000).toFixed(0)} s, RSS ${res.rssMeanMB.toFixed(0)} MB, CPU ${res.cpuCores.toFixed(2)} cores, lag p99 ${fmtMs(res.lagP99Ms)} ms, turns ${res.turnsAnswered}/${res.turnsExpected}${res.errors.length ? `, ${res.errors.length} errors` : ''}`,
  );
  return res;
}

console.log(`density: ${a.seconds} s window after ${a.warmup} s warm-up, sizes ${sizes.join(', ')}, ${a['frame-ms']} ms frames`);
const started = performance.now();
const baselines = new Map<string, DensityResult>();
for (const e of engines) baselines.set(e, runChild(e, 0));
const results: DensityResult[] = [];
for (const n of sizes) for (const e of engines) results.push(runChild(e, n));

// ── report ──────────────────────────────────────────────────────────────────
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const pct = (x: number, of: number) => (of === 0 ? '—' : `${((100 * x) / of).toFixed(x === 0 || x === of ? 0 : 1)} %`);
const header =
  '| engine | sessions | RSS / session (MB) | heap / session (MB) | CPU / session (ms per s) | CPU, whole process (cores) | event-loop lag p50 / p99 / max (ms) | user audio fed late | mic frames read / real time | reply audio gaps | turns answered / expected | user stops → reply starts p50 / p99 (ms) | errors |';
const rows = results.map((r) => {
  const b = baselines.get(r.engine)!;
  const n = r.sessions;
  return `| ${r.engine} ${r.engineVersion} | ${n} | ${f2((r.rssMeanMB - b.rssMeanMB) / n)} | ${f2((r.heapUsedMB - b.heapUsedMB) / n)} | ${f1(((r.cpuCores - b.cpuCores) * 1000) / n)} | ${f2(r.cpuCores)} | ${fmtMs(r.lagP50Ms)} / ${fmtMs(r.lagP99Ms)} / ${fmtMs(r.lagMaxMs)} | ${pct(r.micFramesLate, r.micFramesFed)} | ${pct(r.micFramesIn, r.micFramesExpected)} | ${pct(r.outputGaps, r.outputPieces)} | ${r.turnsAnswered} / ${r.turnsExpected} | ${fmtMs(r.replyLatencyP50Ms)} / ${fmtMs(r.replyLatencyP99Ms)} | ${r.errors.length} |`;
});
const baseRows = [...baselines.values()].map(
  (b) => `| ${b.engine} ${b.engineVersion} | ${f1(b.rssMeanMB)} | ${f1(b.heapUsedMB)} | ${f2(b.cpuCores)} | ${b.describe} |`,
);
const cpu = cpus();
const machine = `${cpu[0]?.model ?? 'unknown CPU'} (${cpu.length} cores, shared with other work; load average ${loadavg()[0]!.toFixed(1)} at the end), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}`;
const command = `npm run bench:density${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const first = results[0] ?? [...baselines.values()][0]!;
const errs = [...baselines.values(), ...results].flatMap((r) => r.errors.map((e) => `${r.engine} N=${r.sessions}: ${e}`));
const md = [
  '# Density: live voice sessions per process, speechcharts beside agents-js',
  '',
  `Generated by \`${command}\` on ${new Date().toISOString().slice(0, 10)} in ${((performance.now() - started) / 60000).toFixed(1)} min. Machine: ${machine}.`,
  '',
  `Each session: a user who says one sentence of real speech (${first.userVoice}, ${(first.speechMs / 1000).toFixed(1)} s) then is silent ${((first.cycleMs - first.speechMs) / 1000).toFixed(1)} s, looped, fed in real time in ${a['frame-ms']} ms frames into an rtc-node \`AudioSource\` → \`LocalAudioTrack\` → \`AudioStream\` (48 kHz, 10 ms frames: the microphone the engine reads; sessions' phases spread over the cycle); a real Silero VAD per stream finds the turns; a fake LLM answers a fixed 24-character sentence after 300 ms; a fake TTS makes 50 ms of audio per character (1.2 s) in ${a['frame-ms']} ms frames, played out in real time through speechcharts' \`RtcAudioOutput\` into an rtc-node \`AudioSource\` (one per session). ${a.seconds} s measured after a ${a.warmup} s warm-up, one fresh process per engine and size (\`--expose-gc\`).`,
  '',
  header,
  `|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---:|`,
  ...rows,
  '',
  'Empty baseline process per engine (modules loaded, the user audio synthesized, the VAD model loaded; no session), subtracted from the per-session figures:',
  '',
  '| engine | RSS (MB) | heap after GC (MB) | CPU (cores) | what runs per user stream |',
  '|---|---:|---:|---:|---|',
  ...baseRows,
  '',
  'Columns: RSS / session = (mean RSS over the window, sampled each second − baseline) / N, so native memory (ONNX, rtc-node queues) counts; heap / session = (V8 heap used after a full GC at the end of the window, sessions live − baseline) / N. CPU = process CPU time (every thread: JS, the libuv pool, ONNX and rtc-node natives) over the window per wall second; per session, minus the baseline, in ms of CPU per second. Health: event-loop lag (`monitorEventLoopDelay`, 10 ms resolution, so ~10 ms is its floor); user audio fed late = frames the feeder captured after the microphone queue (100 ms) had run dry, i.e. the user\'s voice had a gap; mic frames read = frames the engines read from the `AudioStream`s vs real time; reply audio gaps = reply pieces handed to an output whose queue had run dry; turns = sentences that ended in the window with a silence\'s time left, answered when the reply\'s first frame reached the output before the silence was over; latency from the end of the sentence on the track (VAD silence 550 ms + endpointing + LLM 300 ms included).',
  '',
  errs.length ? `Errors (first 20):\n\n\`\`\`\n${errs.slice(0, 20).join('\n')}\n\`\`\`` : 'No errors and no unhandled rejections in any process.',
  '',
].join('\n');
console.log(`\n${md}`);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/density.md'), md);
writeFileSync(join(root, 'bench/results/density.json'), JSON.stringify({ machine, command, baselines: [...baselines.values()], results }, null, 1));
console.log('wrote bench/results/density.md and density.json');
