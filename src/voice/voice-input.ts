import type { AgentSession } from '../agent-session.js';
import type { AudioFrame } from '../ports/audio-frame.js';
import type { Clock } from '../ports/clock.js';
import { attachBargeIn, type AttachBargeInOptions, type BargeIn } from './barge-in.js';
import type { STT } from './stt.js';
import { UserAudioInput, type UserSpeechEvent } from './user-audio-input.js';
import { SileroVAD, type VAD } from './vad.js';

export interface VoiceInputOptions extends AttachBargeInOptions {
  /** The user's audio (an rtc-node AudioStream, or `wavFrames(path)`). Without it, feed boundaries yourself with `speech()`. */
  source?: AsyncIterable<AudioFrame>;
  /** Default: a new {@link SileroVAD} with LiveKit's settings (only made when there is a source). */
  vad?: VAD;
  /** Transcribes the user's speech; without one, every speech is wordless (duration alone decides). */
  stt?: STT;
  /** Told each speech boundary as it is delivered. */
  onSpeech?: (ev: UserSpeechEvent) => void;
}

export interface VoiceInput {
  readonly bargeIn: BargeIn;
  readonly input: UserAudioInput | undefined;
  /** Routes one speech boundary (from your own VAD, or a script) to the barge-in policy and the STT. */
  speech(ev: Pick<UserSpeechEvent, 'type' | 'atMs'>): void;
  /** Resolves when the source has ended and every boundary was delivered (at once without a source). */
  readonly done: Promise<void>;
  /** Stops the input, the STT's schedule and the policy (a held speech is resumed). */
  close(): void;
}

/**
 * The user's voice into a session: audio → VAD → speech boundaries → barge-in policy and STT;
 * STT transcripts → barge-in policy (which commits user turns as `generateReply({ userInput })`).
 *
 * @example
 * const voice = attachVoiceInput(session, { clock: realClock, source: new AudioStream(track), stt: mySTT, inspect });
 * await voice.done;
 */
export function attachVoiceInput(session: AgentSession, o: VoiceInputOptions): VoiceInput {
  const bargeIn = attachBargeIn(session, o);
  const stt = o.stt;
  const offTranscript = stt?.onTranscript((t) => bargeIn.transcript(t));
  const speech = (ev: Pick<UserSpeechEvent, 'type' | 'atMs'>) => {
    if (ev.type === 'speechStart') {
      stt?.speechStarted(ev.atMs);
      bargeIn.userSpeechStarted({ atMs: ev.atMs });
    } else {
      stt?.speechEnded(ev.atMs);
      bargeIn.userSpeechEnded({ atMs: ev.atMs });
    }
  };
  const input = o.source
    ? new UserAudioInput(o.source, {
        clock: o.clock,
        vad: o.vad ?? new SileroVAD(),
        onSpeech: (ev) => {
          o.onSpeech?.(ev);
          speech(ev);
        },
        ...(stt?.pushAudio ? { onAudio: (s: Int16Array, at: number) => stt.pushAudio!(s, at) } : {}),
        ...(o.onError ? { onError: o.onError } : {}),
      })
    : undefined;
  const done = input ? input.start() : Promise.resolve();
  return {
    bargeIn,
    input,
    speech,
    done,
    close() {
      input?.close();
      offTranscript?.();
      stt?.close();
      bargeIn.close();
    },
  };
}

/** One stretch of user speech as a scripted VAD reports it (clock ms). */
export interface ScriptedSpeech {
  startMs: number;
  endMs: number;
}

/**
 * A scripted VAD: calls `onSpeech` with each speech's start and end at those clock times.
 * Returns a function that cancels what has not happened yet.
 * @example const cancel = scheduleScriptedSpeech(clock, [{ startMs: 1000, endMs: 1800 }], voice.speech);
 */
export function scheduleScriptedSpeech(clock: Clock, speeches: readonly ScriptedSpeech[], onSpeech: (ev: UserSpeechEvent) => void): () => void {
  const timers: unknown[] = [];
  const now = clock.now();
  for (const s of speeches) {
    if (!(s.endMs >= s.startMs)) throw new RangeError(`scheduleScriptedSpeech: endMs ${s.endMs} is before startMs ${s.startMs}`);
    timers.push(clock.setTimeout(() => onSpeech({ type: 'speechStart', atMs: s.startMs, detectedAtMs: s.startMs }), s.startMs - now));
    timers.push(clock.setTimeout(() => onSpeech({ type: 'speechEnd', atMs: s.endMs, detectedAtMs: s.endMs }), s.endMs - now));
  }
  return () => timers.forEach((t) => clock.clearTimeout(t));
}
