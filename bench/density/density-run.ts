/**
 * One density measurement, in the calling process: N live sessions of one engine, each with its own
 * rtc-node microphone (real speech, looped) and its own rtc-node `AudioSource` for the agent's voice
 * through `RtcAudioOutput`, a warm-up, then a measured window of wall time. `npm run bench:density`
 * (bench/density.ts) runs it in a fresh child process per (engine, N), so memory figures are clean;
 * test/density-driver.test.ts runs it for 1 session so the bench cannot rot.
 */
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { RtcAudioOutput } from '../../src/adapters/rtc-audio-output.js';
import { SAMPLE_RATE } from '../lib/scenario.js';
import { quantile, settlesWithin } from '../lib/scenario.js';
import type { Engine, EngineSession } from './engine.js';
import { FrameMic } from './frame-mic.js';
import { TrackMic } from './track-mic.js';
import type { UserMic } from './user-mic.js';
import { prepareUserSpeechLoop } from './user-speech-loop.js';

export interface DensityOptions {
  engine: Engine;
  /** Live sessions (0: the empty baseline, everything loaded and prepared but no session). */
  sessions: number;
  /** The measured window (s of wall time). */
  seconds: number;
  /** Wall time between the last session started and the window (s). */
  warmupSeconds: number;
  /** Frame length of the user's audio fed to the microphone and of the agent's TTS audio (10 or 20 ms). */
  frameMs: number;
  /**
   * The user's microphone: 'frames' (rtc-node AudioFrames made in process on a real-time ticker,
   * bench/density/frame-mic.ts) or 'track' (AudioSource → LocalAudioTrack → AudioStream,
   * bench/density/track-mic.ts). Default 'frames'.
   */
  mic?: 'frames' | 'track';
  /** Silence after each sentence of the user (ms). Default 3000. */
  silenceMs?: number;
  /** Told each phase (sessions started, window over, closed), for a progress log. */
  onProgress?: (what: string) => void;
}

export interface DensityResult {
  engine: string;
  engineVersion: string;
  describe: string;
  userVoice: string;
  sessions: number;
  seconds: number;
  warmupSeconds: number;
  frameMs: number;
  mic: 'frames' | 'track';
  /** Length of the user's sentence and of one speak + silence cycle (ms). */
  speechMs: number;
  cycleMs: number;
  /** Wall time to create and start all the sessions (ms). */
  startupMs: number;
  /** Mean RSS over the window, sampled each second (MB). */
  rssMeanMB: number;
  rssMaxMB: number;
  /** After a full GC at the end of the window, sessions still live (MB; needs --expose-gc). */
  heapUsedMB: number;
  externalMB: number;
  gcExposed: boolean;
  /** Process CPU time (all threads: JS, libuv pool, ONNX and rtc-node natives) over the window, per wall second. */
  cpuCores: number;
  /** Wall time the window really took / the time asked: over 1, the event loop was held up so long that the window's own timer fired late. */
  windowStretch: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /** Frames of user audio fed in the window, and those fed after the microphone's queue had run dry. */
  micFramesFed: number;
  micFramesLate: number;
  /** Frames the engines read from the microphone streams in the window, and what real time would give. */
  micFramesIn: number;
  micFramesExpected: number;
  /** Reply audio handed to an output whose queue had run dry (a gap the listener hears), and all reply pieces. */
  outputPieces: number;
  outputGaps: number;
  /** Sentences that ended in the window with time left to answer, and those answered before the user spoke again. */
  turnsExpected: number;
  turnsAnswered: number;
  /** Replies that started playing in the window (answered in time or not). */
  repliesStarted: number;
  /** For each expected turn, the first reply after it however late (ms; p50): how far behind the answers were. */
  firstReplyAfterP50Ms: number | null;
  /** Load average (1 min) of the machine at the start and the end of the window: other work on the cores. */
  loadAvg: [number, number];
  /** End of the user's sentence on the track → first frame of the reply handed to the output (ms). */
  replyLatencyP50Ms: number | null;
  replyLatencyP99Ms: number | null;
  /** Wall time of closing all sessions (ms). */
  closeMs: number;
  errors: string[];
}

