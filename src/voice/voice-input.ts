import type { AgentSession } from '../agent-session.js';
import type { AudioFrame } from '../ports/audio-frame.js';
import type { Clock } from '../ports/clock.js';
import type { UserTurnInput } from '../../machines/user-turn.machine.js';
import { attachBargeIn, type AttachBargeInOptions, type BargeIn } from './barge-in.js';
import { LocalEndOfTurnModel, RecentAudio, type EndOfTurnModel } from './end-of-turn.js';
import { transcriptOf, type STT } from './stt.js';
import { attachUserTurn, type UserTurn, type UserTurnActivity } from './user-turn.js';
import { UserAudioInput, type UserSpeechEvent } from './user-audio-input.js';
import { SileroVAD, type VAD } from './vad.js';

export interface VoiceInputOptions extends Omit<AttachBargeInOptions, 'onUserTurn'> {
  /** The user's audio (an rtc-node AudioStream, or `wavFrames(path)`). Without it, feed boundaries yourself with `speech()`. */
  source?: AsyncIterable<AudioFrame>;
  /** Default: a new {@link SileroVAD} with LiveKit's settings (only made when there is a source). */
  vad?: VAD;
  /** Transcribes the user's speech; without one, every speech is wordless (duration alone decides). */
  stt?: STT;
  /** Told each speech boundary as it is delivered. */
  onSpeech?: (ev: UserSpeechEvent) => void;
  /**
   * Turn-taking: turn detection mode, endpointing delays, user-away timeout (LiveKit's names and
   * defaults: 'vad', 500 ms, 3000 ms, 15 s). Endpointing starts when the user stops speaking.
   */
  turn?: UserTurnInput;
  /** The end-of-turn model of 'eot' mode. Default: {@link LocalEndOfTurnModel} (loaded on attach). */
  endOfTurn?: EndOfTurnModel;
  /** Told about the user turn: each end-of-turn prediction (with its latency), each user state change, each commit. */
  onUserTurn?: (a: UserTurnActivity) => void;
}

export interface VoiceInput {
  readonly bargeIn: BargeIn;
  /** When the user's turn is over: endpointing, the end-of-turn model, manual commits. */
  readonly userTurn: UserTurn;
  /** Manual turn detection: answer what the user said now (also `session.commitUserTurn()`). */
  commitUserTurn(): void;
  /** Forget what the user said in this turn (also `session.clearUserTurn()`). */
  clearUserTurn(): void;
  readonly input: UserAudioInput | undefined;
  /** Routes one speech boundary (from your own VAD, or a script) to the barge-in policy and the STT. */
  speech(ev: Pick<UserSpeechEvent, 'type' | 'atMs'>): void;
  /** Resolves when the source has ended and every boundary was delivered (at once without a source). */
  readonly done: Promise<void>;
  /** Stops the input, the STT's schedule, the user turn and the policy (a held speech is resumed). */
  close(): void;
}

/**
 * The user's voice into a session: audio → VAD → speech boundaries → barge-in policy, user turn and
 * STT; STT events → `user_input_transcribed`, the barge-in policy (interruptions; it accepts or drops
 * each final transcript) and the user turn, which commits the turn as `generateReply({ userInput })`
 * when it is over (endpointing, by `turn.turnDetection`). Also registers the turn as the session's
 * `commitUserTurn()` / `clearUserTurn()` until closed.
 *
 * @example
 * const voice = attachVoiceInput(session, { clock: realClock, source: new AudioStream(track), stt: mySTT, turn: { turnDetection: 'eot' } });
 * await voice.done;
 */
export function attachVoiceInput(session: AgentSession, o: VoiceInputOptions): VoiceInput {
  const report = o.onError ?? ((e: unknown) => console.error('[speechcharts] voice input:', e));
  const mode = o.turn?.turnDetection ?? 'vad';
  // By clock time: a file is read ahead of the clock, the model must hear what precedes the pause.
  const recent = new RecentAudio(undefined, () => o.clock.now());
  // Load the model now (a prewarm), not at the user's first pause.
  const endOfTurn = mode === 'eot' ? (o.endOfTurn ?? LocalEndOfTurnModel.load()) : o.endOfTurn;
  const userTurn = attachUserTurn(session, {
    clock: o.clock,
    ...(o.turn ? { options: o.turn } : {}),
    ...(endOfTurn ? { endOfTurn } : {}),
    recentAudio: () => recent.latest(),
    ...(o.inspect ? { inspect: o.inspect } : {}),
    // A committed turn is also told as the barge-in activity it used to be (`userTurnCommitted`).
    onActivity: (a) => {
      if (a.type === 'userTurnCommitted') {
        // End of utterance for the reply's metrics: the VAD's end of speech, the final transcript, the commit.
        if (a.speechId) {
          const ended = userSpeechEndedAt ?? a.atMs;
          session._noteUserTurn(a.speechId, { speechEndedAtMs: ended, finalAtMs: lastFinalAt ?? a.atMs, committedAtMs: a.atMs });
        }
        o.onActivity?.(a);
      }
      o.onUserTurn?.(a);
    },
    onError: report,
  });
  let language = '';
  let userSpeechEndedAt: number | undefined;
  let lastFinalAt: number | undefined;
  const { turn: _t, endOfTurn: _e, onUserTurn: _u, ...bargeInOptions } = o;
  const bargeIn = attachBargeIn(session, {
    ...bargeInOptions,
    onUserTurn: (text) => userTurn.finalTranscript(text, language),
  });
  const stt = o.stt;
  const offEvents = stt?.onEvent((ev) => {
    const t = transcriptOf(ev);
    if (t) {
      if (t.final && t.language) language = t.language;
      if (t.final) lastFinalAt = o.clock.now();
      session._emitUserEvent('user_input_transcribed', { transcript: t.text, isFinal: t.final, language: t.language ?? '' });
      bargeIn.transcript(t);
    } else if (ev.type === 'end_of_speech') userTurn.sttEndOfSpeech();
  });
  const speech = (ev: Pick<UserSpeechEvent, 'type' | 'atMs'>) => {
    if (ev.type === 'speechStart') {
      stt?.speechStarted(ev.atMs);
      userSpeechEndedAt = undefined;
      lastFinalAt = undefined;
      bargeIn.userSpeechStarted({ atMs: ev.atMs });
      userTurn.speechStarted();
    } else {
      stt?.speechEnded(ev.atMs);
      userSpeechEndedAt = ev.atMs;
      // The policy first: a final it held while the user spoke joins the turn before endpointing starts.
      bargeIn.userSpeechEnded({ atMs: ev.atMs });
      userTurn.speechEnded(Math.max(0, o.clock.now() - ev.atMs));
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
        onAudio: (s: Int16Array, at: number) => {
          recent.push(s, at);
          stt?.pushAudio?.(s, at);
        },
        ...(o.onError ? { onError: o.onError } : {}),
      })
    : undefined;
  const done = input ? input.start() : Promise.resolve();
  const control = { commit: () => userTurn.commit(), clear: () => userTurn.clear(), get userState() { return userTurn.userState; } };
  session._userTurn = control;
  return {
    bargeIn,
    userTurn,
    input,
    speech,
    done,
    commitUserTurn: () => userTurn.commit(),
    clearUserTurn: () => userTurn.clear(),
    close() {
      input?.close();
      offEvents?.();
      stt?.close();
      bargeIn.close();
      userTurn.close();
      if (session._userTurn === control) session._userTurn = undefined;
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
