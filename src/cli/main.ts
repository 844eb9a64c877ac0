#!/usr/bin/env node
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { AudioOutput } from '../ports/audio-output.js';
import { realClock, type Clock } from '../ports/clock.js';
import { ConsoleView, formatSummary, type SummaryFile } from './console-view.js';
import { describe } from '../errors.js';
import { startScenario, type LiveInput, type ScenarioResult } from '../scenario/run-scenario.js';
import { ScenarioError, parseScenario, type Scenario } from '../scenario/scenario-schema.js';
import { renderTimelineSvg } from './timeline-svg.js';
import type { TTS } from '../ports/tts.js';
import type { PreparedUserAudio } from '../voice/scenario-voice.js';

// rtc-node logs at debug level unless NODE_ENV is production; its JSON lines would drown the live view.
// Set before any module that loads rtc-node is imported (they are all imported dynamically below).
process.env.NODE_ENV ??= 'production';

const MAIN_HELP = `speechcharts: speech orchestration for voice agents on XState statecharts

Usage:
  speechcharts run <scenario.json> [options]   run a scripted conversation on real audio (see: speechcharts run --help)
  speechcharts check [--deep]                  verify the machines and the session's routing
  speechcharts paths <machine>                 list the paths through one machine
  speechcharts inspect [trace.jsonl]           open the inspector on a trace (or on a live demo)
  speechcharts help [command]

npm start runs: speechcharts run examples/tool-preamble-interrupt.json
`;

