import type { ChatItem } from '../ports/chat-item.js';
import type { SessionState } from './session-state.js';

/**
 * Preemptive generation's decisions, pure: when the session may start one, which reply may take it
 * and whether its request still holds. The runtime (`PreemptiveReplies`, `AgentSession`) acts on
 * them with a real LLM stream; the composed model steps the same functions over its snapshots.
 */

/** The reply prepared for the user's prospective turn, as the decisions see it. */
export interface PreemptiveSlot {
  /** The transcript it was started for. */
  readonly userInput: string;
  /** {@link replyRequestKey} of the request it made. */
  readonly key: string;
  /** The reply the committed turn became (set at the commit). */
  speechId: string | undefined;
}

/** What a step's LLM request is made of (the LLM itself aside). */
export interface ReplyRequestShape {
  history: readonly ChatItem[];
  instructions?: string | undefined;
  tools: unknown;
}

/**
 * What must be unchanged for a prepared reply to be used: the history before the user message,
 * the user message's text, the instructions and the tools (the user message's id aside: the
 * prepared one is made up).
 * @example replyRequestKey({ history, instructions: 'Be brief.', tools: [] })
 */
export function replyRequestKey(r: ReplyRequestShape): string {
  const prior = r.history.slice(0, -1);
  const last = r.history[r.history.length - 1];
  return JSON.stringify({
    prior,
    user: last?.type === 'message' && last.role === 'user' ? last.content : null,
    instructions: r.instructions ?? '',
    tools: r.tools,
  });
}

/**
 * The session may start a preemptive generation: started, not closed, no agent transition under
 * way, an agent active, no speech pending (LiveKit: not while a speech is active or scheduling is
 * paused) and the scheduler serving.
 * @example if (mayPreemptReply(router.state, scheduler.getSnapshot().value === 'active')) prepare(text);
 */
export function mayPreemptReply(s: SessionState, schedulerActive: boolean): boolean {
  return s.started && !s.closed && s.transitions.length === 0 && s.activeAgent !== null && s.speeches.size === 0 && schedulerActive;
}

/**
 * The turn `userInput` was committed: the prepared reply may be bound to its reply only if it was
 * made for exactly that transcript and no reply took it yet; otherwise it is cancelled.
 * @example mayBindPrepared(slot, 'a table for four') // true: bind it, false: cancel it
 */
export function mayBindPrepared(slot: PreemptiveSlot | null, userInput: string): boolean {
  return slot !== null && slot.speechId === undefined && slot.userInput === userInput;
}

/**
 * At the first step of reply `speechId`, with the request it would make now (its key): `'use'` the
 * prepared stream, `'stale'` (bound to it, but history, instructions or tools changed: cancel it and
 * ask anew), or `'none'` (nothing prepared for this reply).
 * @example takePrepared(slot, 'speech_2', replyRequestKey(req)) // 'use'
 */
export function takePrepared(slot: PreemptiveSlot | null, speechId: string, key: string): 'use' | 'stale' | 'none' {
  if (!slot || slot.speechId !== speechId) return 'none';
  return slot.key === key ? 'use' : 'stale';
}
