import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTrace } from '../src/inspect/trace-recorder.js';
import { decodeWav } from '../src/adapters/wav.js';

// These tests run the real CLI in a child process: real espeak-ng (or the fallback voice), real
// rtc-node output in real time. They wait for the process, never for a timer of their own.

const tmp = mkdtempSync(join(tmpdir(), 'speechcharts-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to its end (killing it after `killAfterMs`, which then fails the test). */
function exec(cmd: string, args: string[], o: { env?: NodeJS.ProcessEnv; killAfterMs?: number } = {}): Promise<Exit> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, NO_COLOR: '1', ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), o.killAfterMs ?? 40_000);
    child.on('error', (e) => {
      clearTimeout(guard);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

const cli = (args: string[], env?: NodeJS.ProcessEnv, killAfterMs?: number) => exec('npx', ['tsx', 'src/cli/main.ts', ...args], { ...(env ? { env } : {}), ...(killAfterMs ? { killAfterMs } : {}) });

function figure(stdout: string, name: string): number {
  const m = new RegExp(`→ ${name}\\s+([\\d.]+) (ms|s)`).exec(stdout);
  if (!m) throw new Error(`no "${name}" figure in:\n${stdout}`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

function checkOutputs(dir: string): { wavSeconds: number } {
  const wav = decodeWav(readFileSync(join(dir, 'heard.wav')));
  const wavSeconds = wav.samples.length / wav.channels / wav.sampleRate;
  const trace = parseTrace(readFileSync(join(dir, 'trace.jsonl'), 'utf8'));
  expect(trace[0]).toMatchObject({ kind: 'header', title: 'tool-preamble-interrupt' });
  expect(trace).toContainEqual(expect.objectContaining({ kind: 'snapshot', actor: 'speech_1', value: 'interrupted' }));
  expect(trace).toContainEqual(expect.objectContaining({ kind: 'snapshot', actor: 'tool_call_1', value: 'aborted' }));
  const svg = readFileSync(join(dir, 'timeline.svg'), 'utf8');
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).toContain('>slow_tool (call_1)</text>');
  return { wavSeconds };
}

describe('speechcharts run (real audio)', () => {
  it('runs the seed scenario to completion in real time, prints the view and the summary, writes the files', async () => {
    const out = join(tmp, 'real');
    const r = await cli(['run', 'examples/tool-preamble-interrupt.json', '--out', out]);
    const all = `${r.stderr}\n${r.stdout}`;
    expect(r.stderr, all).not.toMatch(/Error|unhandled/i);
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
    expect(r.ms, all).toBeLessThan(15_000);
    // The live view: one line per state change, with ms.
    expect(r.stdout).toMatch(/^\+ +\d+\.\d ms {2}speech_1 +active\.playingOut$/m);
    expect(r.stdout).toMatch(/^\+ +\d+\.\d ms {2}tool_call_1 +slow_tool: waitForPlayout\(\) rejected SpeechInterruptedError$/m);
    expect(r.stdout).toMatch(/^\+ +\d+\.\d ms {2}audio +▶ speech_2 /m);
    // The summary: recovery in milliseconds, not after a 5 s timeout.
    expect(r.stdout).toContain('── summary: tool-preamble-interrupt completed');
    expect(figure(r.stdout, 'tool wait settled'), all).toBeLessThan(250);
    expect(figure(r.stdout, 'audio cut'), all).toBeLessThan(250);
    expect(figure(r.stdout, 'next reply audible'), all).toBeLessThan(1500);
    expect(r.stdout).toMatch(/assistant Sure, let me.* \[interrupted\]/);
    expect(r.stdout).toContain('heard.wav');
    const { wavSeconds } = checkOutputs(out);
    // About 1 s of preamble, then the whole reply.
    expect(wavSeconds).toBeGreaterThan(2);
    expect(wavSeconds).toBeLessThan(10);
    const soxi = spawnSync('soxi', ['-D', join(out, 'heard.wav')], { encoding: 'utf8' });
    if (soxi.status === 0) expect(Number(soxi.stdout.trim())).toBeCloseTo(wavSeconds, 2);
  }, 45_000);

  it('runs on the built-in voice when espeak-ng is missing, and says so', async () => {
    const out = join(tmp, 'fallback');
    // A PATH with node and nothing else: espeak-ng cannot be found.
    const bin = join(tmp, 'bin');
    if (!existsSync(bin)) {
      mkdirSync(bin);
      symlinkSync(process.execPath, join(bin, 'node'));
    }
    const r = await exec(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', 'examples/tool-preamble-interrupt.json', '--out', out, '--quiet'], {
      env: { PATH: bin },
    });
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
    expect(r.stdout + r.stderr).toContain('espeak-ng not found: using the built-in synthetic voice');
    expect(r.stdout).toContain('the built-in synthetic voice');
    expect(r.stdout).toContain('── summary: tool-preamble-interrupt completed');
    expect(checkOutputs(out).wavSeconds).toBeGreaterThan(2);
  }, 45_000);
});

describe('speechcharts run --room', () => {
  it('fails clearly and fast, with a non-zero exit, when the server is unreachable', async () => {
    const r = await cli(
      ['run', 'examples/tool-preamble-interrupt.json', '--room', '--out', join(tmp, 'room')],
      { LIVEKIT_URL: 'ws://127.0.0.1:9', LIVEKIT_API_KEY: 'devkey', LIVEKIT_API_SECRET: 'secret-secret-secret-secret-secret' },
      20_000,
    );
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(1);
    expect(r.stderr).toContain('could not connect to LiveKit at ws://127.0.0.1:9');
    expect(r.stderr).toContain('check LIVEKIT_URL');
    expect(r.ms).toBeLessThan(10_000);
  }, 30_000);

  it('names the missing LiveKit variables', async () => {
    const r = await cli(['run', 'examples/tool-preamble-interrupt.json', '--room'], { LIVEKIT_URL: '', LIVEKIT_API_KEY: '', LIVEKIT_API_SECRET: '' }, 20_000);
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(2);
    expect(r.stderr).toContain('LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET are not set');
  }, 30_000);
});

describe('speechcharts run: the rest', () => {
  it('runs in virtual time with --virtual', async () => {
    const out = join(tmp, 'virtual');
    const r = await cli(['run', 'examples/tool-preamble-interrupt.json', '--virtual', '--out', out]);
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
    expect(r.stdout).toContain('virtual time');
    expect(r.stdout).toMatch(/→ tool wait settled +0\.00 ms/);
    checkOutputs(out);
  }, 30_000);

  it('rejects a bad scenario with the path of the bad field, exit 2', async () => {
    const bad = join(tmp, 'bad.json');
    const j = JSON.parse(readFileSync('examples/tool-preamble-interrupt.json', 'utf8'));
    j.inputs[1].atMs = -1;
    writeFileSync(bad, JSON.stringify(j));
    const r = await cli(['run', bad]);
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(2);
    expect(r.stderr).toContain(`${bad}: inputs[1].atMs must be a non-negative number, got -1`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  }, 30_000);

  it('documents everything in --help', async () => {
    const r = await cli(['run', '--help']);
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
    for (const s of ['--out DIR', '--room', '--virtual', '--realtime', '--inspect', 'LIVEKIT_URL', 'heard.wav', 'trace.jsonl', 'timeline.svg', 'interrupt → next reply audible'])
      expect(r.stdout).toContain(s);
    const top = await cli(['--help']);
    for (const s of ['run <scenario.json>', 'check', 'paths <machine>', 'inspect [trace.jsonl]']) expect(top.stdout).toContain(s);
  }, 30_000);

  it('rejects an unknown command and bad options, exit 2', async () => {
    const unknown = await cli(['frobnicate']);
    expect(unknown.code, unknown.stderr).toBe(2);
    const r = await cli(['run', 'examples/tool-preamble-interrupt.json', '--virtual', '--realtime']);
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(2);
    expect(r.stderr).toContain('--realtime and --virtual exclude each other');
  }, 30_000);
});