const RUN_HELP = `speechcharts run <scenario.json> [options]

Runs a scripted conversation (a scenario) on an AgentSession with real parts, and measures it.
By default: the espeak-ng voice (or a built-in synthetic voice when espeak-ng is not installed,
said once), played in real time through rtc-node's AudioSource; no server, no keys.

Prints a live view (one line per state change of the agent, the scheduler, each speech and each
tool run, with ms since the start; audio progress while it plays) and a summary with the
figures measured after each interrupt:
  interrupt → tool wait settled   a tool awaiting its preamble's playout is released (rejects)
  interrupt → audio cut           the output reports the cut (and how much was heard)
  interrupt → next reply audible  the first frame of the next speech goes to the output

Writes into --out:
  heard.wav       what the listener heard (cut where playback stopped, silent while held)
  trace.jsonl     the XState inspection events of every actor (speechcharts inspect <file>)
  timeline.svg    one lane per actor, state spans coloured, the interrupt marked, the figures drawn
  With "userAudio" also:
  user.wav        the user's microphone track (what the VAD heard)
  conversation.wav  heard.wav and user.wav mixed, in time

Options:
  --out DIR              where to write the files (default: out)
  --realtime             real time, real audio (default)
  --virtual              virtual time: instant, deterministic (synthetic voice, no audio device)
  --room                 join a LiveKit room instead (LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET):
                         the agent's voice is published as a microphone track; user input comes
                         from data messages on topic "user_input" (text, or JSON {"text","interrupt","force"})
                         and from chat text ("lk.chat"); each one interrupts, then asks for a reply.
                         The agent stays in the room after the scenario until Ctrl-C (unless --once).
  --room-name NAME       room to join (default: speechcharts-demo)
  --identity ID          the agent's identity (default: speechcharts-agent)
  --connect-timeout MS   give up connecting after MS (default: 5000)
  --once                 with --room: leave when the scenario is done
  --cold                 skip the warm-up: by default the scenario first runs once in virtual time
                         (silent, ~0.1 s) so the figures show a process that has served a turn, not
                         V8 compiling the interrupt path for the first time (which adds a few ms)
  --inspect              serve the run live in the inspector (prints its URL), and keep serving it
                         after the run until Ctrl-C
  --quiet                no live view, only the summary
  -h, --help             this help

Scenario format (JSON; errors name the bad field, e.g. "inputs[2].atMs must be a non-negative number"):
  {
    "name": "my-incident",
    "session": { "allowInterruptions": true, "maxToolSteps": 3, "instructions": "..." },
    "tools": { "slow_tool": { "durationMs": 1500, "waitForPlayout": true, "ignoreAbort": false,
                              "result": "done" | "throws": { "type": "ToolError" | "Error", "message": "..." } } },
    "replies": [ { "when": { "userInput": "..." } | { "afterTool": "slow_tool" } (none: the default reply),
                   "text": "preamble...", "toolCalls": [ { "name": "slow_tool", "arguments": {} } ],
                   "ttftMs": 150, "chunkDelayMs": 20 } ],
    "inputs": [ { "atMs": 0, "userInput": "..." },
                { "atMs": 1350, "interrupt": true, "force": true, "userInput": "..." },
                { "atMs": 2000, "say": "...", "priority": "high", "allowInterruptions": false } ],
    "userAudio": [ { "atMs": 2500, "noise": { "durationMs": 800, "kind": "cough" } },
                   { "atMs": 700, "text": "Actually, never mind", "voice": "en-us+f3",
                     "transcript": { "interim": [ { "afterMs": 800, "text": "Actually" } ],
                                     "final": "Actually, never mind", "finalAfterEndMs": 300 } } ],
    "voice": { "userVoice": "en-us+f3",
               "bargeIn": { "minInterruptionDuration": 500, "minInterruptionWords": 0,
                            "falseInterruptionTimeout": 2000, "resumeFalseInterruption": true,
                            "discardAudioIfUninterruptible": true },
               "vad": { "activationThreshold": 0.5, "minSilenceDuration": 550 } },
    "maxDurationMs": 30000
  }
  An input with "interrupt" calls session.interrupt({ force }) first, then (without awaiting it)
  generateReply({ userInput }) or say(text), as LiveKit's API-injected input does.
  "userAudio" is the user's voice: words synthesized with espeak-ng (a voice other than the
  agent's) or a noise, mixed into the microphone track at atMs, resampled to 16 kHz and heard by the
  real Silero VAD (offline); the barge-in policy pauses, resumes or interrupts the agent; the STT is
  scripted ("transcript": interims after the speech starts, the final after it ends, which becomes
  generateReply({ userInput })). A noise has no transcript: a false interruption.

Exit status: 0 when the scenario completed; 1 on an error (e.g. the room is unreachable);
2 for a bad scenario or bad options; 3 when the run was still busy at maxDurationMs (a hang).
`;

const SUB_HELP: Record<string, string> = {
  run: RUN_HELP,
  check: `speechcharts check [--deep]\n\nExplores every reachable state of each machine and of the composed system (the session's own routing over the\nmachines: scheduler, speeches, tool runs, with tools that say, reply and interrupt) and checks the invariants\n(every state that holds waiters handles INTERRUPT, no timers, no wait-for cycle, history in the order heard, ...).\nPrints the shortest event path to any violation. --deep explores three speeches (minutes instead of seconds).\nIt verifies speechcharts' own machines and routing, not your agent's tools or prompts.\n`,
  paths: `speechcharts paths <machine>\n\nLists the paths through one machine (speechHandle, toolRun, scheduler, agentState).\n`,
  inspect: `speechcharts inspect [trace.jsonl]\n\nServes the inspector: replays a trace written by \`speechcharts run\` (out/trace.jsonl), or without one runs the seed demo live. Ctrl-C to quit.\n`,
};

/** A failure with an exit status and a message for the user (no stack trace). */
class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

const print = (s = '') => process.stdout.write(s + '\n');
const printErr = (s: string) => process.stderr.write(s + '\n');

