import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { AudioFrame as RtcAudioFrame, AudioResampler } from '@livekit/rtc-node';
import { abortableIterate } from '../runtime/abortable-iterate.js';
import type { AudioFrame } from '../ports/audio-frame.js';
import { InvalidArgumentError, SpeechchartsError } from '../errors.js';
import type { TTS } from '../ports/tts.js';
import { parseWavHeader, pcmToInt16, type WavHeader } from './wav.js';
import { FrameChunker, samplesPerFrame } from './frame-chunker.js';
import { splitSentences } from './sentence-stream.js';

/** espeak-ng failed: it exited with an error, or wrote audio this adapter cannot read. */
export class EspeakError extends SpeechchartsError {
  /** Exit code, when the process exited on its own. */
  readonly exitCode: number | undefined;
  /** What espeak-ng wrote on stderr (trimmed, possibly cut). */
  readonly stderr: string;
  constructor(message: string, o: { exitCode?: number; stderr?: string; cause?: unknown } = {}) {
    super(message, { cause: o.cause });
    this.exitCode = o.exitCode;
    this.stderr = o.stderr ?? '';
  }
}

/** The espeak-ng binary could not be started (not installed, or not at the given path). */
export class EspeakNotFoundError extends EspeakError {
  readonly binary: string;
  constructor(binary: string, cause?: unknown) {
    super(`espeak-ng not found: could not run "${binary}" (install the espeak-ng package, or pass its path as \`binary\`)`, { cause });
    this.binary = binary;
  }
}

export interface EspeakTTSOptions {
  /** espeak-ng voice name. Default 'en-us'. */
  voice?: string;
  /** Speaking rate in words per minute. Default 175 (espeak-ng's own default). */
  speed?: number;
  /** Rate of the frames this TTS yields; espeak's 22050 Hz is resampled to it. Default 24000. */
  sampleRate?: number;
  /** Length of every yielded frame. Default 20. */
  frameMs?: number;
  /** Path or name of the espeak-ng binary. Default 'espeak-ng'. */
  binary?: string;
  /** Called with each espeak-ng child process as it starts (for logging, or to watch it in tests). */
  onSpawn?: (child: ChildProcess) => void;
}

const STDERR_LIMIT = 4096;

/**
 * True when the espeak-ng binary runs (a synchronous `--version` probe).
 * @example const tts = espeakAvailable() ? new EspeakTTS() : new SyntheticVoiceTTS();
 */
export function espeakAvailable(binary = 'espeak-ng'): boolean {
  try {
    const r = spawnSync(binary, ['--version'], { stdio: 'ignore', timeout: 5000 });
    return r.error === undefined && r.status === 0;
  } catch {
    return false;
  }
}

/**
 * Text to speech with the espeak-ng command line: one process per sentence, its WAV output
 * streamed as it is produced, resampled to `sampleRate`, cut into `frameMs` frames.
 *
 * Resampling uses rtc-node's native resampler: once it has run, the process only exits after
 * rtc-node's `dispose()` (see `disposeRtc()` in rtc-audio-output.ts). Use `sampleRate: 22050`
 * to avoid it.
 *
 * @example
 * const tts = new EspeakTTS({ voice: 'en-us', speed: 170 });
 * for await (const frame of tts.synthesize(textStream, { signal })) await out.captureFrame(frame);
 */
export class EspeakTTS implements TTS {
  readonly sampleRate: number;
  readonly numChannels = 1;
  readonly voice: string;
  readonly speed: number;
  readonly frameMs: number;
  readonly binary: string;
  /** English at `speed` words a minute: ~16 characters a second at 175 (measured with sox on espeak-ng 1.51). */
  get charsPerSecond(): number {
    return (this.speed * 16) / 175;
  }
  readonly #onSpawn: ((child: ChildProcess) => void) | undefined;
  readonly #samplesPerFrame: number;

  constructor(o: EspeakTTSOptions = {}) {
    this.voice = o.voice ?? 'en-us';
    this.speed = o.speed ?? 175;
    this.sampleRate = o.sampleRate ?? 24000;
    this.frameMs = o.frameMs ?? 20;
    this.binary = o.binary ?? 'espeak-ng';
    this.#onSpawn = o.onSpawn;
    if (!Number.isFinite(this.speed) || this.speed <= 0) throw new InvalidArgumentError(`EspeakTTS: speed must be a positive number of words per minute, got ${this.speed}`);
    if (!ESPEAK_VOICE.test(this.voice)) throw new InvalidArgumentError(`EspeakTTS: invalid voice name ${JSON.stringify(this.voice)}`);
    try {
      this.#samplesPerFrame = samplesPerFrame(this.sampleRate, this.frameMs);
    } catch (e) {
      throw new InvalidArgumentError(`EspeakTTS: ${(e as Error).message}`);
    }
  }

