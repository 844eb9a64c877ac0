import { VAD as LiveKitVAD, VADEventType, type VADEvent as LiveKitVADEvent, type VADStream } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { InvalidArgumentError, LiveKitPluginError } from '../errors.js';
import { VAD_SAMPLE_RATE, type VAD, type VADEvent } from '../voice/vad.js';
import { ensureLiveKitLogger } from './livekit-logger.js';

/**
 * speechcharts' VAD on a LiveKit VAD plugin (`@livekit/agents` 1.9 `VAD`, e.g. `silero.VAD`): the
 * samples go into the plugin's `VADStream` in frames of one inference window (512 samples, 32 ms)
 * and each `push` resolves once the plugin has run all of them (it reports each as INFERENCE_DONE),
 * with the START_OF_SPEECH and END_OF_SPEECH it found, in speechcharts' audio time: `detectedAtMs`
 * where the deciding window ended, `atMs` that minus the speech (or silence) the plugin had
 * accumulated. Whole windows only: the Silero plugin (1.9.0) miscounts the samples a frame leaves
 * over after a window (it halves them), so other frame sizes make it fall behind the audio.
 * @example
 * import * as silero from '@livekit/agents-plugin-silero';
 * attachVoiceInput(session, { clock, source, stt, vad: fromLiveKitVAD(await silero.VAD.load()) });
 */
export function fromLiveKitVAD(plugin: LiveKitVAD): VAD {
  if (!(plugin instanceof LiveKitVAD)) throw new InvalidArgumentError('fromLiveKitVAD: expected a VAD from @livekit/agents (e.g. await silero.VAD.load()); a second copy of @livekit/agents in node_modules also fails this check: keep it a single peer dependency');
  return new LiveKitVADBridge(plugin);
}

/** Samples per frame pushed: one Silero window at 16 kHz (and two 8 kHz windows' worth of input). */
const FRAME = 512;

class LiveKitVADBridge implements VAD {
  private stream: VADStream | undefined;
  /** Samples sent to the plugin, and samples it has run windows over (counted from its INFERENCE_DONE frames). */
  private sent = 0;
  private processed = 0;
  /** Samples waiting for a whole frame. */
  private pending = new Int16Array(FRAME);
  private pendingLength = 0;
  private speaking = false;
  private silenceMs = 0;
  private found: VADEvent[] = [];
  private waiter: (() => void) | undefined;
  private failure: { error: unknown } | undefined;
  private busy = false;

  constructor(private readonly plugin: LiveKitVAD) {}

  async push(samples: Int16Array): Promise<VADEvent[]> {
    if (this.busy) throw new InvalidArgumentError('fromLiveKitVAD: push() called before the previous push finished');
    if (this.failure) throw this.failure.error;
    this.busy = true;
    try {
      let at = 0;
      while (at < samples.length) {
        const n = Math.min(FRAME - this.pendingLength, samples.length - at);
        this.pending.set(samples.subarray(at, at + n), this.pendingLength);
        this.pendingLength += n;
        at += n;
        if (this.pendingLength < FRAME) break;
        const stream = this.stream ?? this.open();
        stream.pushFrame(new AudioFrame(this.pending, VAD_SAMPLE_RATE, 1, FRAME));
        this.pending = new Int16Array(FRAME); // the frame keeps the array
        this.pendingLength = 0;
        this.sent += FRAME;
      }
      await this.caughtUp();
      const out = this.found;
      this.found = [];
      return out;
    } finally {
      this.busy = false;
    }
  }

  flush(): VADEvent[] {
    const out = this.found;
    this.found = [];
    if (this.speaking) {
      const at = this.ms(this.processed);
      out.push({ type: 'speechEnd', atMs: at - this.silenceMs, detectedAtMs: at });
      this.speaking = false;
      this.silenceMs = 0;
    }
    return out;
  }

  reset(): void {
    this.stream?.close();
    this.stream = undefined;
    this.sent = this.processed = this.silenceMs = this.pendingLength = 0;
    this.speaking = false;
    this.found = [];
    this.failure = undefined;
  }

  private ms(samples: number): number {
    return (samples * 1000) / VAD_SAMPLE_RATE;
  }

  private open(): VADStream {
    ensureLiveKitLogger();
    const stream = this.plugin.stream();
    this.stream = stream;
    void this.read(stream).catch((error: unknown) => {
      if (this.stream !== stream) return; // reset() closed it
      this.failure = { error };
      this.wake();
    });
    return stream;
  }

  /** Resolves once the plugin has run every frame sent (or the stream failed). */
  private caughtUp(): Promise<void> {
    if (this.processed >= this.sent || this.failure) return Promise.resolve();
    return new Promise<void>((resolve) => (this.waiter = resolve)).then(() => {
      if (this.failure) throw this.failure.error;
    });
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = undefined;
    // A window's START/END_OF_SPEECH follow its INFERENCE_DONE in the same synchronous burst:
    // settle after them, once the events already written have been read.
    setImmediate(w);
  }

  private async read(stream: VADStream): Promise<void> {
    for await (const ev of stream) {
      if (this.stream !== stream) return;
      this.onEvent(ev);
    }
    // Ended without reset(): the plugin closed it (its inference failed). A waiting push must not hang.
    if (this.stream === stream) throw new LiveKitPluginError(this.plugin.label, new Error('its VAD stream ended'));
  }

  private onEvent(ev: LiveKitVADEvent): void {
    if (ev.type === VADEventType.INFERENCE_DONE) {
      this.processed += ev.frames[0]?.samplesPerChannel ?? FRAME;
      this.silenceMs = ev.speaking ? ev.rawAccumulatedSilence : 0;
      if (this.processed >= this.sent) this.wake();
    } else if (ev.type === VADEventType.START_OF_SPEECH) {
      const at = this.ms(this.processed);
      this.speaking = true;
      this.found.push({ type: 'speechStart', atMs: Math.max(0, at - ev.speechDuration), detectedAtMs: at });
    } else if (ev.type === VADEventType.END_OF_SPEECH) {
      const at = this.ms(this.processed);
      this.speaking = false;
      this.found.push({ type: 'speechEnd', atMs: Math.max(0, at - ev.silenceDuration), detectedAtMs: at });
    }
  }
}