/**
 * The `speechcharts` command line. Returns the exit status.
 * @example process.exitCode = await main(['run', 'examples/tool-preamble-interrupt.json', '--virtual']);
 */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    const topic = cmd === 'help' ? rest[0] : undefined;
    print(topic && SUB_HELP[topic] ? SUB_HELP[topic] : MAIN_HELP);
    return 0;
  }
  if (SUB_HELP[cmd] && (rest.includes('--help') || rest.includes('-h'))) {
    print(SUB_HELP[cmd]);
    return 0;
  }
  switch (cmd) {
    case 'run':
      return runCommand(rest);
    case 'check':
      return delegate('./check.js', 'runCheck', [rest.includes('--deep')]);
    case 'paths':
      if (!rest[0]) throw new CliError('speechcharts paths: which machine? (speechHandle, toolRun, scheduler, agentState)', 2);
      return delegate('./paths.js', 'runPaths', [rest[0]]);
    case 'inspect':
      return delegate('./inspect.js', 'runInspect', [rest[0]]);
    default:
      throw new CliError(`speechcharts: unknown command "${cmd}"\n\n${MAIN_HELP}`, 2);
  }
}

/** Runs a subcommand another module implements: `fn(...args, out)`; it may return an exit status or a server to close on Ctrl-C. */
async function delegate(modulePath: string, fnName: string, args: unknown[]): Promise<number> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(modulePath)) as Record<string, unknown>;
  } catch (e) {
    if (isModuleMissing(e)) {
      printErr(`speechcharts: this command is not available yet (${modulePath} is missing)`);
      return 1;
    }
    throw e;
  }
  const fn = mod[fnName];
  if (typeof fn !== 'function') {
    printErr(`speechcharts: this command is not available yet (${modulePath} has no ${fnName})`);
    return 1;
  }
  const r: unknown = await fn(...args, print);
  if (typeof r === 'number') return r;
  if (r && typeof (r as { close?: unknown }).close === 'function') {
    print('Ctrl-C to quit');
    await untilInterrupted();
    await (r as { close(): Promise<void> }).close();
  }
  return 0;
}

function isModuleMissing(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

interface RunFlags {
  out: string;
  virtual: boolean;
  room: boolean;
  roomName: string;
  identity: string;
  connectTimeoutMs: number;
  once: boolean;
  inspect: boolean;
  quiet: boolean;
  cold: boolean;
}

function parseRunArgs(args: string[]): { file: string; flags: RunFlags } {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        realtime: { type: 'boolean' },
        virtual: { type: 'boolean' },
        room: { type: 'boolean' },
        'room-name': { type: 'string' },
        identity: { type: 'string' },
        'connect-timeout': { type: 'string' },
        once: { type: 'boolean' },
        inspect: { type: 'boolean' },
        quiet: { type: 'boolean' },
        cold: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new CliError(`speechcharts run: ${describe(e)} (see speechcharts run --help)`, 2);
  }
  const { values: v, positionals } = parsed;
  if (positionals.length !== 1) throw new CliError(`speechcharts run: expected one scenario file, got ${positionals.length} (see speechcharts run --help)`, 2);
  if (v.realtime && v.virtual) throw new CliError('speechcharts run: --realtime and --virtual exclude each other', 2);
  if (v.room && v.virtual) throw new CliError('speechcharts run: --room plays in real time; it cannot be --virtual', 2);
  const timeout = v['connect-timeout'] === undefined ? 5000 : Number(v['connect-timeout']);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new CliError(`speechcharts run: --connect-timeout must be a positive number of ms, got ${v['connect-timeout']}`, 2);
  return {
    file: positionals[0]!,
    flags: {
      out: v.out ?? 'out',
      virtual: v.virtual === true,
      room: v.room === true,
      roomName: v['room-name'] ?? 'speechcharts-demo',
      identity: v.identity ?? 'speechcharts-agent',
      connectTimeoutMs: timeout,
      once: v.once === true,
      inspect: v.inspect === true,
      quiet: v.quiet === true,
      cold: v.cold === true,
    },
  };
}

