/**
 * The agents-js side of the side-by-side bench: @livekit/agents 1.9.0 driven fully offline on the
 * same scenario, harness and devices as bench/speechcharts-seed.ts.
 *   LLM   voice.testing.FakeLLM (replies keyed by input, with content and toolCalls)
 *   TTS   Agent.ttsNode overridden to return the bench's PCM frames (same words → same audio)
 *   sink  voice.AudioOutput subclass over the same device (bench/sinks/agents-audio-output.ts)
 *   session.start({ agent }) without a room.
 *
 * Run alone (after `npm ci --prefix bench/anchors`):
 *   npx tsx bench/anchors/agents-js-seed.ts --sink timer|rtc --frame-ms 20 --reps 40 --out /tmp/ajs.json
 */
import { register } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { ReadableStream } from 'node:stream/web';

// One rtc-node in this process: the shared rtc sink resolves it from bench/anchors too.
register('./share-rtc-node.mjs', import.meta.url);

const { args } = await import('../lib/cli-args.js');
const { FIRST_INPUT, PREAMBLE, SECOND_INPUT, SECOND_REPLY, TOOL_NAME, SAMPLE_RATE, synthesizeFrames } = await import('../lib/scenario.js');
const { runSeedReps } = await import('../lib/seed-harness.js');
const { TimerPacedSink } = await import('../sinks/timer-paced-sink.js');
const { agentsAudioOutput } = await import('../sinks/agents-audio-output.js');
const { rtcDevice } = await import('../sinks/rtc-device.js');
const { voice, llm, initializeLogger } = await import('@livekit/agents');
const { AudioFrame } = await import('@livekit/rtc-node');
type SeedRun = import('../lib/scenario.js').SeedRun;
type Device = import('../lib/seed-harness.js').Device;

const a = args({ sink: 'timer', 'frame-ms': '20', reps: '40', warmup: '3', out: '', 'log-level': 'error' });
const frameMs = Number(a['frame-ms']);
const errors: string[] = [];
const onError = (where: string, e: unknown) => errors.push(`${where}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
process.on('unhandledRejection', (e) => onError('unhandledRejection', e));
initializeLogger({ pretty: false, level: a['log-level'] });

const rtc = a.sink === 'rtc' ? await import('../../src/adapters/rtc-audio-output.js') : null;

function makeDevice(): Device {
  if (rtc) return rtcDevice(rtc.RtcAudioOutput, SAMPLE_RATE);
  return { output: new TimerPacedSink(), close: async () => {} };
}

class BenchAgent extends voice.Agent {
  override async ttsNode(text: ReadableStream<string> | AsyncIterable<string>): Promise<ReadableStream<InstanceType<typeof AudioFrame>>> {
    const frames = synthesizeFrames(text as AsyncIterable<string>, {
      frameMs,
      make: (data, sampleRate, channels, samplesPerChannel) => new AudioFrame(data, sampleRate, channels, samplesPerChannel),
    });
    return new ReadableStream({
      async pull(controller) {
        const r = await frames.next();
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      },
      async cancel() {
        await frames.return(undefined);
      },
    });
  }
}

const samples = await runSeedReps({
  reps: Number(a.reps),
  warmup: Number(a.warmup),
  makeDevice,
  onError,
  makeDriver: (probe, output) => {
    const fake = new voice.testing.FakeLLM([
      { input: FIRST_INPUT, content: PREAMBLE, toolCalls: [{ name: TOOL_NAME, args: {} }] },
      { input: SECOND_INPUT, content: SECOND_REPLY },
      { input: '"the order shipped"', content: 'Your order shipped.' },
    ]);
    const agent = new BenchAgent({
      instructions: 'bench',
      tools: {
        [TOOL_NAME]: llm.tool({
          description: 'Look up an order. Say a short preamble first.',
          execute: async (_args: unknown, { ctx, abortSignal }: { ctx: { waitForPlayout(): Promise<unknown> }; abortSignal?: AbortSignal }) => {
            probe.enter(abortSignal);
            await probe.waitForPlayout(() => ctx.waitForPlayout());
            return 'the order shipped';
          },
        }),
      },
    });
    const session = new voice.AgentSession({ llm: fake });
    session.output.audio = agentsAudioOutput(voice.AudioOutput, output, SAMPLE_RATE);
    let closed: Promise<void> | null = null;
    return {
      start: () => session.start({ agent }),
      firstInput: () => void session.generateReply({ userInput: FIRST_INPUT }),
      interrupt: () => {
        const f = session.interrupt();
        void f.await.catch((e: unknown) => onError('interrupt', e));
      },
      secondInput: () => session.generateReply({ userInput: SECOND_INPUT }).waitForPlayout(),
      close: () => (closed ??= session.close()),
      toolOutputRecorded: () =>
        agent.chatCtx.items.some((i) => i.type === 'function_call_output' && (i as { callId: string }).callId === 'fake_call_0'),
    };
  },
});

if (rtc) await rtc.disposeRtc();
const pkg = JSON.parse(readFileSync(new URL('./node_modules/@livekit/agents/package.json', import.meta.url), 'utf8')) as { version: string };
const run: SeedRun = { engine: 'agents-js', engineVersion: pkg.version, sink: a.sink, frameMs, samples, errors };
if (a.out) writeFileSync(a.out, JSON.stringify(run));
else console.log(JSON.stringify(run, null, 1));
