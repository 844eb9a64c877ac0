import type { BargeInInput } from '../../machines/barge-in.machine.js';
import type { AgentSession, InspectObserver } from '../agent-session.js';
import type { Clock } from '../ports/clock.js';
import type { UserTurnInput } from '../../machines/user-turn.machine.js';
import { ScriptedSTT, type ScriptedTranscript } from './stt.js';
import { pcmFrames, type UserSpeechEvent } from './user-audio-input.js';
import { coughNoise, DEFAULT_USER_VOICE, mixTrack, resampleLinear, synthesizeUserSpeech, whiteNoise } from './user-audio-synth.js';
import { SileroVAD, type SileroVADOptions } from './vad.js';
import type { BargeInActivity } from './barge-in.js';
import type { EndOfTurnModel } from './end-of-turn.js';
import type { UserTurnActivity } from './user-turn.js';
import { attachVoiceInput, type VoiceInput } from './voice-input.js';

/**
 * User audio turns of a scenario: the user's words synthesized (espeak-ng, a voice other than the
 * agent's) or a noise, mixed into the user's microphone track at `atMs`, heard by the real VAD;
 * what the STT says about them is scripted.
 */
export interface UserAudioTurn {
  atMs: number;
  /** Words the user speaks (synthesized); or `noise` for a wordless sound. */
  text?: string;
  /** espeak-ng voice of the user. Default the scenario's `voice.userVoice`, else 'en-us+f3'. */
  voice?: string;
  /** Words per minute. Default 165. */
  speed?: number;
  noise?: { durationMs: number; kind: 'cough' | 'white' };
  /** What the STT reports: none for a noise; for words, by default the text as the final transcript. */
  transcript?: { interim: { afterMs: number; text: string }[]; final?: string; finalAfterEndMs: number };
}

/** The scenario's voice settings: the barge-in policy, turn-taking and the VAD. */
export interface ScenarioVoice {
  bargeIn?: BargeInInput;
  /** Turn detection and endpointing (LiveKit's defaults; 'eot' runs the real end-of-turn model). */
  turn?: UserTurnInput;
  userVoice?: string;
  vad?: Pick<SileroVADOptions, 'activationThreshold' | 'deactivationThreshold' | 'minSpeechDuration' | 'minSilenceDuration'>;
}

export const USER_AUDIO_KEYS = ['atMs', 'text', 'voice', 'speed', 'noise', 'transcript', 'note'];
export const VOICE_KEYS = ['bargeIn', 'turn', 'userVoice', 'vad'];
const TURN_KEYS = ['turnDetection', 'minEndpointingDelay', 'maxEndpointingDelay', 'userAwayTimeout'];
const BARGE_IN_KEYS = ['minInterruptionDuration', 'minInterruptionWords', 'falseInterruptionTimeout', 'resumeFalseInterruption', 'discardAudioIfUninterruptible'];
const VAD_KEYS = ['activationThreshold', 'deactivationThreshold', 'minSpeechDuration', 'minSilenceDuration'];

type Issue = (path: string, message: string) => void;
const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
const num = (x: unknown, min = 0) => typeof x === 'number' && Number.isFinite(x) && x >= min;
function unknownKeys(o: Record<string, unknown>, path: string, keys: string[], issue: Issue): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) issue(`${path}.${k}`, `is not a known field; known: ${keys.join(', ')}`);
}

/**
 * Validates a scenario's `userAudio` list, reporting each bad field through `issue`.
 * @example const turns = parseUserAudio(json.userAudio, 'userAudio', (p, m) => issues.push({ path: p, message: m }));
 */
