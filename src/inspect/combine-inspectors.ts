import type { InspectionEvent, Observer } from 'xstate';
import type { ChatItem } from '../ports/chat-item.js';
import { conversationOf } from '../runtime/conversation-observer.js';
import type { InspectionObserver } from './trace-recorder.js';

/**
 * One inspection observer that feeds several (a trace file, the inspector page, Stately's bridge).
 * The conversation (see `ConversationObserver`) goes to those that take it. An observer that throws
 * is skipped for that event; the others still get it.
 * @example
 * const inspect = combineInspectors(recorder.inspect, inspector.inspect);
 * const session = new AgentSession({ llm, tts, audioOutput, inspect });
 */
export function combineInspectors(...observers: (InspectionObserver | undefined)[]): Observer<InspectionEvent> & { conversation: (item: ChatItem) => void } {
  const present = observers.filter((o): o is InspectionObserver => o !== undefined);
  const fns = present.map((o) => (typeof o === 'function' ? o : (ev: InspectionEvent) => o.next?.(ev)));
  const talkers = present.map(conversationOf).filter((f) => f !== undefined);
  return {
    next: (ev) => {
      for (const f of fns) {
        try {
          f(ev);
        } catch {
          /* inspection must never break the session */
        }
      }
    },
    conversation: (item) => {
      for (const f of talkers) {
        try {
          f(item);
        } catch {
          /* inspection must never break the session */
        }
      }
    },
  };
}
