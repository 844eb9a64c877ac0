import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTrace } from '../src/inspect/trace-recorder.js';
import { silentGaps } from '../src/voice/audio-analysis.js';
import { decodeWav } from '../src/adapters/wav.js';

// The two voice examples end to end, as a user runs them: `npx tsx src/cli/main.ts run <example>` in a
// child process, real espeak-ng voices (agent and user), the real Silero VAD, real-time rtc-node
// output. The tests wait for the process and then read its recordings; they sleep on nothing.

const tmp = mkdtempSync(join(tmpdir(), 'speechcharts-voice-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'src/cli/main.ts', ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('error', (e) => (clearTimeout(guard), reject(e)));
    child.on('close', (code) => (clearTimeout(guard), resolve({ code, stdout, stderr })));
  });
}

/** A number captured from the output (the first group of `re`). */
function num(stdout: string, re: RegExp): number {
  const m = re.exec(stdout);
  if (!m) throw new Error(`no ${re} in:\n${stdout}`);
  return Number(m[1]);
}

function heard(dir: string) {
  const wav = decodeWav(readFileSync(join(dir, 'heard.wav')));
  const seconds = wav.samples.length / wav.channels / wav.sampleRate;
  return { wav, seconds, gaps: (minMs: number) => silentGaps(wav.samples, wav.sampleRate, { channels: wav.channels, minMs }) };
}