async function loadScenario(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new CliError(`speechcharts run: cannot read ${file}: ${describe(e)}`, 2);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CliError(`speechcharts run: ${file} is not valid JSON: ${describe(e)}`, 2);
  }
  try {
    return parseScenario(json, { source: file });
  } catch (e) {
    if (e instanceof ScenarioError) throw new CliError(`speechcharts run: ${e.message}`, 2);
    throw e;
  }
}

/** The audio parts of a run, and how to release them. */
interface Parts {
  clock: Clock;
  tts: TTS;
  audioOutput: AudioOutput;
  /** What the parts are, for the header and the summary. */
  description: string;
  writeWav(path: string): Promise<number>;
  /** Drives the result to completion (virtual time advances here). */
  drive<T>(p: Promise<T>): Promise<T>;
  release(): Promise<void>;
  audioSource?: unknown;
}

async function virtualParts(notice: (s: string) => void): Promise<Parts> {
  const { VirtualClock } = await import('../testing/virtual-clock.js');
  const { VirtualAudioOutput } = await import('../testing/virtual-audio-output.js');
  const { SyntheticVoiceTTS } = await import('../adapters/synthetic-tts.js');
  const { RecordingAudioOutput } = await import('../adapters/heard-audio-recorder.js');
  const clock = new VirtualClock();
  const tts = new SyntheticVoiceTTS();
  const recording = new RecordingAudioOutput(new VirtualAudioOutput(clock), { clock });
  notice('virtual time: the synthetic voice, a virtual audio device; nothing is played');
  return {
    clock,
    tts,
    audioOutput: recording,
    description: 'synthetic voice → virtual audio device (virtual time)',
    writeWav: async (p) => (await recording.writeFile(p), recording.duration),
    drive: (p) => clock.runUntil(p, { what: 'the scenario run' }),
    release: async () => {},
  };
}

async function realParts(notice: (s: string) => void): Promise<Parts & { rtc: import('../adapters/rtc-audio-output.js').RtcAudioOutput; disposeRtc: () => Promise<void> }> {
  const { createDefaultTTS } = await import('../adapters/default-tts.js');
  const { EspeakTTS } = await import('../adapters/espeak-tts.js');
  const { RtcAudioOutput, disposeRtc } = await import('../adapters/rtc-audio-output.js');
  const { RecordingAudioOutput } = await import('../adapters/heard-audio-recorder.js');
  const tts = createDefaultTTS({ log: (line) => notice(line) });
  const rtc = new RtcAudioOutput({ sampleRate: tts.sampleRate, channels: tts.numChannels });
  const recording = new RecordingAudioOutput(rtc, { clock: realClock });
  const voice = tts instanceof EspeakTTS ? `espeak-ng (${tts.voice}, ${tts.speed} wpm)` : 'the built-in synthetic voice (espeak-ng not found)';
  let released = false;
  return {
    clock: realClock,
    tts,
    audioOutput: recording,
    description: `${voice} → rtc-node AudioSource, ${tts.sampleRate / 1000} kHz, real time`,
    writeWav: async (p) => (await recording.writeFile(p), recording.duration),
    drive: (p) => p,
    release: async () => {
      if (released) return;
      released = true;
      await rtc.close().catch(() => {});
      // Without it rtc-node's native runtime keeps the process alive.
      await disposeRtc();
    },
    rtc,
    disposeRtc,
  };
}

/**
 * Runs the scenario once, silently, in virtual time on the synthetic voice: the real run then
 * measures the engine, not V8 compiling its interrupt path on first use. False if it failed.
 */
async function warmUp(scenario: Scenario): Promise<boolean> {
  try {
    const { VirtualClock } = await import('../testing/virtual-clock.js');
    const { VirtualAudioOutput } = await import('../testing/virtual-audio-output.js');
    const { SyntheticVoiceTTS } = await import('../adapters/synthetic-tts.js');
    const clock = new VirtualClock();
    const run = startScenario(scenario, { tts: new SyntheticVoiceTTS(), audioOutput: new VirtualAudioOutput(clock), clock });
    await clock.runUntil(run.result, { what: 'the warm-up run', maxMs: scenario.maxDurationMs + 5000 });
    return true;
  } catch {
    return false;
  }
}

