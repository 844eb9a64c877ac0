import { tokenize, tts as lk } from '@livekit/agents';
import { AudioResampler } from '@livekit/rtc-node';
import type { AudioFrame } from '../ports/audio-frame.js';
import type { TTS } from '../ports/tts.js';
import { InvalidArgumentError } from '../errors.js';
import { ensureLiveKitLogger } from './livekit-logger.js';
import { PluginFailures } from './plugin-failure.js';
import { containChunkedStreamRejections } from './chunked-stream-rejections.js';

export interface FromLiveKitTTSOptions {
  /** Rate of the frames handed to speechcharts (the audio output's rate). Default: the plugin's. */
  sampleRate?: number;
  /** Splits text into sentences for a plugin that cannot stream (wrapped in `tts.StreamAdapter`). Default: LiveKit's basic tokenizer. */
  sentenceTokenizer?: tokenize.SentenceTokenizer;
}

/**
 * speechcharts' TTS port on a LiveKit TTS plugin (`@livekit/agents` 1.9 `tts.TTS`): the step's text
 * is pushed into the plugin's `stream()` (a plugin that cannot stream, such as OpenAI's, is wrapped
 * in LiveKit's `tts.StreamAdapter`, which synthesizes sentence by sentence) and its frames come back,
 * resampled when `sampleRate` differs from the plugin's. The abort signal closes the plugin's stream
 * at once, which closes its request or socket.
 *
 * Upstream workaround: for a non-streaming plugin, the plugin instance's `synthesize` is shadowed once
 * (see `containChunkedStreamRejections`) because agents' `ChunkedStream` (1.9.0) drops its task's
 * promise: the OpenAI TTS (1.9.0) aborted before its response headers, or failing, would otherwise end
 * in an unhandled rejection. Our own abort then ends the request quietly; a genuine failure still
 * fails the speech (`LiveKitPluginError`).
 * @example
 * import * as openai from '@livekit/agents-plugin-openai';
 * const tts = fromLiveKitTTS(new openai.TTS({ voice: 'alloy' })); // 24 kHz mono
 * const session = new AgentSession({ llm, tts, audioOutput: new RtcAudioOutput({ sampleRate: tts.sampleRate }) });
 */
export function fromLiveKitTTS(plugin: lk.TTS, o: FromLiveKitTTSOptions = {}): TTS {
  if (!(plugin instanceof lk.TTS)) throw new InvalidArgumentError('fromLiveKitTTS: expected a tts.TTS from @livekit/agents (e.g. new openai.TTS(...)); a second copy of @livekit/agents in node_modules also fails this check: keep it a single peer dependency');
  const sampleRate = o.sampleRate ?? plugin.sampleRate;
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new InvalidArgumentError(`fromLiveKitTTS: sampleRate must be a positive integer, got ${String(o.sampleRate)}`);
  const streaming = plugin.capabilities.streaming ? plugin : new lk.StreamAdapter(plugin, o.sentenceTokenizer ?? new tokenize.basic.SentenceTokenizer());
  if (streaming !== plugin) containChunkedStreamRejections(plugin);
  // The adapter re-emits its plugin's failures, which are watched on the plugin itself.
  if (streaming !== plugin) new PluginFailures(streaming, streaming.label);
  const failures = new PluginFailures(plugin, plugin.label);
  return {
    sampleRate,
    numChannels: plugin.numChannels,
    synthesize: (text, { signal }) => synthesize(streaming, failures, sampleRate, text, signal),
  };
}

async function* synthesize(streaming: lk.TTS, failures: PluginFailures, sampleRate: number, text: AsyncIterable<string>, signal: AbortSignal): AsyncGenerator<AudioFrame> {
  if (signal.aborted) return;
  ensureLiveKitLogger();
  const stream = streaming.stream();
  const close = () => stream.close();
  signal.addEventListener('abort', close, { once: true });
  const watch = failures.watch(close);
  let textError: { error: unknown } | undefined;
  // The text is fed while the audio is read: the plugin may speak the first sentence before the LLM is done.
  const feeding = (async () => {
    for await (const t of text) {
      if (signal.aborted || textError) return;
      if (t !== '') stream.pushText(t);
    }
    if (!signal.aborted) stream.endInput();
  })().catch((error: unknown) => {
    textError = { error };
    stream.close();
  });
  let resampler: AudioResampler | undefined;
  try {
    for await (const ev of stream) {
      if (ev === lk.SynthesizeStream.END_OF_STREAM) break;
      const f = ev.frame;
      if (f.sampleRate === sampleRate) {
        yield f;
        continue;
      }
      if (!resampler || resampler.inputRate !== f.sampleRate) {
        resampler?.close();
        resampler = new AudioResampler(f.sampleRate, sampleRate, f.channels);
      }
      for (const out of resampler.push(f)) yield out;
    }
    if (resampler && !signal.aborted) for (const out of resampler.flush()) yield out;
    if (!signal.aborted) watch.throwIfFailed();
    await feeding;
    if (textError) throw textError.error;
  } finally {
    signal.removeEventListener('abort', close);
    watch.off();
    stream.close();
    resampler?.close();
  }
}
