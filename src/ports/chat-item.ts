import type { MessageMetrics } from '../metrics.js';

/** One entry of the conversation history, in causal order. */
export type ChatItem =
  | {
      type: 'message';
      id: string;
      role: 'system' | 'user' | 'assistant';
      content: string;
      interrupted?: boolean;
      /** Assistant messages: the figures of the step that said it (LLM, TTS, and the user turn it answered). */
      metrics?: MessageMetrics;
    }
  | { type: 'function_call'; id: string; callId: string; name: string; arguments: string }
  | { type: 'function_call_output'; id: string; callId: string; name: string; output: string; isError: boolean }
  /** The session moved from one agent to another (a handoff, a task's start or its end). */
  | { type: 'agent_handoff'; id: string; oldAgentId?: string; newAgentId: string };

export type ChatMessage = Extract<ChatItem, { type: 'message' }>;
export type FunctionCallItem = Extract<ChatItem, { type: 'function_call' }>;
export type FunctionCallOutputItem = Extract<ChatItem, { type: 'function_call_output' }>;
export type AgentHandoffItem = Extract<ChatItem, { type: 'agent_handoff' }>;