async function runCommand(args: string[]): Promise<number> {
  const { file, flags } = parseRunArgs(args);
  const scenario = await loadScenario(file);
  await mkdir(flags.out, { recursive: true });

  const tty = process.stdout.isTTY === true;
  const view = new ConsoleView({ write: (s) => process.stdout.write(s), tty, color: tty && !process.env.NO_COLOR });
  // Notices (the voice fallback) print even with --quiet: the user must know what they hear.
  const notice = (what: string) => (flags.quiet ? print(`speechcharts: ${what}`) : view.line({ t: 0, who: 'speechcharts', what, tone: 'warn' }));

  // The user's voice is synthesized before the run starts, so it plays in time.
  let prepared: PreparedUserAudio | undefined;
  if (scenario.userAudio.length) {
    const { prepareUserAudio } = await import('../voice/scenario-voice.js');
    try {
      prepared = await prepareUserAudio(scenario.userAudio, scenario.voice?.userVoice !== undefined ? { userVoice: scenario.voice.userVoice } : {});
    } catch (e) {
      throw new CliError(`speechcharts run: cannot synthesize the scenario's user audio (is espeak-ng installed?): ${describe(e)}`, 1);
    }
  }
  const parts = flags.virtual ? await virtualParts(notice) : await realParts(notice);
  let room: { disconnect(): Promise<void> } | undefined;
  let inspector: { url: string; inspect: import('xstate').Observer<import('xstate').InspectionEvent>; close(): Promise<void> } | undefined;
  // Room input that arrives before the run has started waits here.
  const early: LiveInput[] = [];
  let inject: ((i: LiveInput) => void) | undefined;
  try {
    if (flags.room) {
      const real = parts as Awaited<ReturnType<typeof realParts>>;
      const { connectRoom, mintToken, readRoomEnv, RoomConfigError, RoomConnectionError } = await import('../adapters/livekit-room.js');
      let env;
      try {
        env = readRoomEnv(process.env);
      } catch (e) {
        if (e instanceof RoomConfigError) throw new CliError(`speechcharts run --room: ${e.message}`, 2);
        throw e;
      }
      print(`speechcharts: joining LiveKit room "${flags.roomName}" at ${env.url} as ${flags.identity} …`);
      try {
        room = await connectRoom({
          ...env,
          roomName: flags.roomName,
          identity: flags.identity,
          audioSource: real.rtc.source,
          connectTimeoutMs: flags.connectTimeoutMs,
          onUserInput: (u) => {
            // API-injected input: interrupt, then reply (the seed's path), unless the message says otherwise.
            const input: LiveInput = { userInput: u.text, interrupt: u.interrupt ?? true, force: u.force ?? false };
            if (inject) inject(input);
            else early.push(input);
          },
          onError: (e) => view.line({ t: 0, who: 'room', what: `user input failed: ${describe(e)}`, tone: 'bad' }),
        });
      } catch (e) {
        if (e instanceof RoomConnectionError) throw new CliError(`speechcharts run --room: ${e.message}\n  check LIVEKIT_URL (is the server up and reachable?), LIVEKIT_API_KEY and LIVEKIT_API_SECRET`, 1);
        throw e;
      }
      print(`speechcharts: joined; the agent's voice is published as track "agent-voice". Send text on data topic "user_input" or in the chat to talk to it.`);
      // A token for a person to listen and type, e.g. in LiveKit Meet (custom server) or the agents playground.
      const token = await mintToken({ ...env, identity: 'listener', room: flags.roomName });
      print(`speechcharts: to join as "listener": ${env.url.replace(/^ws/, 'http')} with token ${token}`);
    }

    if (!flags.virtual && !flags.cold && (await warmUp(scenario))) parts.description += ' (warmed up)';
    if (!flags.quiet) {
      print(`speechcharts run ${scenario.name}: ${parts.description}`);
      if (scenario.description) print(`  ${scenario.description}`);
      print('');
    }
    const live = flags.room && !flags.once;
    // --inspect: the inspector serves this run live; a page opened later still gets every record.
    if (flags.inspect) {
      const { createInspectorServer } = await import('../inspect/inspector-server.js');
      inspector = await createInspectorServer({ title: scenario.name });
      print(`speechcharts: inspector (live) at ${inspector.url}`);
    }
    const run = startScenario(scenario, {
      ...(inspector ? { inspect: inspector.inspect } : {}),
      tts: parts.tts,
      audioOutput: parts.audioOutput,
      clock: parts.clock,
      live,
      ...(prepared ? { userAudio: prepared } : {}),
      ...(flags.room ? { fallbackReply: (text: string) => `You said: ${text}` } : {}),
      ...(flags.quiet
        ? {}
        : {
            onView: (l) => view.line(l),
            onProgress: (p) => view.progress(p),
            onSegmentEnd: () => view.clearProgress(),
          }),
    });
    inject = run.inject;
    for (const i of early.splice(0)) run.inject(i);
    // Ctrl-C ends the run cleanly: files are still written and rtc-node released.
    const onSigint = () => run.stop();
    process.on('SIGINT', onSigint);
    if (live) print('speechcharts: serving room input after the scenario; Ctrl-C to leave');
    let result: ScenarioResult;
    try {
      // Virtual time must not run ahead of the VAD, which runs on real threads.
      if (flags.virtual) await run.voiceReady;
      result = await parts.drive(run.result);
    } finally {
      process.off('SIGINT', onSigint);
      view.end();
    }

    const files = await writeOutputs(result, parts, flags.out, prepared);
    if (room) await room.disconnect().catch(() => {});
    room = undefined;
    await parts.release();
    // performance.now() counts from process start: module loading and espeak-ng included.
    const wall = performance.now();
    for (const l of formatSummary(result, { files, parts: `${parts.description}; wall time ${(wall / 1000).toFixed(2)} s` })) print(l);
    if (prepared) for (const l of await voiceSummary(result, flags.out)) print(l);

    if (inspector) {
      print(`speechcharts: the inspector keeps serving the run at ${inspector.url}; Ctrl-C to quit`);
      await untilInterrupted();
    }
    if (result.status === 'timedOut') return 3;
    if (result.status === 'stopped' && !flags.room) return 130;
    return 0;
  } finally {
    if (room) await room.disconnect().catch(() => {});
    if (inspector) await inspector.close().catch(() => {});
    await parts.release();
    // The user audio went through rtc-node's resampler, which keeps the process alive until released.
    if (prepared) await (await import('../adapters/rtc-audio-output.js')).disposeRtc();
  }
}

