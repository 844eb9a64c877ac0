import { stt as lk, type APIConnectOptions, type VAD as LiveKitVAD } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { realClock, type Clock } from '../ports/clock.js';
import type { SpeechData, SpeechEvent, SpeechEventType, STT } from '../voice/stt.js';
import { VAD_SAMPLE_RATE } from '../voice/vad.js';
import { InvalidArgumentError, LiveKitPluginError } from '../errors.js';
import { ensureLiveKitLogger } from './livekit-logger.js';
import { PluginFailures, type FailureWatch } from './plugin-failure.js';

export interface FromLiveKitSTTOptions {
  /** The session's clock: event times and transcript times are read on it. Default: the wall clock. */
  clock?: Clock;
  /** Required for a plugin that cannot stream: LiveKit's `stt.StreamAdapter` cuts the audio at its speech boundaries. */
  vad?: LiveKitVAD;
  /**
   * Told when the plugin fails beyond its retries (a {@link LiveKitPluginError}; the stream is then
   * closed) or a listener throws. Default: logged with console.error.
   */
  onError?: (e: unknown) => void;
  connOptions?: APIConnectOptions;
}

const TYPES: Partial<Record<lk.SpeechEventType, SpeechEventType>> = {
  [lk.SpeechEventType.START_OF_SPEECH]: 'start_of_speech',
  [lk.SpeechEventType.INTERIM_TRANSCRIPT]: 'interim_transcript',
  [lk.SpeechEventType.FINAL_TRANSCRIPT]: 'final_transcript',
  [lk.SpeechEventType.END_OF_SPEECH]: 'end_of_speech',
};

/**
 * speechcharts' STT on a LiveKit STT plugin (`@livekit/agents` 1.9 `stt.STT`, e.g. Deepgram): the
 * user's audio (`pushAudio`, 16 kHz mono) goes into the plugin's `SpeechStream` as rtc-node
 * AudioFrames, opened at the first audio; its START_OF_SPEECH, INTERIM_TRANSCRIPT,
 * FINAL_TRANSCRIPT and END_OF_SPEECH events come back as speechcharts {@link SpeechEvent}s, their
 * times on `clock`. A streaming STT finds speech boundaries itself, so the VAD's are not passed on.
 * `close()` closes the stream (and its socket) at once.
 * @example
 * import * as deepgram from '@livekit/agents-plugin-deepgram';
 * const stt = fromLiveKitSTT(new deepgram.STT({ model: 'nova-3' }), { clock });
 * attachVoiceInput(session, { clock, source, stt });
 */
export function fromLiveKitSTT(plugin: lk.STT, o: FromLiveKitSTTOptions = {}): STT {
  if (!(plugin instanceof lk.STT)) throw new InvalidArgumentError('fromLiveKitSTT: expected an stt.STT from @livekit/agents (e.g. new deepgram.STT(...)); a second copy of @livekit/agents in node_modules also fails this check: keep it a single peer dependency');
  if (!plugin.capabilities.streaming && !o.vad) throw new InvalidArgumentError(`fromLiveKitSTT: ${plugin.label} cannot stream; pass { vad } (e.g. await silero.VAD.load()) so LiveKit's StreamAdapter can cut the audio`);
  return new LiveKitSTTBridge(plugin, o);
}

class LiveKitSTTBridge implements STT {
  private readonly streaming: lk.STT;
  private readonly failures: PluginFailures;
  private readonly clock: Clock;
  private readonly label: string;
  private readonly listeners = new Set<(ev: SpeechEvent) => void>();
  private stream: lk.SpeechStream | undefined;
  private watch: FailureWatch | undefined;
  /** Clock time (ms) of the stream's first sample: the plugin's times are seconds from it. */
  private originMs = 0;
  private closed = false;

  constructor(
    plugin: lk.STT,
    private readonly o: FromLiveKitSTTOptions,
  ) {
    this.clock = o.clock ?? realClock;
    this.label = plugin.label;
    this.streaming = plugin.capabilities.streaming ? plugin : new lk.StreamAdapter(plugin, o.vad!);
    this.failures = new PluginFailures(plugin, plugin.label);
    if (this.streaming !== plugin) new PluginFailures(this.streaming, this.streaming.label); // it re-emits the plugin's
  }

  speechStarted(): void {}

  speechEnded(): void {}

  pushAudio(samples: Int16Array, atMs: number): void {
    if (this.closed || samples.length === 0) return;
    const stream = this.stream ?? this.open(atMs);
    try {
      // The frame may keep the array: give it its own copy.
      stream.pushFrame(new AudioFrame(samples.slice(), VAD_SAMPLE_RATE, 1, samples.length));
    } catch (e) {
      // The plugin closed its stream on its own: the caller's audio (and its VAD) must go on.
      this.report(new LiveKitPluginError(this.label, e));
      this.close();
    }
  }

  onEvent(listener: (ev: SpeechEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watch?.off();
    this.stream?.close();
  }

  private open(atMs: number): lk.SpeechStream {
    ensureLiveKitLogger();
    this.originMs = atMs;
    const stream = this.streaming.stream(this.o.connOptions ? { connOptions: this.o.connOptions } : undefined);
    this.stream = stream;
    this.watch = this.failures.watch(() => {
      this.report(this.watch!.failure);
      this.close();
    });
    void this.read(stream).catch((e: unknown) => this.report(e));
    return stream;
  }

  private report(e: unknown): void {
    (this.o.onError ?? ((x: unknown) => console.error('[speechcharts] LiveKit STT:', x)))(e);
  }

  private async read(stream: lk.SpeechStream): Promise<void> {
    for await (const ev of stream) {
      if (this.closed) return;
      const type = TYPES[ev.type];
      if (!type) continue; // usage reports, preflight transcripts
      const alternatives = (ev.alternatives ?? []).map((a): SpeechData => ({
        text: a.text,
        language: a.language,
        confidence: a.confidence,
        startMs: this.originMs + a.startTime * 1000,
        endMs: this.originMs + a.endTime * 1000,
      }));
      const out: SpeechEvent = { type, atMs: this.clock.now(), alternatives: type === 'interim_transcript' || type === 'final_transcript' ? alternatives : [] };
      for (const l of [...this.listeners]) l(out);
    }
  }
}
