import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
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
import { CliError, print, untilInterrupted } from './cli-output.js';
import { ROOM_INPUT_FLAGS, roomInputPolicyFromFlags } from './room-input-flags.js';
import type { RoomInputPolicyOptions } from '../adapters/room-input-policy.js';


interface RunFlags {
  out: string;
  virtual: boolean;
  room: boolean;
  roomName: string;
  identity: string;
  connectTimeoutMs: number;
  /** Who may talk to the agent through the room, and its description for the startup line. */
  roomInput: { options: RoomInputPolicyOptions; description: string };
  once: boolean;
  inspect: boolean;
  /** --trace-no-text: conversation text stays out of the trace file and the inspector. */
  traceText: boolean;
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
        ...ROOM_INPUT_FLAGS,
        once: { type: 'boolean' },
        inspect: { type: 'boolean' },
        'trace-no-text': { type: 'boolean' },
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
      roomInput: roomInputPolicyFromFlags(v, v.room === true),
      once: v.once === true,
      inspect: v.inspect === true,
      traceText: v['trace-no-text'] !== true,
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

/**
 * `speechcharts run <scenario.json> [options]`: runs a scenario on real audio (or `--virtual`),
 * prints the live view and the summary, writes the files. Returns the exit status.
 * @example process.exitCode = await runCommand(['examples/tool-preamble-interrupt.json', '--virtual']);
 */
export async function runCommand(args: string[]): Promise<number> {
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
  let inspector: import('../inspect/inspector-server.js').InspectorServer | undefined;
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
          inputPolicy: flags.roomInput.options,
          onRefused: (r) => (flags.quiet ? print(`speechcharts: ${r.message}`) : view.line({ t: 0, who: 'room', what: r.message, tone: 'warn' })),
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
      print(`speechcharts: room input ${flags.roomInput.description}`);
      // A token for a person to listen and type, e.g. in LiveKit Meet (custom server) or the agents playground.
      const token = await mintToken({ ...env, identity: 'listener', room: flags.roomName });
      const allowed = flags.roomInput.options.allowedIdentities;
      const listens = allowed && !allowed.includes('listener') ? ' (to listen only: "listener" is not an --allow-identity)' : '';
      print(`speechcharts: to join as "listener"${listens}: ${env.url.replace(/^ws/, 'http')} with token ${token}`);
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
      inspector = await createInspectorServer({ title: scenario.name, conversationText: flags.traceText });
      print(`speechcharts: inspector (live) at ${inspector.url}`);
    }
    const run = startScenario(scenario, {
      ...(inspector ? { inspect: inspector.inspect } : {}),
      trace: { conversationText: flags.traceText },
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
    else if (a.type === 'resumed') out.push(`    ${at} barge-in: ${a.speechId} resumed (${a.reason === 'falseInterruption' ? 'no words came: a false interruption' : a.reason === 'tooShort' ? 'voiced less than the minimum duration: a noise' : a.reason === 'released' ? 'it can no longer be held' : 'closing'})`);
    else if (a.type === 'falseInterruption') out.push(`    ${at} agent_false_interruption { resumed: ${a.resumed} }`);
    else if (a.type === 'userTurnDeclined') out.push(`    ${at} user turn declined (${a.words} word(s), below the minimum; kept for the next): “${a.text}”`);
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
    {
      path: rel(svgPath),
      what: `one lane per actor, state spans coloured${result.timeline.marks.some((m) => m.kind === 'interrupt') ? ', the interrupt marked' : ''}${result.timeline.marks.some((m) => m.kind === 'handoff') ? ', each handoff marked' : ''}`,
    },
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