/** What the barge-in policy did, and what the recording shows of it (silences inside heard.wav). */
async function voiceSummary(result: ScenarioResult, outDir: string): Promise<string[]> {
  const { decodeWav } = await import('../adapters/wav.js');
  const { silentGaps } = await import('../voice/audio-analysis.js');
  const out = ['  user voice:'];
  for (const e of result.userSpeech) out.push(`    VAD ${e.type === 'speechStart' ? 'speech start' : 'speech end  '} at +${e.atMs.toFixed(0)} ms (reported at +${e.detectedAtMs.toFixed(0)} ms)`);
  for (const a of result.bargeIn) {
    const at = `+${a.atMs.toFixed(0)} ms`;
    if (a.type === 'paused') out.push(`    ${at} barge-in: ${a.speechId} held`);
    else if (a.type === 'resumed') out.push(`    ${at} barge-in: ${a.speechId} resumed (${a.reason === 'falseInterruption' ? 'no words came: a false interruption' : 'closing'})`);
    else if (a.type === 'interrupted') out.push(`    ${at} barge-in: the user's words interrupt ${a.speechId ?? 'nothing'}`);
    else if (a.type === 'userTurnCommitted') out.push(`    ${at} end of the user's turn: generateReply({ userInput: “${a.text}” }) → ${a.speechId}`);
    else out.push(`    ${at} user turn dropped (${a.reason}): “${a.text}”`);
  }
  try {
    const wav = decodeWav(await readFile(join(outDir, 'heard.wav')));
    const gaps = silentGaps(wav.samples, wav.sampleRate, { channels: wav.channels, minMs: 400 });
    const total = wav.samples.length / wav.channels / wav.sampleRate;
    out.push(`    heard.wav: ${total.toFixed(2)} s; silences ≥ 0.4 s: ${gaps.length ? gaps.map((g) => `${g.startSec.toFixed(2)}–${g.endSec.toFixed(2)} s (${g.durationSec.toFixed(2)} s)`).join(', ') : 'none'}`);
  } catch {
    /* no recording to look at */
  }
  return out;
}

