import { AgentSession, type AgentSessionOptions, type Tool } from '../../src/index.js';
import { FakeTTS, ScriptedLLM, VirtualAudioOutput, VirtualClock, type FakeTTSOptions, type ScriptedReply } from '../../src/testing/index.js';

/** A session on fakes and virtual time; `errors` collects the session's error events. */
export function makeSession(o: {
  replies?: ScriptedReply[];
  tools?: Record<string, Tool>;
  tts?: FakeTTSOptions;
  session?: Partial<AgentSessionOptions>;
} = {}) {
  const clock = new VirtualClock();
  const audioOutput = new VirtualAudioOutput(clock);
  const tts = new FakeTTS({ msPerChar: 50, ...(o.tts ?? {}) });
  const llm = new ScriptedLLM({ clock, replies: o.replies ?? [] });
  const session = new AgentSession({ llm, tts, audioOutput, ...(o.tools ? { tools: o.tools } : {}), clock, ...(o.session ?? {}) });
  const errors: { error: Error; source: string }[] = [];
  session.on('error', (e) => errors.push(e));
  return { clock, audioOutput, tts, llm, session, errors };
}

/** History as short strings, easy to compare. */
export function historyLines(items: readonly import('../../src/index.js').ChatItem[]): string[] {
  return items.map((i) =>
    i.type === 'message'
      ? `${i.role}:${i.content}${i.interrupted ? ' [interrupted]' : ''}`
      : i.type === 'function_call'
        ? `call:${i.name}(${i.arguments})`
        : i.type === 'agent_handoff'
          ? `handoff:${i.oldAgentId ?? '-'}>${i.newAgentId}`
          : `output:${i.name}:${i.isError ? 'error' : 'ok'}:${i.output}`,
  );
}
