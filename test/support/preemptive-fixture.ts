import type { AgentMetrics, LLMRequest } from '../../src/index.js';
import type { ScriptedReply } from '../../src/testing/index.js';
import type { UserTurnInput } from '../../machines/user-turn.machine.js';
import { ScriptedSTT, type ScriptedTranscript } from '../../src/voice/stt.js';
import { attachVoiceInput, scheduleScriptedSpeech, type ScriptedSpeech } from '../../src/voice/voice-input.js';
import { makeSession } from './session-fixture.js';

/** The last user message of a request ('' if the request does not end with one). */
export const userInputOf = (req: LLMRequest) => {
  const last = req.history[req.history.length - 1];
  return last?.type === 'message' && last.role === 'user' ? last.content : '';
};

/**
 * A started session on virtual time with a scripted VAD and STT (LiveKit's endpointing: 500 ms
 * after the end of speech, in 'vad' mode unless `turn` says otherwise); every LLM request is
 * recorded with its clock time and signal, and each time the agent starts speaking.
 * Default replies: anything is answered "Okay." after a 600 ms time to first token.
 */
export async function preemptiveSession(o: { speeches: ScriptedSpeech[]; transcripts: ScriptedTranscript[]; turn?: UserTurnInput; replies?: ScriptedReply[]; session?: Parameters<typeof makeSession>[0]['session'] }) {
  const fixture = makeSession({ replies: o.replies ?? [{ reply: 'Okay.', ttftMs: 600 }], ...(o.session ? { session: o.session } : {}) });
  const { clock, session, llm } = fixture;
  const requests: { atMs: number; input: string; signal: AbortSignal; req: LLMRequest }[] = [];
  const chat = llm.chat.bind(llm);
  llm.chat = (req) => {
    requests.push({ atMs: clock.now(), input: userInputOf(req), signal: req.signal, req });
    return chat(req);
  };
  await session.start();
  const speaking: number[] = [];
  session.on('agent_state_changed', (e) => {
    if (e.newState === 'speaking') speaking.push(clock.now());
  });
  const metrics: AgentMetrics[] = [];
  session.on('metrics_collected', (e) => metrics.push(e.metrics));
  const voice = attachVoiceInput(session, {
    clock,
    stt: new ScriptedSTT(clock, o.transcripts),
    turn: { userAwayTimeout: null, ...(o.turn ?? {}) },
    onError: (e) => {
      throw e;
    },
  });
  const commits: string[] = [];
  session.on('conversation_item_added', ({ item }) => {
    if (item.type === 'message' && item.role === 'user') commits.push(`${item.content}@${clock.now()}`);
  });
  scheduleScriptedSpeech(clock, o.speeches, voice.speech);
  /** The requests as `input@atMs`, and whether each was aborted (`!`). */
  const requestLines = () => requests.map((r) => `${r.input}@${r.atMs}${r.signal.aborted ? '!' : ''}`);
  return { ...fixture, requests, requestLines, speaking, metrics, voice, commits };
}
