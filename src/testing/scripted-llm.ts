import type { ChatItem } from '../ports/chat-item.js';
import type { Clock } from '../ports/clock.js';
import { clockDelay } from './clock-delay.js';
import type { LLM, LLMChunk, LLMRequest } from '../ports/llm.js';

/** When a scripted reply applies. */
export type ReplyMatch =
  /** The last history item is a user message with this content (or matching this pattern). */
  | { userInput: string | RegExp }
  /** The last history item is the output of this tool (the step after a tool call). */
  | { afterTool: string }
  | ((req: LLMRequest) => boolean);

export interface ScriptedReply {
  when?: ReplyMatch;
  /** Text (spoken as one chunk) or a list of chunks. */
  reply: string | (LLMChunk | string)[];
  /** Virtual ms before the first chunk (time to first token). */
  ttftMs?: number;
  /** Virtual ms between chunks. */
  chunkDelayMs?: number;
  /** Throw this error after the chunks (fault tests). */
  error?: Error;
  /** Use this reply once only. */
  once?: boolean;
}

/** A request that no scripted reply matched. */
export class NoScriptedReplyError extends Error {
  constructor(last: ChatItem | undefined) {
    super(`ScriptedLLM: no scripted reply matches the request (last history item: ${JSON.stringify(last ?? null)})`);
    this.name = 'NoScriptedReplyError';
  }
}

/**
 * An LLM that answers from a script: the first matching reply wins (replies without `when` match anything).
 * Timing runs on the given clock, so a virtual clock makes it deterministic.
 * @example
 * const llm = new ScriptedLLM({ clock, replies: [
 *   { when: { userInput: 'run it' }, reply: ['Sure, one moment.', { type: 'toolCall', callId: 'c1', name: 'slow', arguments: '{}' }] },
 *   { when: { afterTool: 'slow' }, reply: 'Done!' },
 * ] });
 */
export class ScriptedLLM implements LLM {
  /** Every request received, in order. */
  readonly requests: LLMRequest[] = [];
  private readonly used = new Set<ScriptedReply>();

  constructor(private readonly o: { replies: ScriptedReply[]; clock?: Clock }) {}

  chat(req: LLMRequest): AsyncIterable<LLMChunk> {
    this.requests.push(req);
    const script = this.o.replies.find((r) => !this.used.has(r) && matches(r.when, req));
    const clock = this.o.clock;
    let n = 0;
    return {
      [Symbol.asyncIterator]: async function* (this: ScriptedLLM) {
        if (!script) throw new NoScriptedReplyError(req.history[req.history.length - 1]);
        if (script.once) this.used.add(script);
        const chunks = typeof script.reply === 'string' ? [script.reply] : script.reply;
        for (const c of chunks) {
          const wait = n === 0 ? script.ttftMs : script.chunkDelayMs;
          if (wait && clock) await clockDelay(clock, wait, req.signal);
          if (req.signal.aborted) return;
          n++;
          yield typeof c === 'string' ? ({ type: 'text', text: c } as const) : c;
        }
        if (script.error) throw script.error;
      }.bind(this),
    };
  }
}

function matches(when: ReplyMatch | undefined, req: LLMRequest): boolean {
  if (!when) return true;
  if (typeof when === 'function') return when(req);
  const last = req.history[req.history.length - 1];
  if ('userInput' in when) {
    if (!last || last.type !== 'message' || last.role !== 'user') return false;
    return typeof when.userInput === 'string' ? last.content === when.userInput : when.userInput.test(last.content);
  }
  return !!last && last.type === 'function_call_output' && last.name === when.afterTool;
}