export function parseUserAudio(raw: unknown, path: string, issue: Issue): UserAudioTurn[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    issue(path, 'must be a list of user audio turns');
    return [];
  }
  const out: UserAudioTurn[] = [];
  raw.forEach((r, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(r)) return issue(p, 'must be an object');
    unknownKeys(r, p, USER_AUDIO_KEYS, issue);
    if (!num(r.atMs)) issue(`${p}.atMs`, 'is required (a non-negative number of milliseconds)');
    const hasText = r.text !== undefined;
    if (hasText && (typeof r.text !== 'string' || r.text.trim() === '')) issue(`${p}.text`, 'must be a non-empty string');
    if (hasText === (r.noise !== undefined)) issue(p, 'needs exactly one of "text" (words the user says) or "noise" (a wordless sound)');
    if (r.voice !== undefined && typeof r.voice !== 'string') issue(`${p}.voice`, 'must be an espeak-ng voice name, e.g. "en-us+f3"');
    if (r.speed !== undefined && !num(r.speed, 80)) issue(`${p}.speed`, 'must be a number of words per minute ≥ 80');
    let noise: UserAudioTurn['noise'];
    if (r.noise !== undefined) {
      if (!isObj(r.noise) || !num(r.noise.durationMs, 1)) issue(`${p}.noise`, 'must be { "durationMs": number ≥ 1, "kind"?: "cough" | "white" }');
      else {
        unknownKeys(r.noise, `${p}.noise`, ['durationMs', 'kind'], issue);
        const kind = r.noise.kind ?? 'cough';
        if (kind !== 'cough' && kind !== 'white') issue(`${p}.noise.kind`, 'must be "cough" (a voiced burst the VAD hears) or "white" (noise it does not)');
        else noise = { durationMs: r.noise.durationMs as number, kind };
      }
    }
    let transcript: UserAudioTurn['transcript'];
    if (r.transcript !== undefined) {
      const tp = `${p}.transcript`;
      if (!isObj(r.transcript)) issue(tp, 'must be an object { interim?, final?, finalAfterEndMs? }');
      else {
        unknownKeys(r.transcript, tp, ['interim', 'final', 'finalAfterEndMs'], issue);
        const interim: { afterMs: number; text: string }[] = [];
        if (r.transcript.interim !== undefined) {
          if (!Array.isArray(r.transcript.interim)) issue(`${tp}.interim`, 'must be a list of { afterMs, text }');
          else
            r.transcript.interim.forEach((x, j) => {
              if (!isObj(x) || !num(x.afterMs) || typeof x.text !== 'string') issue(`${tp}.interim[${j}]`, 'must be { "afterMs": ms after the speech starts, "text": string }');
              else interim.push({ afterMs: x.afterMs as number, text: x.text });
            });
        }
        if (r.transcript.final !== undefined && typeof r.transcript.final !== 'string') issue(`${tp}.final`, 'must be a string');
        if (r.transcript.finalAfterEndMs !== undefined && !num(r.transcript.finalAfterEndMs)) issue(`${tp}.finalAfterEndMs`, 'must be a non-negative number');
        transcript = {
          interim,
          ...(typeof r.transcript.final === 'string' ? { final: r.transcript.final } : {}),
          finalAfterEndMs: num(r.transcript.finalAfterEndMs) ? (r.transcript.finalAfterEndMs as number) : 300,
        };
      }
    } else if (typeof r.text === 'string') transcript = { interim: [], final: r.text, finalAfterEndMs: 300 };
    if (r.note !== undefined && typeof r.note !== 'string') issue(`${p}.note`, 'must be a string');
    if (!num(r.atMs)) return;
    out.push({
      atMs: r.atMs as number,
      ...(typeof r.text === 'string' ? { text: r.text } : {}),
      ...(typeof r.voice === 'string' ? { voice: r.voice } : {}),
      ...(num(r.speed, 80) ? { speed: r.speed as number } : {}),
      ...(noise ? { noise } : {}),
      ...(transcript ? { transcript } : {}),
    });
  });
  // Kept in file order, so issues found later can name the same index.
  return out;
}

/**
 * Validates a scenario's `voice` settings.
 * @example const voice = parseScenarioVoice(json.voice, 'voice', issue);
 */
