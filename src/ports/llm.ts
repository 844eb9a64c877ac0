import type { ChatItem } from './chat-item.js';

/** A chunk of an LLM's streamed answer: text to speak, or a parsed function call. */
export type LLMChunk =
  | { type: 'text'; text: string }
  | { type: 'toolCall'; callId: string; name: string; arguments: string };

/** A tool as the LLM sees it. */
export interface ToolSchema {
  name: string;
  description: string;
  parameters: object;
}

export interface LLMRequest {
  history: readonly ChatItem[];
  instructions?: string;
  /** Empty on the final step after `maxToolSteps` tool steps: the model must answer in text. */
  tools: readonly ToolSchema[];
  /** Aborted when the speech is interrupted or fails: stop streaming. */
  signal: AbortSignal;
}

/**
 * A language model streaming its answer.
 * @example
 * const llm: LLM = { async *chat() { yield { type: 'text', text: 'Hello!' }; } };
 */
export interface LLM {
  chat(r: LLMRequest): AsyncIterable<LLMChunk>;
}