  /**
   * Speaks `text` sentence by sentence as it streams in. Ends (without error) once `signal` aborts,
   * after killing any running espeak-ng process. Throws {@link EspeakError} if espeak-ng fails.
   * @example for await (const frame of tts.synthesize(toStream('Hello there.'), { signal })) frames.push(frame);
   */
  async *synthesize(text: AsyncIterable<string>, o: { signal: AbortSignal }): AsyncGenerator<AudioFrame> {
    const { signal } = o;
    if (signal.aborted) return;
    const chunker = new FrameChunker(this.sampleRate, 1, this.#samplesPerFrame);
    let resampler: AudioResampler | undefined;
    try {
      for await (const sentence of splitSentences(abortableIterate(text, signal))) {
        for await (const pcm of this.#speak(sentence, signal)) {
          let samples = [pcm.samples];
          if (pcm.sampleRate !== this.sampleRate) {
            resampler ??= new AudioResampler(pcm.sampleRate, this.sampleRate, 1);
            if (resampler.inputRate !== pcm.sampleRate) throw new EspeakError(`espeak-ng changed its sample rate mid-stream (${resampler.inputRate} → ${pcm.sampleRate} Hz)`);
            samples = resampler.push(new RtcAudioFrame(pcm.samples, pcm.sampleRate, 1, pcm.samples.length)).map((f) => f.data);
          }
          for (const s of samples) {
            for (const frame of chunker.push(s)) {
              yield frame;
              if (signal.aborted) return;
            }
          }
        }
        if (signal.aborted) return;
      }
      if (resampler) {
        for (const f of resampler.flush()) for (const frame of chunker.push(f.data)) {
          yield frame;
          if (signal.aborted) return;
        }
      }
      const last = chunker.finish();
      if (last) yield last;
    } finally {
      resampler?.close();
    }
  }

  /** Runs espeak-ng on one sentence and yields its PCM as it arrives. */
  async *#speak(sentence: string, signal: AbortSignal): AsyncGenerator<{ samples: Int16Array; sampleRate: number }> {
    // '--' so text starting with '-' is spoken, not parsed as an option.
    const args = ['--stdout', '-v', this.voice, '-s', String(Math.round(this.speed)), '--', speakableText(sentence)];
    const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    let failure: EspeakError | undefined;
    let closed = false;
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    child.stdout!.on('data', (b: Buffer) => {
      chunks.push(b);
      notify();
    });
    child.stderr!.on('data', (b: Buffer) => {
      if (stderr.length < STDERR_LIMIT) stderr += b.toString('utf8');
    });
    // Stream errors (e.g. EPIPE after a kill) must not become unhandled 'error' events.
    child.stdout!.on('error', () => {});
    child.stderr!.on('error', () => {});
    child.on('error', (e: NodeJS.ErrnoException) => {
      failure ??= e.code === 'ENOENT' || e.code === 'EACCES' ? new EspeakNotFoundError(this.binary, e) : new EspeakError(`espeak-ng failed to run: ${e.message}`, { cause: e });
      closed = true;
      notify();
    });
    child.on('close', (code: number | null, sig: NodeJS.Signals | null) => {
      if (!signal.aborted && code !== 0 && !failure) {
        const why = code === null ? `was killed by ${sig}` : `exited with code ${code}`;
        const detail = stderr.trim();
        failure = new EspeakError(`espeak-ng ${why}${detail ? `: ${detail}` : ''}`, { exitCode: code ?? undefined, stderr: detail });
      }
      closed = true;
      notify();
    });
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      notify();
    };
    signal.addEventListener('abort', kill, { once: true });
    this.#onSpawn?.(child);

    let head: Buffer = Buffer.alloc(0);
    let header: WavHeader | undefined;
    let remaining = 0;
    let odd: Buffer | undefined;
    try {
      while (true) {
        if (signal.aborted) return;
        const chunk = chunks.shift();
        if (chunk === undefined) {
          if (failure) throw failure;
          if (closed) break;
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        let pcm: Buffer;
        if (!header) {
          head = Buffer.concat([head, chunk]);
          try {
            header = parseWavHeader(head);
          } catch (e) {
            throw new EspeakError(`espeak-ng wrote unreadable audio: ${(e as Error).message}`, { cause: e });
          }
          if (!header) continue;
          if (header.channels !== 1) throw new EspeakError(`espeak-ng wrote ${header.channels}-channel audio; expected mono`);
          remaining = header.dataLength;
          pcm = head.subarray(header.dataOffset);
          head = Buffer.alloc(0);
        } else {
          pcm = chunk;
        }
        // The data size is a placeholder while streaming, so it only bounds what is read.
        if (pcm.length > remaining) pcm = pcm.subarray(0, remaining);
        remaining -= pcm.length;
        if (odd) {
          pcm = Buffer.concat([odd, pcm]);
          odd = undefined;
        }
        // A pipe chunk can end mid-sample; keep the odd byte for the next chunk.
        if (pcm.length % 2) {
          odd = pcm.subarray(pcm.length - 1);
          pcm = pcm.subarray(0, pcm.length - 1);
        }
        if (pcm.length) yield { samples: pcmToInt16(pcm), sampleRate: header.sampleRate };
      }
      if (!header && !signal.aborted) throw new EspeakError('espeak-ng ended without writing a WAV header', { stderr: stderr.trim() });
    } finally {
      signal.removeEventListener('abort', kill);
      // Reached early when the consumer stops iterating: don't leave espeak running.
      kill();
    }
  }
}

/** A voice name espeak-ng can be given as an argument (no option, no path). */
export const ESPEAK_VOICE = /^[\w.+-]+$/;

/**
 * Text that can be passed to espeak-ng as an argument: control characters (a NUL in LLM text made
 * `spawn` throw and failed the whole speech) become spaces.
 * @example speakableText('Hello\u0000world') // 'Hello world'
 */
export function speakableText(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ');
}
