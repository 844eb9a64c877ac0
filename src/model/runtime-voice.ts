import type { AgentSession } from '../agent-session.js';
import type { LLMChunk } from '../ports/llm.js';
import type { ModelStep } from '../testing/model-explorer.js';
import { VirtualClock } from '../testing/virtual-clock.js';
import type { EndOfTurnPrediction } from '../voice/end-of-turn.js';
import { attachUserTurn, type UserTurn } from '../voice/user-turn.js';
import { attachVoiceInput, type VoiceInput } from '../voice/voice-input.js';
import type { SpeechEvent, STT } from '../voice/stt.js';
import type { ComposedSnapshot, ModelEvent, VoiceBounds } from './composed-model.js';
import type { ControlledStream, Observable, RuntimeUnderTest } from './runtime-adapter.js';
import { transcriptWord } from './user-turn-world.js';

/**
 * The runtime adapter's voice: the real user turn attached to the session under test, driven by the
 * model's voice events, and what the adapter compares of it.
 */

/** The user turn under test, on a clock of its own so firing its timers never plays audio. */
export interface RuntimeVoice {
  turn: UserTurn;
  clock: VirtualClock;
  transcripts: number;
  /** The end-of-turn model's questions not yet answered, oldest first. */
  eot: ((p: EndOfTurnPrediction) => void)[];
  /** The LLM streams of preemptive generations (asked with no speech on the floor), newest last. */
  prepared: ControlledStream<LLMChunk>[];
  /** Replies already given the prepared stream they took (as the model says). */
  mapped: Set<string>;
  /** With barge-in: the whole voice input (policy, turn and STT routing), fed by a scripted STT. */
  input: VoiceInput | null;
  /** Emits the scripted STT's events. */
  stt: ((ev: SpeechEvent) => void) | null;
}

/** An STT whose events the test emits (the model's transcripts). */
function scriptedSTT(): { stt: STT; emit: (ev: SpeechEvent) => void } {
  const listeners = new Set<(ev: SpeechEvent) => void>();
  return {
    stt: { speechStarted: () => {}, speechEnded: () => {}, onEvent: (l) => (listeners.add(l), () => listeners.delete(l)), close: () => listeners.clear() },
    emit: (ev) => listeners.forEach((l) => l(ev)),
  };
}

/**
 * Attaches the real user turn to the session under test, its timers on a virtual clock of their own.
 * @example rt.voice = attachRuntimeVoice(session, bounds.voice, () => rt.errors.push('voice'));
 */
export function attachRuntimeVoice(session: AgentSession, b: VoiceBounds, onError: () => void): RuntimeVoice {
  const voice: RuntimeVoice = { turn: undefined as never, clock: new VirtualClock(), transcripts: 0, eot: [], prepared: [], mapped: new Set(), input: null, stt: null };
  const endOfTurn = { predict: () => new Promise<EndOfTurnPrediction>((resolve) => voice.eot.push(resolve)) };
  if (b.bargeIn) {
    // The voice input as users attach it: the VAD's boundaries and the STT's events go to the barge-in policy and the turn.
    const { stt, emit } = scriptedSTT();
    voice.stt = emit;
    voice.input = attachVoiceInput(session, { clock: voice.clock, stt, turn: { turnDetection: b.turnDetection, preemptiveGeneration: b.preemptiveGeneration }, endOfTurn, onError });
    voice.turn = voice.input.userTurn;
    return voice;
  }
  voice.turn = attachUserTurn(session, {
    clock: voice.clock,
    options: { turnDetection: b.turnDetection, preemptiveGeneration: b.preemptiveGeneration },
    // The model answers each question when the path says (EOT_PREDICTED).
    endOfTurn,
    recentAudio: () => new Int16Array(0),
    onError,
  });
  return voice;
}

/** The user turn's observable part. */
export function voiceOf(v: RuntimeVoice): Observable['voice'] {
  const snap = v.turn.actor.getSnapshot();
  return { state: snap.value, text: snap.context.text, committed: snap.context.committed, bargeIn: v.input ? v.input.bargeIn.actor.getSnapshot().value : null };
}

const VOICE_EVENTS = new Set<string>(['USER_SPEECH_STARTED', 'USER_SPEECH_ENDED', 'USER_TRANSCRIPT', 'STT_END_OF_SPEECH', 'EOT_PREDICTED', 'USER_COMMIT', 'USER_CLEAR', 'TIMER_ELAPSED']);
/** The model's voice events (the runtime adapter sends them to the user turn). */
export const isVoiceEvent = (e: ModelEvent) => VOICE_EVENTS.has(e.type);

/** The user's voice: VAD boundaries, transcripts, the end-of-turn model's answer, the turn's timers. */
export async function sendVoiceEvent(rt: RuntimeUnderTest, v: RuntimeVoice, e: ModelEvent, step: ModelStep<ComposedSnapshot, ModelEvent>): Promise<void> {
  switch (e.type) {
    case 'USER_SPEECH_STARTED':
      if (v.input) v.input.speech({ type: 'speechStart', atMs: v.clock.now() });
      else v.turn.speechStarted();
      break;
    case 'USER_SPEECH_ENDED':
      if (v.input) v.input.speech({ type: 'speechEnd', atMs: v.clock.now() });
      else v.turn.speechEnded(0);
      break;
    case 'USER_TRANSCRIPT': {
      v.transcripts++;
      const text = transcriptWord(v.transcripts);
      const at = v.clock.now();
      if (v.stt) v.stt({ type: 'final_transcript', atMs: at, alternatives: [{ text, language: 'en', confidence: 1, startMs: at, endMs: at }] });
      else v.turn.finalTranscript(text, 'en');
      break;
    }
    case 'STT_END_OF_SPEECH':
      v.turn.sttEndOfSpeech();
      break;
    case 'EOT_PREDICTED': {
      // The newest question is the current pause's (older answers are dropped by the runtime).
      const answer = v.eot.pop();
      v.eot.length = 0;
      if (!answer) throw new Error('the end-of-turn model was never asked');
      answer({ probability: e.likely ? 0.9 : 0.1, latencyMs: 0 });
      break;
    }
    case 'USER_COMMIT':
      v.turn.commit();
      break;
    case 'USER_CLEAR':
      v.turn.clear();
      break;
    case 'TIMER_ELAPSED': {
      const at = step.from!.context.voice!.timers[e.timer]!;
      await v.clock.advance(at - v.clock.now());
      break;
    }
  }
  await rt.clock.settle();
}

/** A reply that took a prepared reply (as the model says) reads the preemptive generation's stream. */
export function mapPreparedStreams(rt: RuntimeUnderTest, v: RuntimeVoice, step: ModelStep<ComposedSnapshot, ModelEvent>): void {
  for (const t of step.to.context.voice?.took ?? []) {
    if (v.mapped.has(t.speechId)) continue;
    v.mapped.add(t.speechId);
    const stream = v.prepared.at(-1);
    if (stream) rt.streams.set(t.speechId, stream);
  }
}