export function parseScenarioVoice(raw: unknown, path: string, issue: Issue): ScenarioVoice | undefined {
  if (raw === undefined) return undefined;
  if (!isObj(raw)) {
    issue(path, 'must be an object { bargeIn?, turn?, userVoice?, vad? }');
    return undefined;
  }
  unknownKeys(raw, path, VOICE_KEYS, issue);
  const out: ScenarioVoice = {};
  if (raw.userVoice !== undefined) {
    if (typeof raw.userVoice !== 'string') issue(`${path}.userVoice`, 'must be an espeak-ng voice name');
    else out.userVoice = raw.userVoice;
  }
  if (raw.bargeIn !== undefined) {
    if (!isObj(raw.bargeIn)) issue(`${path}.bargeIn`, 'must be an object of barge-in options');
    else {
      unknownKeys(raw.bargeIn, `${path}.bargeIn`, BARGE_IN_KEYS, issue);
      const b = raw.bargeIn;
      for (const k of ['minInterruptionDuration', 'minInterruptionWords'] as const) if (b[k] !== undefined && !num(b[k])) issue(`${path}.bargeIn.${k}`, 'must be a non-negative number');
      if (b.falseInterruptionTimeout !== undefined && b.falseInterruptionTimeout !== null && !num(b.falseInterruptionTimeout))
        issue(`${path}.bargeIn.falseInterruptionTimeout`, 'must be null or a non-negative number of ms');
      for (const k of ['resumeFalseInterruption', 'discardAudioIfUninterruptible'] as const) if (b[k] !== undefined && typeof b[k] !== 'boolean') issue(`${path}.bargeIn.${k}`, 'must be true or false');
      out.bargeIn = b as BargeInInput;
    }
  }
  if (raw.turn !== undefined) {
    if (!isObj(raw.turn)) issue(`${path}.turn`, 'must be an object of turn-taking options');
    else {
      unknownKeys(raw.turn, `${path}.turn`, TURN_KEYS, issue);
      const t = raw.turn;
      if (t.turnDetection !== undefined && !['vad', 'stt', 'eot', 'manual'].includes(t.turnDetection as string)) issue(`${path}.turn.turnDetection`, 'must be "vad", "stt", "eot" or "manual"');
      for (const k of ['minEndpointingDelay', 'maxEndpointingDelay'] as const) if (t[k] !== undefined && !num(t[k])) issue(`${path}.turn.${k}`, 'must be a non-negative number of ms');
      if (t.userAwayTimeout !== undefined && t.userAwayTimeout !== null && !num(t.userAwayTimeout, 1)) issue(`${path}.turn.userAwayTimeout`, 'must be null or a positive number of ms');
      if (num(t.minEndpointingDelay) && num(t.maxEndpointingDelay) && (t.maxEndpointingDelay as number) < (t.minEndpointingDelay as number))
        issue(`${path}.turn.maxEndpointingDelay`, 'must be ≥ minEndpointingDelay');
      out.turn = t as UserTurnInput;
    }
  }
  if (raw.vad !== undefined) {
    if (!isObj(raw.vad)) issue(`${path}.vad`, 'must be an object of VAD options');
    else {
      unknownKeys(raw.vad, `${path}.vad`, VAD_KEYS, issue);
      for (const k of VAD_KEYS) if (raw.vad[k] !== undefined && !num(raw.vad[k])) issue(`${path}.vad.${k}`, 'must be a non-negative number');
      out.vad = raw.vad as ScenarioVoice['vad'];
    }
  }
  return out;
}

/** The user's microphone track, ready to play into a run. */
export interface PreparedUserAudio {
  sampleRate: number;
  /** Mono track from the start of the run. */
  samples: Int16Array;
  /** Where each turn sits in it. */
  clips: { atMs: number; durationMs: number; label: string; words: boolean }[];
  /** What the scripted STT says, each entry bound to the time window of its clip. */
  transcripts: ScriptedTranscript[];
}

/** espeak-ng's rate: user speech and noises are mixed at it, and resampled to 16 kHz on input. */
const TRACK_RATE = 22050;

/**
 * Synthesizes and mixes the user's turns into one microphone track (with 1.5 s of silence after the
 * last one, so the VAD can see each speech end).
 * @example const prepared = await prepareUserAudio(scenario.userAudio, { userVoice: 'en-us+f3' });
 */
