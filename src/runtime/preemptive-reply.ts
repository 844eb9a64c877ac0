import { abortableIterate } from './abortable-iterate.js';
import type { ChatItem } from '../ports/chat-item.js';
import type { LLM, LLMChunk, LLMRequest } from '../ports/llm.js';
import { mayBindPrepared, replyRequestKey, takePrepared, type PreemptiveSlot } from '../core/preemptive-slot.js';

/** An LLM request as a step makes it (the signal aside). */
export interface ReplyRequest {
  llm: LLM;
  history: readonly ChatItem[];
  instructions?: string;
  tools: LLMRequest['tools'];
}

/**
 * One LLM request started before the user's turn was committed (preemptive generation): its chunks
 * are buffered (nothing plays) until the reply to that turn takes the stream, or it is cancelled.
 * Its failures are kept for the reply that takes it, never left unhandled.
 */
export class PreparedReply implements PreemptiveSlot {
  private readonly abort = new AbortController();
  private readonly chunks: LLMChunk[] = [];
  private ended = false;
  private failure: { error: unknown } | null = null;
  private wake: (() => void) | null = null;
  readonly key: string;
  /** The reply the committed turn became (set at the commit). */
  speechId: string | undefined;
  taken = false;

  constructor(
    readonly userInput: string,
    private readonly request: ReplyRequest,
  ) {
    this.key = replyRequestKey(request);
    let stream: AsyncIterable<LLMChunk>;
    try {
      stream = request.llm.chat({ history: request.history, ...(request.instructions ? { instructions: request.instructions } : {}), tools: request.tools, signal: this.abort.signal });
    } catch (e) {
      this.failure = { error: e };
      this.ended = true;
      return;
    }
    void this.pump(stream);
  }

  get cancelled(): boolean {
    return this.abort.signal.aborted;
  }

  /** The request a step would make now is the one this was started with. */
  matches(r: ReplyRequest): boolean {
    return !this.cancelled && r.llm === this.request.llm && replyRequestKey(r) === this.key;
  }

  cancel(reason: string): void {
    if (this.abort.signal.aborted) return;
    this.abort.abort(new Error(`preemptive generation cancelled: ${reason}`));
    this.notify();
  }

  /** The stream for the reply's step: what was buffered, then the rest as it comes. Aborting `signal` cancels the request. */
  take(signal: AbortSignal): AsyncIterable<LLMChunk> {
    this.taken = true;
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        const onAbort = () => self.cancel('the reply was stopped');
        signal.addEventListener('abort', onAbort, { once: true });
        if (signal.aborted) onAbort();
        try {
          for (let i = 0; ; ) {
            if (i < self.chunks.length) {
              yield self.chunks[i++]!;
              continue;
            }
            if (self.failure) throw self.failure.error;
            if (self.ended || self.cancelled) return;
            await new Promise<void>((r) => (self.wake = r));
          }
        } finally {
          signal.removeEventListener('abort', onAbort);
          // The step stopped reading (its speech was interrupted): the request has no reader left.
          if (!self.ended) self.cancel('the reply stopped reading');
        }
      },
    };
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async pump(stream: AsyncIterable<LLMChunk>): Promise<void> {
    try {
      for await (const c of abortableIterate(stream, this.abort.signal)) {
        this.chunks.push(c);
        this.notify();
      }
    } catch (e) {
      if (!this.cancelled) this.failure = { error: e };
    } finally {
      this.ended = true;
      this.notify();
    }
  }
}

/**
 * The session's preemptive generation: at most one prepared reply, for the user's prospective turn.
 * The user turn starts it and cancels it; the commit binds it to the reply it became; that reply's
 * first step takes it if its request is unchanged, else it is cancelled and a new request is made.
 * @internal
 */
export class PreemptiveReplies {
  private current: PreparedReply | null = null;

  /** Starts a prepared reply for `userInput` (cancelling the one before). */
  start(userInput: string, request: ReplyRequest): PreparedReply {
    this.cancel('a newer transcript');
    this.current = new PreparedReply(userInput, request);
    return this.current;
  }

  /** Cancels the prepared reply, if any (not one already taken by its reply). */
  cancel(reason: string): void {
    const c = this.current;
    this.current = null;
    if (c && !c.taken) c.cancel(reason);
  }

  /** The turn for `userInput` was committed as reply `speechId`: it may take the prepared reply. */
  bind(speechId: string, userInput: string): void {
    if (this.current && mayBindPrepared(this.current, userInput)) this.current.speechId = speechId;
    else this.cancel('the committed transcript differs');
  }

  /** The prepared stream for reply `speechId`'s first step, if it was made for exactly this request; else cancels it. */
  take(speechId: string, request: ReplyRequest, signal: AbortSignal): AsyncIterable<LLMChunk> | undefined {
    const c = this.current;
    if (!c || takePrepared(c, speechId, c.key) === 'none') return undefined;
    this.current = null;
    // The same decision the model steps, plus what only the runtime has: the LLM object, a cancel already under way.
    if (takePrepared(c, speechId, replyRequestKey(request)) !== 'use' || !c.matches(request)) {
      c.cancel('the history, instructions or tools changed');
      return undefined;
    }
    return c.take(signal);
  }

  /** Reply `speechId` was released: a prepared reply it never took is cancelled. */
  released(speechId: string): void {
    if (this.current?.speechId === speechId) this.cancel('its reply ended');
  }
}
