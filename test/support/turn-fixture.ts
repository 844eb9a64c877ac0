import type { UserTurnInput } from '../../machines/user-turn.machine.js';
import type { EndOfTurnModel } from '../../src/voice/end-of-turn.js';
import { ScriptedSTT, type ScriptedTranscript } from '../../src/voice/stt.js';
import type { UserTurnActivity } from '../../src/voice/user-turn.js';
import { attachVoiceInput, scheduleScriptedSpeech, type ScriptedSpeech } from '../../src/voice/voice-input.js';
import { makeSession } from './session-fixture.js';

export const PART_1 = "I'd like a table";
export const PART_2 = 'for four people at eight';
export const WHOLE = `${PART_1} ${PART_2}`;

/**
 * A started session on virtual time with a scripted VAD and STT attached through the voice input;
 * every user input is answered "Okay." (short, so the agent is soon silent again).
 */
export async function turnSession(o: { speeches: ScriptedSpeech[]; transcripts: ScriptedTranscript[]; turn?: UserTurnInput; endOfTurn?: EndOfTurnModel }) {
  const inputs = [PART_1, PART_2, WHOLE, 'Hello', 'Hello there', 'Yes'];
  const { clock, session, errors } = makeSession({ replies: inputs.map((userInput) => ({ when: { userInput }, reply: 'Okay.' })) });
  await session.start();
  const turns: UserTurnActivity[] = [];
  const stt = new ScriptedSTT(clock, o.transcripts);
  const voice = attachVoiceInput(session, {
    clock,
    stt,
    ...(o.turn ? { turn: o.turn } : {}),
    ...(o.endOfTurn ? { endOfTurn: o.endOfTurn } : {}),
    onUserTurn: (a) => turns.push(a),
    onError: (e) => {
      throw e;
    },
  });
  scheduleScriptedSpeech(clock, o.speeches, voice.speech);
  const commits = () => turns.filter((a) => a.type === 'userTurnCommitted').map((a) => `${a.text}@${a.atMs}`);
  return { clock, session, errors, voice, turns, commits, stt };
}

/** The two-part sentence: part 1 from 0 to 1200 ms, a pause of `pauseMs`, part 2 for 1500 ms; each final 200 ms after its speech. */
export function twoPartSentence(pauseMs: number): { speeches: ScriptedSpeech[]; transcripts: ScriptedTranscript[] } {
  const second = 1200 + pauseMs;
  return {
    speeches: [
      { startMs: 0, endMs: 1200 },
      { startMs: second, endMs: second + 1500 },
    ],
    transcripts: [{ final: { text: PART_1, afterEndMs: 200 } }, { final: { text: PART_2, afterEndMs: 200 } }],
  };
}
