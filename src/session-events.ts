import type { AgentState } from '../machines/agent-state.machine.js';
import type { UserState } from '../machines/user-turn.machine.js';
import type { ChatItem, FunctionCallItem, FunctionCallOutputItem } from './ports/chat-item.js';
import type { SpeechHandle } from './speech-handle.js';
import type { AgentMetrics } from './metrics.js';

/** The payload of each event an `AgentSession` emits. */
export interface AgentSessionEventMap {
  agent_state_changed: { oldState: AgentState; newState: AgentState };
  speech_created: { speechHandle: SpeechHandle; source: 'say' | 'generate_reply'; userInitiated: boolean };
  function_tools_executed: { speechId: string; functionCalls: FunctionCallItem[]; functionCallOutputs: FunctionCallOutputItem[] };
  conversation_item_added: { item: ChatItem };
  /** A tool settled after its run was aborted: its outcome was discarded, not recorded. */
  tool_result_discarded: { speechId: string; callId: string; name: string; outcome: 'result' | 'error'; value: unknown };
  /** The session moved to another agent (`oldAgentId` undefined for the first agent's entry). */
  agent_handoff: { oldAgentId: string | undefined; newAgentId: string };
  /** The user started or stopped speaking, or is away (both sides silent for `userAwayTimeout`). */
  user_state_changed: { oldState: UserState; newState: UserState };
  /** Each transcript of the user's speech, interim and final, as the STT gives it. */
  user_input_transcribed: { transcript: string; isFinal: boolean; language: string };
  /**
   * A barge-in brought no words before `falseInterruptionTimeout` (or was a noise voiced for less than
   * the minimum duration): `resumed` is true when the held speech plays on, false when there was
   * nothing to resume (it was interrupted at once, or is over).
   */
  agent_false_interruption: { resumed: boolean; speechId: string | undefined };
  /** Figures of one stage of a reply (see {@link AgentMetrics}): LLM, TTS, end of utterance. */
  metrics_collected: { metrics: AgentMetrics };
  error: { error: Error; source: 'llm' | 'tts' | 'tool' | 'audio_output' | 'callback' | 'agent' };
  close: { reason: 'user' };
}

export type AgentSessionEvent = keyof AgentSessionEventMap;

export const SESSION_EVENTS: readonly AgentSessionEvent[] = [
  'agent_state_changed',
  'speech_created',
  'function_tools_executed',
  'conversation_item_added',
  'tool_result_discarded',
  'agent_handoff',
  'user_state_changed',
  'user_input_transcribed',
  'agent_false_interruption',
  'metrics_collected',
  'error',
  'close',
];

/**
 * A small typed emitter. Unlike Node's EventEmitter, an `error` with no listener is logged rather
 * than thrown: the session must keep serving, and the error is still never silent.
 */
export class SessionEmitter {
  private listeners = new Map<string, Set<(ev: never) => void>>();

  on<K extends AgentSessionEvent>(event: K, listener: (ev: AgentSessionEventMap[K]) => void): void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (ev: never) => void);
  }

  off<K extends AgentSessionEvent>(event: K, listener: (ev: AgentSessionEventMap[K]) => void): void {
    this.listeners.get(event)?.delete(listener as (ev: never) => void);
  }

  emit<K extends AgentSessionEvent>(event: K, payload: AgentSessionEventMap[K]): void {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) {
      if (event === 'error') console.error('[speechcharts] unhandled session error:', (payload as AgentSessionEventMap['error']).error);
      return;
    }
    for (const l of [...set]) {
      try {
        (l as (ev: AgentSessionEventMap[K]) => void)(payload);
      } catch (e) {
        // A throwing listener must not break the transition that emitted the event.
        if (event !== 'error') this.emit('error', { error: e instanceof Error ? e : new Error(String(e)), source: 'callback' });
        else console.error('[speechcharts] error listener threw:', e);
      }
    }
  }
}