async function writeOutputs(result: ScenarioResult, parts: Parts, outDir: string, userAudio?: PreparedUserAudio): Promise<SummaryFile[]> {
  const rel = (p: string) => relative(process.cwd(), p) || p;
  const wavPath = join(outDir, 'heard.wav');
  const tracePath = join(outDir, 'trace.jsonl');
  const svgPath = join(outDir, 'timeline.svg');
  const seconds = await parts.writeWav(wavPath);
  await writeFile(tracePath, result.trace.map((r) => JSON.stringify(r)).join('\n') + '\n');
  await writeFile(svgPath, renderTimelineSvg(result.timeline));
  const files: SummaryFile[] = [
    { path: rel(wavPath), what: `${seconds.toFixed(2)} s: what the listener heard` },
    { path: rel(tracePath), what: `${result.trace.length} inspection records (speechcharts inspect ${rel(tracePath)})` },
    { path: rel(svgPath), what: `one lane per actor, state spans coloured${result.timeline.marks.some((m) => m.kind === 'interrupt') ? ', the interrupt marked' : ''}` },
  ];
  if (userAudio) {
    const { encodeWav, decodeWav } = await import('../adapters/wav.js');
    const { mixTrack, resampleLinear } = await import('../voice/user-audio-synth.js');
    const userPath = join(outDir, 'user.wav');
    const mixPath = join(outDir, 'conversation.wav');
    await writeFile(userPath, encodeWav(userAudio.samples, userAudio.sampleRate, 1));
    // heard.wav starts with the first segment: place it there, beside the user's track.
    const heard = decodeWav(await readFile(wavPath));
    const mono = heard.channels === 1 ? heard.samples : heard.samples.filter((_, i) => i % heard.channels === 0);
    const rate = heard.sampleRate;
    const mix = mixTrack(
      [
        { atMs: result.segments[0]?.startMs ?? 0, samples: mono },
        { atMs: 0, samples: resampleLinear(userAudio.samples, userAudio.sampleRate, rate) },
      ],
      rate,
    );
    await writeFile(mixPath, encodeWav(mix, rate, 1));
    files.push({ path: rel(userPath), what: `${(userAudio.samples.length / userAudio.sampleRate).toFixed(2)} s: the user's microphone (${userAudio.clips.map((c) => c.label).join(', ')})` });
    files.push({ path: rel(mixPath), what: `${(mix.length / rate).toFixed(2)} s: agent and user together, in time` });
  }
  return files;
}

// Run only as the program (also through the npm bin symlink), not when imported: tests import `main`.
if (isMain()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      if (e instanceof CliError) printErr(e.message);
      else printErr(`speechcharts: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exitCode = e instanceof CliError ? e.exitCode : 1;
    },
  );
}

function isMain(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
