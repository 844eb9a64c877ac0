/**
 * The speechcharts side of the density bench: per session an `AgentSession` (FakeLLM, a tone TTS,
 * `RtcAudioOutput`) with `attachVoiceInput` on the rtc-node microphone stream: rtc-node's
 * `AudioResampler` (48 → 16 kHz), its own `SileroVAD` (`@livekit/local-inference`, one model state
 * per stream), the barge-in policy and the user-turn machine ('vad' turn detection, LiveKit's
 * default endpointing), and a fake STT that names every speech.
 */
import { readFileSync } from 'node:fs';
import { AgentSession, realClock, type AudioFrame, type TTS } from '../../src/index.js';
import { FakeLLM } from '../../src/testing/fake-llm.js';
import { attachVoiceInput } from '../../src/voice/voice-input.js';
import { SileroVAD } from '../../src/voice/vad.js';
import { MS_PER_CHAR, SAMPLE_RATE, synthesizeFrames } from '../lib/scenario.js';
import { FixedTranscriptSTT } from './fixed-transcript-stt.js';
import { LLM_DELAY_MS, REPLY, USER_TRANSCRIPT, type Engine, type EngineSession, type EngineSessionOptions } from './engine.js';

class ToneTTS implements TTS {
  readonly sampleRate = SAMPLE_RATE;
  readonly numChannels = 1;
  readonly charsPerSecond = 1000 / MS_PER_CHAR;
  constructor(private readonly frameMs: number) {}
  synthesize(text: AsyncIterable<string>, { signal }: { signal: AbortSignal }): AsyncIterable<AudioFrame> {
    return synthesizeFrames(text, { frameMs: this.frameMs, signal, make: (data, sampleRate, channels, samplesPerChannel) => ({ data, sampleRate, channels, samplesPerChannel }) });
  }
}

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** speechcharts, as the density bench drives it. */
export const speechchartsEngine: Engine = {
  name: 'speechcharts',
  version,
  describe: 'SileroVAD (@livekit/local-inference 0.2.7, native, one model state per stream; inference on the libuv pool) after rtc-node AudioResampler 48→16 kHz; turn detection "vad", endpointing 500 ms; fake STT (final transcript at the VAD end of speech)',
  async prepare() {
    // Loads the native model once (what the first session would otherwise pay).
    new SileroVAD();
  },
  async startSession(o: EngineSessionOptions): Promise<EngineSession> {
    const llm = new FakeLLM([{ input: USER_TRANSCRIPT, content: REPLY, ttft: LLM_DELAY_MS }]);
    const session = new AgentSession({ llm, tts: new ToneTTS(o.frameMs), audioOutput: o.output, instructions: 'density bench' });
    session.on('error', (e) => o.onError(`session (${e.source})`, e.error));
    await session.start();
    const voice = attachVoiceInput(session, {
      clock: realClock,
      source: o.mic,
      vad: new SileroVAD(),
      stt: new FixedTranscriptSTT(realClock, USER_TRANSCRIPT),
      onError: (e) => o.onError('voice input', e),
    });
    return {
      async close() {
        voice.close();
        await session.close();
      },
    };
  },
};
