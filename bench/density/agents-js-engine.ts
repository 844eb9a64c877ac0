/**
 * The agents-js side of the density bench: per session a `voice.AgentSession` of @livekit/agents
 * (main's devDependency, 1.9) driven offline as bench/anchors/agents-js-seed.ts does, with
 *   VAD     `silero.VAD.load()` of @livekit/agents-plugin-silero, loaded once (the prewarm), one
 *           stream (own model state) per session, run by onnxruntime-node
 *   input   `session.input.audio`: a `voice.AudioInput` over the rtc-node microphone stream
 *   turns   turnDetection 'vad' (without it 1.9 provisions LiveKit's cloud turn detector), no STT
 *   LLM     `voice.testing.FakeLLM`: the fixed reply after the fixed delay
 *   TTS     `Agent.ttsNode` yielding the bench's tone frames (same audio per character)
 *   output  `voice.AudioOutput` over speechcharts' RtcAudioOutput (bench/sinks/agents-audio-output.ts)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { initializeLogger, voice } from '@livekit/agents';
import * as silero from '@livekit/agents-plugin-silero';
import { AudioFrame } from '@livekit/rtc-node';
import { SAMPLE_RATE, synthesizeFrames } from '../lib/scenario.js';
import { agentsAudioOutput } from '../sinks/agents-audio-output.js';
import { LLM_DELAY_MS, REPLY, type Engine, type EngineSession, type EngineSessionOptions } from './engine.js';

// The package's exports hide its package.json: find it from the entry point.
const entry = createRequire(import.meta.url).resolve('@livekit/agents');
const version = (JSON.parse(readFileSync(join(entry.slice(0, entry.lastIndexOf('/dist/')), 'package.json'), 'utf8')) as { version: string }).version;

/** The user's microphone stream as agents-js's audio input. */
class MicInput extends voice.AudioInput {
  constructor(mic: ReadableStream<AudioFrame>) {
    super();
    this.multiStream.addInputStream(mic as unknown as Parameters<typeof this.multiStream.addInputStream>[0]);
  }
}

class ToneAgent extends voice.Agent {
  constructor(private readonly frameMs: number) {
    super({ instructions: 'density bench' });
  }
  override async ttsNode(text: NodeReadableStream<string>): Promise<NodeReadableStream<AudioFrame>> {
    const frames = synthesizeFrames(text as AsyncIterable<string>, {
      frameMs: this.frameMs,
      make: (data, sampleRate, channels, samplesPerChannel) => new AudioFrame(data, sampleRate, channels, samplesPerChannel),
    });
    return new NodeReadableStream({
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

let vad: Awaited<ReturnType<typeof silero.VAD.load>> | undefined;

/** agents-js 1.9, as the density bench drives it. */
export const agentsJsEngine: Engine = {
  name: 'agents-js',
  version,
  describe: 'silero.VAD.load() (@livekit/agents-plugin-silero, silero_vad.onnx on onnxruntime-node, 1 intra-op thread; one session shared, one stream per user; inference on the main thread) after the plugin rtc-node AudioResampler 48→16 kHz (QUICK); turn detection "vad", endpointing 500 ms; no STT (the turn commits an empty transcript)',
  async prepare() {
    initializeLogger({ pretty: false, level: 'error' });
    vad ??= await silero.VAD.load();
  },
  async startSession(o: EngineSessionOptions): Promise<EngineSession> {
    if (!vad) throw new Error('agentsJsEngine.prepare() must run before startSession()');
    const llm = new voice.testing.FakeLLM([{ input: '', content: REPLY, ttft: LLM_DELAY_MS }]);
    const session = new voice.AgentSession({ vad, llm, turnHandling: { turnDetection: 'vad' } });
    session.on(voice.AgentSessionEventTypes.Error, (e) => o.onError('session', e.error));
    session.input.audio = new MicInput(o.mic);
    session.output.audio = agentsAudioOutput(voice.AudioOutput, o.output, SAMPLE_RATE);
    await session.start({ agent: new ToneAgent(o.frameMs) });
    return { close: () => session.close() };
  },
};