describe('voice examples (real VAD over real synthesized audio, real time)', () => {
  it('voice-cough-false-interruption: the recording holds for the false interruption, then plays the rest', async () => {
    const out = join(tmp, 'cough');
    const r = await cli(['run', 'examples/voice-cough-false-interruption.json', '--out', out]);
    const all = `${r.stderr}\n${r.stdout}`;
    expect(r.code, all).toBe(0);
    expect(r.stderr, all).not.toMatch(/Error|unhandled/i);
    const firstFrame = num(r.stdout, /^\+ +([\d.]+) ms {2}audio +▶ speech_1 first frame/m);
    const pausedAt = num(r.stdout, /^ +\+(\d+) ms barge-in: speech_1 held$/m);
    const resumedAt = num(r.stdout, /^ +\+(\d+) ms barge-in: speech_1 resumed \(no words came/m);
    const played = num(r.stdout, /■ speech_1 played out: ([\d.]+) s/);
    const holdSec = (resumedAt - pausedAt) / 1000;
    // 0.5 s into the cough the agent is held; 2 s after the VAD reports its end, it resumes.
    expect(holdSec).toBeGreaterThan(2.4);
    expect(holdSec).toBeLessThan(3.4);
    expect(r.stdout).not.toMatch(/\[interrupted\]|■ speech_1 cut/);

    // heard.wav: the whole answer (nothing cut) plus one silence where it was held. The recorder
    // sits in front of the device, so the hold starts once the device's 200 ms buffer has played.
    const h = heard(out);
    const extra = h.seconds - played;
    expect(extra).toBeGreaterThan(holdSec - 0.45);
    expect(extra).toBeLessThan(holdSec + 0.1);
    const long = h.gaps(1500);
    expect(long).toHaveLength(1);
    const gap = long[0]!;
    expect(gap.durationSec).toBeGreaterThan(holdSec - 0.6);
    expect(gap.durationSec).toBeLessThan(holdSec + 0.2);
    const pausedInRecording = (pausedAt - firstFrame) / 1000;
    expect(gap.startSec).toBeGreaterThan(pausedInRecording - 0.6);
    expect(gap.startSec).toBeLessThan(pausedInRecording + 0.35);

    const trace = parseTrace(readFileSync(join(out, 'trace.jsonl'), 'utf8'));
    const speech = trace.filter((x) => x.kind === 'snapshot' && x.actor === 'speech_1').map((x) => JSON.stringify((x as { value: unknown }).value));
    expect(speech).toEqual(expect.arrayContaining(['{"active":"paused"}', '"done"']));
    expect(speech).not.toContain('"interrupted"');
    expect(trace.some((x) => x.kind === 'snapshot' && x.actor === 'bargeIn')).toBe(true);
    const svg = readFileSync(join(out, 'timeline.svg'), 'utf8');
    expect(svg).toContain('>barge-in policy</text>');
    expect(svg).toContain('>user voice (VAD)</text>');
    // The user's track and the mix are written beside the recording.
    expect(decodeWav(readFileSync(join(out, 'user.wav'))).sampleRate).toBe(22050);
    expect(decodeWav(readFileSync(join(out, 'conversation.wav'))).samples.length).toBeGreaterThan(0);
    console.log(`cough: held ${holdSec.toFixed(2)} s; heard.wav ${h.seconds.toFixed(2)} s = ${played.toFixed(2)} s of speech + ${extra.toFixed(2)} s; silence ${gap.startSec.toFixed(2)}–${gap.endSec.toFixed(2)} s`);
  }, 60_000);

  it('voice-barge-in-tool-preamble: the preamble is cut where it was held, the tool released at once, the reply follows', async () => {
    const out = join(tmp, 'barge');
    const r = await cli(['run', 'examples/voice-barge-in-tool-preamble.json', '--out', out]);
    const all = `${r.stderr}\n${r.stdout}`;
    expect(r.code, all).toBe(0);
    expect(r.stderr, all).not.toMatch(/Error|unhandled/i);
    const pausedAt = num(r.stdout, /^ +\+(\d+) ms barge-in: speech_1 held$/m);
    const interruptedAt = num(r.stdout, /^ +\+(\d+) ms barge-in: the user's words interrupt speech_1$/m);
    expect(interruptedAt).toBeGreaterThan(pausedAt);
    // The same guarantees as the API path: the tool's wait settles and the audio is cut within ms.
    expect(num(r.stdout, /→ tool wait settled +([\d.]+) ms/), all).toBeLessThan(50);
    expect(num(r.stdout, /→ audio cut +([\d.]+) ms/), all).toBeLessThan(50);
    expect(r.stdout).toContain('slow_tool: waitForPlayout() rejected SpeechInterruptedError');
    expect(r.stdout).toMatch(/assistant Sure, let me.* \[interrupted\]/);
    expect(r.stdout).toContain('user      Actually, never mind, do something else!');
    const cutHeard = num(r.stdout, /■ speech_1 cut: ([\d.]+) s heard of ([\d.]+) s/);
    const replyPlayed = num(r.stdout, /■ speech_2 played out: ([\d.]+) s/);

    // heard.wav: the cut preamble, silence while the user finishes, then the whole reply.
    const h = heard(out);
    const gap = h.gaps(1500);
    expect(gap).toHaveLength(1);
    expect(gap[0]!.startSec).toBeGreaterThan(cutHeard - 0.45);
    expect(gap[0]!.startSec).toBeLessThan(cutHeard + 0.05);
    expect(h.seconds - gap[0]!.endSec).toBeGreaterThan(replyPlayed - 0.5);
    expect(h.seconds - gap[0]!.endSec).toBeLessThan(replyPlayed + 0.05);
    // What was cut: the preamble is about 3.5 s of speech; far less of it was heard.
    expect(cutHeard).toBeLessThan(2);

    const trace = parseTrace(readFileSync(join(out, 'trace.jsonl'), 'utf8'));
    const speech = trace.filter((x) => x.kind === 'snapshot' && x.actor === 'speech_1').map((x) => JSON.stringify((x as { value: unknown }).value));
    expect(speech.indexOf('{"active":"paused"}')).toBeGreaterThan(-1);
    expect(speech.indexOf('"interrupted"')).toBeGreaterThan(speech.indexOf('{"active":"paused"}'));
    expect(trace).toContainEqual(expect.objectContaining({ kind: 'snapshot', actor: 'tool_call_1', value: 'aborted' }));
    console.log(`barge-in: held at +${pausedAt} ms, cut at +${interruptedAt} ms; heard.wav ${h.seconds.toFixed(2)} s = ${cutHeard.toFixed(2)} s of preamble, ${gap[0]!.durationSec.toFixed(2)} s silence, ${replyPlayed.toFixed(2)} s reply`);
  }, 60_000);
});
