import type { BargeInActivity } from '../../src/voice/barge-in.js';
import { ScriptedSTT, type ScriptedTranscript } from '../../src/voice/stt.js';
import { attachVoiceInput, scheduleScriptedSpeech, type ScriptedSpeech, type VoiceInputOptions } from '../../src/voice/voice-input.js';
import type { AgentSession } from '../../src/index.js';
import type { Clock } from '../../src/ports/clock.js';

/** The user's voice on virtual time: a scripted VAD and STT into the barge-in policy; activity as `type@atMs`. */
export function scriptedVoice(
  session: AgentSession,
  clock: Clock,
  o: { speeches?: ScriptedSpeech[]; transcripts?: ScriptedTranscript[]; options?: VoiceInputOptions['options']; turn?: VoiceInputOptions['turn'] },
) {
  const activity: BargeInActivity[] = [];
  const falseInterruptions: { resumed: boolean; speechId: string | undefined; atMs: number }[] = [];
  session.on('agent_false_interruption', (e) => falseInterruptions.push({ ...e, atMs: clock.now() }));
  const stt = new ScriptedSTT(clock, o.transcripts ?? []);
  const v = attachVoiceInput(session, {
    clock,
    stt,
    onActivity: (a) => activity.push(a),
    onError: (e) => {
      throw e;
    },
    ...(o.options ? { options: o.options } : {}),
    // The barge-in rules are timed without endpointing (a turn commits on its final transcript);
    // test/user-turn-*.test.ts cover the endpointing delays.
    turn: o.turn ?? { minEndpointingDelay: 0, maxEndpointingDelay: 0, userAwayTimeout: null },
  });
  scheduleScriptedSpeech(clock, o.speeches ?? [], v.speech);
  const kinds = () => activity.map((a) => `${a.type}@${a.atMs}`);
  return { v, activity, kinds, stt, falseInterruptions };
}

/** 100 characters: 5 s of FakeTTS audio at 50 ms a character. */
export const LONG = 'This is a long answer that goes on for a while, so that the user has time to barge in on it.'.padEnd(100, '.');
