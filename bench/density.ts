/**
 * `npm run bench:density`: memory and CPU per live voice session in one process, speechcharts beside
 * agents-js 1.9's `voice.AgentSession`, with a real Silero VAD on every user stream and real rtc-node
 * audio both ways (bench/density/density-run.ts has the workload and every figure).
 *
 * One fresh child process per (engine, N), plus an empty baseline per engine (everything loaded and
 * the VAD model prepared, no session): per-session figures are (N sessions − baseline) / N.
 * Writes bench/results/density.md and density.json (see --out).
 *
 * The `rtc-audio-only` row runs the same microphones and outputs with no engine (the stream is read
 * and dropped): the bench's own rtc-node audio cost, which the engines' rows include.
 *
 * The user's audio (--mic): 'frames' (default), rtc-node AudioFrames made in process on a real-time
 * ticker and read by the engine as a stream (bench/density/frame-mic.ts); 'track', the full rtc-node
 * path of a participant's track, AudioSource → LocalAudioTrack → AudioStream (bench/density/track-mic.ts),
 * whose native loopback alone saturates this 2-core machine from ~50 sessions.
 *
 * Options: --sizes 10,50,200 --seconds 20 --warmup 5 --frame-ms 20 --mic frames|track --engines rtc-audio-only,speechcharts,agents-js
 * --out density (bench/results/<out>.md|.json) --replot 1 (render the .md again from the .json, no run)
 * (a child: --child <engine> --sessions N, prints RESULT <json>; a child that has not finished 150 s after
 * its window should have ended is stopped and reported as such)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { args } from './lib/cli-args.js';
import { fmtMs } from './lib/scenario.js';
import type { DensityResult } from './density/density-run.js';
import { renderDensityReport, type DensityRun } from './density/density-report.js';
import type { Engine } from './density/engine.js';

const a = args({ sizes: '10,50,200', seconds: '20', warmup: '5', 'frame-ms': '20', engines: 'rtc-audio-only,speechcharts,agents-js', child: '', sessions: '0', mic: 'frames', out: 'density', replot: '' });
const root = fileURLToPath(new URL('..', import.meta.url));

async function loadEngine(name: string): Promise<Engine> {
  if (name === 'speechcharts') return (await import('./density/speechcharts-engine.js')).speechchartsEngine;
  if (name === 'agents-js') return (await import('./density/agents-js-engine.js')).agentsJsEngine;
  if (name === 'rtc-audio-only') return (await import('./density/audio-only-engine.js')).audioOnlyEngine;
  throw new Error(`unknown engine ${JSON.stringify(name)} (rtc-audio-only, speechcharts, agents-js)`);
}

if (a.child) {
  const errors: string[] = [];
  process.on('unhandledRejection', (e) => errors.push(`unhandledRejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
  const { runDensity } = await import('./density/density-run.js');
  const { disposeRtc } = await import('../src/adapters/rtc-audio-output.js');
  const r = await runDensity({ engine: await loadEngine(a.child), sessions: Number(a.sessions), seconds: Number(a.seconds), warmupSeconds: Number(a.warmup), frameMs: Number(a['frame-ms']), mic: a.mic as 'frames' | 'track', onProgress: (what) => process.stderr.write(`    ${what}\n`) });
  r.errors.push(...errors);
  process.stdout.write(`\nRESULT ${JSON.stringify(r)}\n`);
  await disposeRtc();
  process.exit(0);
}

// ── parent ──────────────────────────────────────────────────────────────────
const outMd = join(root, `bench/results/${a.out}.md`);
const outJson = join(root, `bench/results/${a.out}.json`);
if (a.replot) {
  writeFileSync(outMd, renderDensityReport(JSON.parse(readFileSync(outJson, 'utf8')) as DensityRun));
  console.log(`wrote ${outMd} from ${outJson}`);
  process.exit(0);
}
const sizes = a.sizes.split(',').map(Number);
const engines = a.engines.split(',');
for (const n of sizes) if (!Number.isInteger(n) || n < 1) throw new Error(`--sizes: each size must be a positive integer, got ${a.sizes}`);
if (a.mic !== 'frames' && a.mic !== 'track') throw new Error(`--mic: 'frames' or 'track', got ${a.mic}`);
for (const e of engines) if (!['rtc-audio-only', 'speechcharts', 'agents-js'].includes(e)) throw new Error(`--engines: unknown engine ${e} (rtc-audio-only, speechcharts, agents-js)`);

/** A child's figures, or null (said on the console, and kept in the report's errors) if it died or never finished. */
function runChild(engine: string, sessions: number): DensityResult | null {
  const t0 = performance.now();
  const limitS = Number(a.seconds) + Number(a.warmup) + 150;
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'bench/density.ts', '--child', engine, '--sessions', String(sessions), '--seconds', a.seconds, '--warmup', a.warmup, '--frame-ms', a['frame-ms'], '--mic', a.mic],
    // Progress (stderr) shows live; the child's figures come back on stdout.
    { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'], timeout: limitS * 1000 },
  );
  const line = r.stdout?.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) {
    const why = r.signal === 'SIGTERM' ? `did not finish within ${limitS} s and was stopped` : `exited with ${r.status ?? r.signal}`;
    console.log(`  ${engine.padEnd(12)} N=${String(sessions).padStart(3)}: FAILED: ${why}`);
    failures.push(`${engine} N=${sessions}: the child process ${why}${r.stdout ? `; its output: ${r.stdout.slice(-500)}` : ''}`);
    return null;
  }
  const res = JSON.parse(line.slice(7)) as DensityResult;
  console.log(
    `  ${engine.padEnd(12)} N=${String(sessions).padStart(3)}: ${((performance.now() - t0) / 1000).toFixed(0)} s, RSS ${res.rssMeanMB.toFixed(0)} MB, CPU ${res.cpuCores.toFixed(2)} cores, lag p99 ${fmtMs(res.lagP99Ms)} ms, window ×${res.windowStretch.toFixed(2)}, turns ${res.turnsAnswered}/${res.turnsExpected}${res.errors.length ? `, ${res.errors.length} errors` : ''}`,
  );
  for (const e of res.errors.slice(0, 3)) console.log(`    error: ${e.split('\n')[0]}`);
  return res;
}

const failures: string[] = [];
console.log(`density: ${a.seconds} s window after ${a.warmup} s warm-up, sizes ${sizes.join(', ')}, ${a['frame-ms']} ms frames, mic ${a.mic}`);
const started = performance.now();
const baselines = engines.map((e) => runChild(e, 0)).filter((r): r is DensityResult => r !== null);
const results: DensityResult[] = [];
for (const n of sizes) for (const e of engines) {
  const r = runChild(e, n);
  if (r) results.push(r);
}

const cpu = cpus();
const run: DensityRun = {
  machine: `${cpu[0]?.model ?? 'unknown CPU'} (${cpu.length} cores, shared with other work), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}`,
  command: `npm run bench:density${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  date: new Date().toISOString().slice(0, 10),
  minutes: (performance.now() - started) / 60000,
  baselines,
  results,
  failures,
};
const md = renderDensityReport(run);
console.log(`\n${md}`);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(outMd, md);
writeFileSync(outJson, JSON.stringify(run, null, 1));
console.log(`wrote bench/results/${a.out}.md and ${a.out}.json`);
