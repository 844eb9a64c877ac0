import type { AgentSession, AgentSessionEventMap, ChatItem } from '../../src/index.js';

/** Resolves with the first history item added that matches (an event, never a wait on the wall clock). */
export function itemAdded(session: AgentSession, match: (item: ChatItem) => boolean): Promise<ChatItem> {
  return new Promise((resolve) => {
    const on = ({ item }: AgentSessionEventMap['conversation_item_added']) => {
      if (!match(item)) return;
      session.off('conversation_item_added', on);
      resolve(item);
    };
    session.on('conversation_item_added', on);
  });
}

export const assistantSaid = (text: string) => (i: ChatItem) => i.type === 'message' && i.role === 'assistant' && i.content === text;

/** The session's history as short lines. */
export function lines(session: AgentSession): string[] {
  return session.history.map((i) => (i.type === 'message' ? `${i.role}: ${i.content}` : i.type));
}
