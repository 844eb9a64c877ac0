/**
 * `npm run bench`: the seed scenario on speechcharts and on LiveKit agents-js (@livekit/agents 1.9.0),
 * same work, same run, same devices; prints medians and p99 with ratios and writes
 * bench/results/side-by-side.md (+ .json with every sample).
 *
 * Scenario (bench/lib/seed-harness.ts): a 3.2 s preamble with a tool awaiting its playout;
 * 300 ms into the audio, `interrupt()` and new user input; the new reply plays; `close()`.
 * Each engine runs in its own child process, one after the other, per device:
 *   timer  a wall-clock, timer-paced sink (bench/sinks/timer-paced-sink.ts), 20 ms frames
 *   rtc    a real rtc-node AudioSource through RtcAudioOutput (bench/sinks/rtc-device.ts), 20 ms and 10 ms frames
 *
 * The agents-js side lives in bench/anchors (own package.json + lock). If it is not installed this
 * script runs `npm ci --prefix bench/anchors` (pass --no-install to skip that and run speechcharts only).
 *
 * Options: --reps 40 --warmup 3 --configs timer:20,rtc:20,rtc:10 --no-install
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtMs, median, quantile, type SeedRun, type SeedSample } from './lib/scenario.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const anchors = join(root, 'bench/anchors');
const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : dflt;
};
const reps = Number(opt('reps', '40'));
const warmup = Number(opt('warmup', '3'));
const configs = opt('configs', 'timer:20,rtc:20,rtc:10')
  .split(',')
  .map((c) => {
    const [sink, frameMs] = c.split(':');
    if (sink !== 'timer' && sink !== 'rtc') throw new Error(`--configs: unknown sink ${sink} (timer, rtc)`);
    return { sink, frameMs: Number(frameMs ?? 20) };
  });

// ── the agents-js side, installed on demand ─────────────────────────────────
function anchorsReady(): boolean {
  return existsSync(join(anchors, 'node_modules/@livekit/agents/package.json'));
}
let haveAnchors = anchorsReady();
if (!haveAnchors && !argv.includes('--no-install')) {
  console.log('bench/anchors is not installed: running `npm ci --prefix bench/anchors` (agents-js 1.9.0, ~280 MB, once)…');
  const r = spawnSync('npm', ['ci', '--prefix', anchors, '--no-audit', '--no-fund'], { stdio: 'inherit', cwd: root });
  haveAnchors = r.status === 0 && anchorsReady();
}
if (!haveAnchors) {
  console.log('\n*** agents-js side SKIPPED: bench/anchors is not installed. Install it with:\n***   npm ci --prefix bench/anchors\n*** then run `npm run bench` again.\n');
}

// ── run ─────────────────────────────────────────────────────────────────────
const tmp = mkdtempSync(join(tmpdir(), 'speechcharts-bench-'));
function runSide(script: string, sink: string, frameMs: number): SeedRun {
  const out = join(tmp, `${script.replace(/\W/g, '_')}-${sink}-${frameMs}.json`);
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', script, '--sink', sink, '--frame-ms', String(frameMs), '--reps', String(reps), '--warmup', String(warmup), '--out', out],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 },
  );
  if (r.status !== 0 || !existsSync(out)) {
    throw new Error(`${script} --sink ${sink} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  const run = JSON.parse(readFileSync(out, 'utf8')) as SeedRun;
  console.log(`  ${run.engine.padEnd(12)} ${sink}/${frameMs} ms: ${run.samples.length} reps in ${((performance.now() - t0) / 1000).toFixed(1)} s${run.errors.length ? `, ${run.errors.length} errors` : ''}`);
  return run;
}

const results: { sink: string; frameMs: number; ours: SeedRun; theirs: SeedRun | null }[] = [];
console.log(`side by side: ${reps} reps (+${warmup} warm-up) per engine and device`);
for (const c of configs) {
  const ours = runSide('bench/speechcharts-seed.ts', c.sink, c.frameMs);
  const theirs = haveAnchors ? runSide('bench/anchors/agents-js-seed.ts', c.sink, c.frameMs) : null;
  results.push({ ...c, ours, theirs });
}
rmSync(tmp, { recursive: true, force: true });

// ── report ──────────────────────────────────────────────────────────────────
const measures: { key: keyof SeedSample; label: string }[] = [
  { key: 'toolWaitSettled', label: 'interrupt → tool wait settled' },
  { key: 'abortSignal', label: 'interrupt → tool abort signal' },
  { key: 'audioCut', label: 'interrupt → audio cut (sink cleared)' },
  { key: 'nextReplyAudible', label: 'interrupt → next reply audible' },
  { key: 'close', label: 'close() (idle session)' },
  { key: 'interruptCall', label: 'interrupt() call itself' },
  { key: 'secondInputCall', label: 'generateReply() call itself' },
];
const col = (xs: (number | null)[], q: 'p50' | 'p99') => (q === 'p50' ? median(xs) : quantile(xs, 0.99));
const ratio = (theirs: number | null, ours: number | null) =>
  theirs === null ? 'never' : ours === null ? '—' : `${(theirs / ours).toFixed(theirs / ours >= 10 ? 0 : 1)}×`;
const sinkName = (sink: string, frameMs: number) => (sink === 'timer' ? `timer-paced, ${frameMs} ms frames` : `rtc-node AudioSource, ${frameMs} ms frames`);
const theirVersion = results.find((r) => r.theirs)?.theirs?.engineVersion ?? '1.9.0';

const lines: string[] = [];
lines.push(`| sink | measure (ms, wall clock) | speechcharts p50 | speechcharts p99 | agents-js ${theirVersion} p50 | agents-js p99 | ratio p50 | ratio p99 |`);
lines.push('|---|---|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  for (const m of measures) {
    const o = r.ours.samples.map((s) => s[m.key] as number | null);
    const t = r.theirs?.samples.map((s) => s[m.key] as number | null) ?? [];
    const [o50, o99] = [col(o, 'p50'), col(o, 'p99')];
    const [t50, t99] = r.theirs ? [col(t, 'p50'), col(t, 'p99')] : [null, null];
    const tt = (x: number | null) => (r.theirs ? fmtMs(x) : 'n/a');
    lines.push(
      `| ${sinkName(r.sink, r.frameMs)} | ${m.label} | ${fmtMs(o50)} | ${fmtMs(o99)} | ${tt(t50)} | ${tt(t99)} | ${r.theirs ? ratio(t50, o50) : 'n/a'} | ${r.theirs ? ratio(t99, o99) : 'n/a'} |`,
    );
  }
}
const count = (run: SeedRun | null, f: (s: SeedSample) => boolean) => (run ? `${run.samples.filter(f).length}/${run.samples.length}` : 'n/a');
const outcomes: string[] = [];
outcomes.push('| sink | behaviour over all reps | speechcharts | agents-js |');
outcomes.push('|---|---|---:|---:|');
for (const r of results) {
  const rows: [string, (s: SeedSample) => boolean][] = [
    ['tool was awaiting its playout at the interrupt', (s) => s.toolWasWaiting],
    ['tool wait rejected (interrupted error)', (s) => s.toolWaitOutcome === 'rejected'],
    ['tool wait resolved as if played out', (s) => s.toolWaitOutcome === 'resolved'],
    ['tool ran on past its wait', (s) => s.toolRanOn],
    ['tool output recorded in history', (s) => s.toolOutputRecorded],
  ];
  for (const [label, f] of rows) outcomes.push(`| ${sinkName(r.sink, r.frameMs)} | ${label} | ${count(r.ours, f)} | ${count(r.theirs, f)} |`);
  outcomes.push(`| ${sinkName(r.sink, r.frameMs)} | errors / unhandled rejections | ${r.ours.errors.length} | ${r.theirs ? r.theirs.errors.length : 'n/a'} |`);
}

const cpu = cpus();
const machine = `${cpu[0]?.model ?? 'unknown CPU'} (${cpu.length} cores), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}`;
const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
console.log(`\n${lines.join('\n')}\n\n${outcomes.join('\n')}\n`);
// The issue's targets, checked on every device.
const verdicts: string[] = [];
for (const r of results) {
  const o = r.ours.samples.map((x) => x.toolWaitSettled);
  const t = r.theirs?.samples.map((x) => x.toolWaitSettled) ?? [];
  const p99 = quantile(o, 0.99);
  const ratio50 = r.theirs ? (median(t) ?? NaN) / (median(o) ?? NaN) : null;
  verdicts.push(
    `- ${sinkName(r.sink, r.frameMs)}: tool wait settled p99 ${fmtMs(p99)} ms (target < 0.1 ms: ${p99 !== null && p99 < 0.1 ? 'met' : 'MISSED'})` +
      (ratio50 !== null ? `; ${ratio50.toFixed(1)}× faster than agents-js at p50 (target ≥ 30×: ${ratio50 >= 30 ? 'met' : 'MISSED'})` : ''),
  );
}
console.log(verdicts.join('\n'));
console.log(`ratio = agents-js / speechcharts (how many times longer agents-js takes). ${reps} reps per cell; p99 is nearest-rank, so with fewer than 100 samples it is the largest one.`);
console.log(`machine: ${machine}; command: ${command}`);
const errs = results.flatMap((r) => [...r.ours.errors.map((e) => `speechcharts ${r.sink}/${r.frameMs}: ${e}`), ...(r.theirs?.errors ?? []).map((e) => `agents-js ${r.sink}/${r.frameMs}: ${e}`)]);
if (errs.length) console.log(`\nerrors:\n${errs.slice(0, 10).join('\n')}`);

mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(
  join(root, 'bench/results/side-by-side.md'),
  [
    '# Side by side: speechcharts vs LiveKit agents-js',
    '',
    `Generated by \`${command}\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine}.`,
    '',
    `Scenario: a 3.2 s preamble while a tool awaits \`ctx.waitForPlayout()\`; ${'300'} ms into the audio, \`interrupt()\` and, in the same tick, \`generateReply({ userInput })\`; the new reply plays out; \`close()\`. ${reps} reps (+${warmup} warm-up) per engine and device, each engine in its own process, one after the other. Times are from just before the \`interrupt()\` call. Ratio = agents-js / speechcharts.`,
    '',
    ...lines,
    '',
    ...outcomes,
    '',
    'Targets of the issue (tool wait settled):',
    '',
    ...verdicts,
    '',
    errs.length ? `Errors:\n\n\`\`\`\n${errs.join('\n')}\n\`\`\`` : 'No errors and no unhandled rejections in either engine.',
    '',
  ].join('\n'),
);
writeFileSync(join(root, 'bench/results/side-by-side.json'), JSON.stringify({ machine, command, reps, warmup, results }, null, 1));
console.log('\nwrote bench/results/side-by-side.md and side-by-side.json');