export async function prepareUserAudio(turns: readonly UserAudioTurn[], o: { userVoice?: string } = {}): Promise<PreparedUserAudio> {
  const clips: PreparedUserAudio['clips'] = [];
  const placed: { atMs: number; samples: Int16Array }[] = [];
  const transcripts: ScriptedTranscript[] = [];
  for (const t of turns) {
    let samples: Int16Array;
    if (t.text !== undefined) {
      const pcm = await synthesizeUserSpeech(t.text, { voice: t.voice ?? o.userVoice ?? DEFAULT_USER_VOICE, ...(t.speed ? { speed: t.speed } : {}) });
      samples = resampleLinear(pcm.samples, pcm.sampleRate, TRACK_RATE);
    } else {
      const n = t.noise!;
      samples = n.kind === 'white' ? whiteNoise(n.durationMs, TRACK_RATE, 8000) : coughNoise(n.durationMs, TRACK_RATE);
    }
    const durationMs = (samples.length / TRACK_RATE) * 1000;
    placed.push({ atMs: t.atMs, samples });
    clips.push({ atMs: t.atMs, durationMs, label: t.text !== undefined ? `“${t.text}”` : `${t.noise!.kind} ${t.noise!.durationMs} ms`, words: t.text !== undefined });
    const tr = t.transcript;
    if (tr && (tr.interim.length || tr.final !== undefined)) {
      transcripts.push({
        // espeak-ng leads with a little silence, and the VAD needs a few windows: allow for both.
        window: { fromMs: t.atMs - 100, toMs: t.atMs + durationMs },
        interim: tr.interim,
        ...(tr.final !== undefined ? { final: { text: tr.final, afterEndMs: tr.finalAfterEndMs } } : {}),
      });
    }
  }
  const endMs = Math.max(0, ...clips.map((c) => c.atMs + c.durationMs)) + 1500;
  return { sampleRate: TRACK_RATE, samples: mixTrack(placed, TRACK_RATE, endMs), clips, transcripts };
}

export interface ScenarioVoiceRun extends VoiceInput {
  readonly stt: ScriptedSTT;
  /** True while the user's audio, a transcript or a held speech still has something to do. */
  pending(): boolean;
}

/**
 * Plays a prepared microphone track into a session from now on: 20 ms frames → rtc-node resampler →
 * SileroVAD → barge-in policy and user turn; the scripted STT answers each speech the VAD finds in a clip's window.
 * @example const voice = attachScenarioVoice(session, prepared, { clock, inspect, onActivity: console.log });
 */
export function attachScenarioVoice(
  session: AgentSession,
  prepared: PreparedUserAudio,
  o: { clock: Clock; voice?: ScenarioVoice; endOfTurn?: EndOfTurnModel; inspect?: InspectObserver; onActivity?: (a: BargeInActivity) => void; onUserTurn?: (a: UserTurnActivity) => void; onSpeech?: (e: UserSpeechEvent) => void; onError?: (e: unknown) => void },
): ScenarioVoiceRun {
  const stt = new ScriptedSTT(o.clock, prepared.transcripts);
  let inputDone = false;
  const v = attachVoiceInput(session, {
    clock: o.clock,
    source: (async function* () {
      yield* pcmFrames(prepared.samples, prepared.sampleRate, 1, 20);
    })(),
    vad: new SileroVAD(o.voice?.vad ?? {}),
    stt,
    ...(o.voice?.bargeIn ? { options: o.voice.bargeIn } : {}),
    ...(o.voice?.turn ? { turn: o.voice.turn } : {}),
    ...(o.endOfTurn ? { endOfTurn: o.endOfTurn } : {}),
    ...(o.inspect ? { inspect: o.inspect } : {}),
    ...(o.onActivity ? { onActivity: o.onActivity } : {}),
    ...(o.onUserTurn ? { onUserTurn: o.onUserTurn } : {}),
    ...(o.onSpeech ? { onSpeech: o.onSpeech } : {}),
    ...(o.onError ? { onError: o.onError } : {}),
  });
  void v.done.then(() => (inputDone = true));
  return {
    ...v,
    stt,
    pending: () => {
      const s = v.bargeIn.actor.getSnapshot();
      return !inputDone || stt.scheduled || (s.status === 'active' && !s.matches('idle')) || v.userTurn.pending();
    },
  };
}
