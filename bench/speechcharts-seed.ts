/**
 * The speechcharts side of the side-by-side bench (bench/side-by-side.ts runs it in a child process).
 * Public API only: `speechcharts` (src/index.ts), `speechcharts/testing` (ScriptedLLM) and the
 * rtc-node adapter (src/adapters/rtc-audio-output.ts).
 *
 * Run alone: npx tsx bench/speechcharts-seed.ts --sink timer|rtc --frame-ms 20 --reps 40 --out /tmp/sc.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { AgentSession, tool, type AudioFrame, type TTS } from '../src/index.js';
import { ScriptedLLM } from '../src/testing/index.js';
import { args } from './lib/cli-args.js';
import { FIRST_INPUT, PREAMBLE, SECOND_INPUT, SECOND_REPLY, TOOL_NAME, MS_PER_CHAR, SAMPLE_RATE, synthesizeFrames, type SeedRun } from './lib/scenario.js';
import { runSeedReps, type Device } from './lib/seed-harness.js';
import { TimerPacedSink } from './sinks/timer-paced-sink.js';
import { rtcDevice } from './sinks/rtc-device.js';

const a = args({ sink: 'timer', 'frame-ms': '20', reps: '40', warmup: '3', out: '' });
const frameMs = Number(a['frame-ms']);
const errors: string[] = [];
const onError = (where: string, e: unknown) => errors.push(`${where}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
process.on('unhandledRejection', (e) => onError('unhandledRejection', e));

const rtc = a.sink === 'rtc' ? await import('../src/adapters/index.js') : null;

function makeDevice(): Device {
  if (rtc) return rtcDevice(rtc.RtcAudioOutput, SAMPLE_RATE);
  return { output: new TimerPacedSink(), close: async () => {} };
}

class BenchTTS implements TTS {
  readonly sampleRate = SAMPLE_RATE;
  readonly numChannels = 1;
  readonly charsPerSecond = 1000 / MS_PER_CHAR;
  synthesize(text: AsyncIterable<string>, { signal }: { signal: AbortSignal }): AsyncIterable<AudioFrame> {
    return synthesizeFrames(text, { frameMs, signal, make: (data, sampleRate, channels, samplesPerChannel) => ({ data, sampleRate, channels, samplesPerChannel }) });
  }
}

const samples = await runSeedReps({
  reps: Number(a.reps),
  warmup: Number(a.warmup),
  makeDevice,
  onError,
  makeDriver: (probe, output) => {
    const lookup = tool({
      description: 'Look up an order. Say a short preamble first.',
      async execute(_args, { ctx, abortSignal }) {
        probe.enter(abortSignal);
        await probe.waitForPlayout(() => ctx.waitForPlayout());
        return 'the order shipped';
      },
    });
    const llm = new ScriptedLLM({
      replies: [
        { when: { userInput: FIRST_INPUT }, reply: [PREAMBLE, { type: 'toolCall', callId: 'call_1', name: TOOL_NAME, arguments: '{}' }] },
        { when: { userInput: SECOND_INPUT }, reply: SECOND_REPLY },
        { when: { afterTool: TOOL_NAME }, reply: 'Your order shipped.' },
      ],
    });
    const session = new AgentSession({ llm, tts: new BenchTTS(), audioOutput: output, tools: { [TOOL_NAME]: lookup } });
    session.on('error', ({ error, source }) => onError(`session error (${source})`, error));
    return {
      start: () => session.start(),
      firstInput: () => void session.generateReply({ userInput: FIRST_INPUT }),
      interrupt: () => void session.interrupt().catch((e) => onError('interrupt', e)),
      secondInput: () => session.generateReply({ userInput: SECOND_INPUT }).waitForPlayout(),
      close: () => session.close(),
      toolOutputRecorded: () => session.history.some((i) => i.type === 'function_call_output' && i.callId === 'call_1'),
    };
  },
});

if (rtc) await rtc.disposeRtc();
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const run: SeedRun = { engine: 'speechcharts', engineVersion: pkg.version, sink: a.sink, frameMs, samples, errors };
if (a.out) writeFileSync(a.out, JSON.stringify(run));
else console.log(JSON.stringify(run, null, 1));