const MB = 2 ** 20;
/** How long closing all the sessions may take before the run reports it and moves on. */
const CLOSE_LIMIT_MS = 30_000;

/**
 * Runs N sessions of `engine` for the window and measures them. Resolves after every session,
 * microphone and output was closed (the caller disposes rtc-node).
 * @example const r = await runDensity({ engine: speechchartsEngine, sessions: 10, seconds: 20, warmupSeconds: 5, frameMs: 20 });
 */
export async function runDensity(o: DensityOptions): Promise<DensityResult> {
  if (!Number.isInteger(o.sessions) || o.sessions < 0) throw new RangeError(`runDensity: sessions must be a non-negative integer, got ${o.sessions}`);
  if (!(o.seconds > 0)) throw new RangeError(`runDensity: seconds must be positive, got ${o.seconds}`);
  if (!(o.warmupSeconds >= 0)) throw new RangeError(`runDensity: warmupSeconds must be non-negative, got ${o.warmupSeconds}`);
  const errors: string[] = [];
  const onError = (where: string, e: unknown) => {
    if (errors.length < 50) errors.push(`${where}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  };
  const silenceMs = o.silenceMs ?? 3000;
  const progress = (what: string) => o.onProgress?.(`${o.engine.name} N=${o.sessions}: ${what}`);
  const ns = (x: number) => x / 1e6;
  const loop = await prepareUserSpeechLoop({ silenceMs });
  await o.engine.prepare();

  const micKind = o.mic ?? 'frames';
  if (micKind !== 'frames' && micKind !== 'track') throw new RangeError(`runDensity: mic must be 'frames' or 'track', got ${String(micKind)}`);
  const mics: UserMic[] = [];
  const outputs: RtcAudioOutput[] = [];
  const sessions: EngineSession[] = [];
  const replyStarts: number[][] = [];
  let outputPieces = 0;
  let outputGaps = 0;
  let measuring = false;

  const t0 = performance.now();
  for (let i = 0; i < o.sessions; i++) {
    // Phases spread the sessions' sentences over the cycle.
    const phaseMs = (i / Math.max(1, o.sessions)) * loop.cycleMs;
    const mic = micKind === 'track' ? new TrackMic(loop, { frameMs: o.frameMs, phaseMs, onError: (e) => onError(`mic ${i}`, e) }) : new FrameMic(loop, { frameMs: o.frameMs, phaseMs });
    const output = new RtcAudioOutput({ sampleRate: SAMPLE_RATE, channels: 1 });
    const starts: number[] = [];
    output.onFrame = (_f, atSeconds) => {
      if (atSeconds === 0) starts.push(performance.now());
      else if (measuring) {
        outputPieces++;
        if (output.source.queuedDuration === 0) outputGaps++;
      }
    };
    mics.push(mic);
    outputs.push(output);
    replyStarts.push(starts);
    sessions.push(await o.engine.startSession({ mic: mic.frames, output, frameMs: o.frameMs, onError }));
    mic.start();
  }
  const startupMs = performance.now() - t0;
  progress(`${o.sessions} sessions started in ${(startupMs / 1000).toFixed(1)} s`);
  await sleep(o.warmupSeconds * 1000);
  progress('warm-up over, measuring');

  // ── the window ──
  const counters = () => ({
    fed: sum(mics.map((m) => m.framesFed)),
    late: sum(mics.map((m) => m.lateFrames)),
    framesIn: sum(mics.map((m) => m.framesIn)),
  });
  const lag = monitorEventLoopDelay({ resolution: 10 });
  const c0 = counters();
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(process.memoryUsage.rss()), 1000);
  measuring = true;
  lag.enable();
  const w0 = performance.now();
  const load0 = loadavg()[0]!;
  const cpu0 = process.cpuUsage();
  await sleep(o.seconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  const w1 = performance.now();
  lag.disable();
  measuring = false;
  clearInterval(sampler);
  const c1 = counters();
  rss.push(process.memoryUsage.rss());
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const mem = process.memoryUsage();

  // ── turns: each sentence that ended in the window, leaving a silence's time to answer before it closed ──
  let turnsExpected = 0;
  let turnsAnswered = 0;
  const latencies: number[] = [];
  const anyLatencies: number[] = [];
  const repliesStarted = sum(replyStarts.map((starts) => starts.filter((t) => t >= w0 && t <= w1).length));
  mics.forEach((mic, i) => {
    for (const end of mic.speechEnds) {
      if (end < w0 || end + silenceMs > w1) continue;
      turnsExpected++;
      const first = replyStarts[i]!.find((t) => t > end);
      if (first !== undefined) anyLatencies.push(first - end);
      const reply = first !== undefined && first <= end + silenceMs ? first : undefined;
      if (reply !== undefined) {
        turnsAnswered++;
        latencies.push(reply - end);
      }
    }
  });

  progress(`window over: ${turnsAnswered}/${turnsExpected} turns, lag p99 ${ns(lag.percentile(99)).toFixed(0)} ms`);
  const tc = performance.now();
  const closing = (async () => {
    await Promise.allSettled([
      ...sessions.map((s, i) => s.close().catch((e: unknown) => onError(`close session ${i}`, e))),
      ...mics.map((m, i) => m.close().catch((e: unknown) => onError(`close mic ${i}`, e))),
    ]);
    await Promise.allSettled(outputs.map((out, i) => out.close().catch((e: unknown) => onError(`close output ${i}`, e))));
  })();
  // A close that never ends is a finding, not a reason to lose the figures.
  if (!(await settlesWithin(closing, CLOSE_LIMIT_MS))) onError('close', new Error(`closing the ${o.sessions} sessions took over ${CLOSE_LIMIT_MS / 1000} s`));
  const closeMs = performance.now() - tc;
  progress(`closed in ${(closeMs / 1000).toFixed(1)} s`);

  return {
    engine: o.engine.name,
    engineVersion: o.engine.version,
    describe: o.engine.describe,
    userVoice: loop.voice,
    sessions: o.sessions,
    seconds: o.seconds,
    warmupSeconds: o.warmupSeconds,
    frameMs: o.frameMs,
    mic: micKind,
    speechMs: loop.speechMs,
    cycleMs: loop.cycleMs,
    startupMs,
    rssMeanMB: sum(rss) / rss.length / MB,
    rssMaxMB: Math.max(...rss) / MB,
    heapUsedMB: mem.heapUsed / MB,
    externalMB: mem.external / MB,
    gcExposed: gc !== undefined,
    cpuCores: (cpu.user + cpu.system) / 1000 / (w1 - w0),
    windowStretch: (w1 - w0) / (o.seconds * 1000),
    // A loop held up for most of the window records few samples: its own late timer is a lag too.
    lagP50Ms: ns(lag.percentile(50)),
    lagP99Ms: ns(lag.percentile(99)),
    lagMaxMs: Math.max(ns(lag.max), w1 - w0 - o.seconds * 1000),
    micFramesFed: c1.fed - c0.fed,
    micFramesLate: c1.late - c0.late,
    micFramesIn: c1.framesIn - c0.framesIn,
    micFramesExpected: Math.round(sum(mics.map((m) => (w1 - w0) / m.frameInMs))),
    outputPieces,
    outputGaps,
    turnsExpected,
    turnsAnswered,
    repliesStarted,
    firstReplyAfterP50Ms: quantile(anyLatencies, 0.5),
    loadAvg: [load0, loadavg()[0]!],
    replyLatencyP50Ms: quantile(latencies, 0.5),
    replyLatencyP99Ms: quantile(latencies, 0.99),
    closeMs,
    errors,
  };
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
