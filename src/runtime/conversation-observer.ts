import type { ChatItem } from '../ports/chat-item.js';

/**
 * An inspection observer may also take the conversation: when the `inspect` observer given to
 * `AgentSession` has a `conversation` method, the session hands it each history item as it is
 * committed (user input, what was heard, tool calls and outputs), in history order. XState's
 * inspection events carry none of it; the trace recorder and the inspector server have one.
 * @example
 * const inspect = { next: (ev) => log(ev), conversation: (item) => log(item) };
 * new AgentSession({ llm, tts, audioOutput, inspect });
 */
export interface ConversationObserver {
  conversation?: (item: ChatItem) => void;
}

/**
 * The observer's `conversation` method, bound, or undefined when it has none.
 * @example const toInspector = conversationOf(o.inspect); toInspector?.(item);
 */
export function conversationOf(observer: unknown): ((item: ChatItem) => void) | undefined {
  const f = (observer as ConversationObserver | null | undefined)?.conversation;
  return typeof f === 'function' ? f.bind(observer) : undefined;
}
