import { RunInProgressError } from '../errors.js';
import type { ChatItem } from '../ports/chat-item.js';
import { RunAssert } from './run-assert.js';
import type { RunEvent } from './run-event.js';

/**
 * One user turn run by `session.run({ userInput })`: the events it caused (the history items it
 * added: messages, function calls and outputs, agent handoffs; its own user message excepted, as in
 * LiveKit), and expectations on them.
 *
 * The run is done when the session is quiet again: no speech left (the reply, its tool steps and
 * tool replies, what a new agent's `onEnter` says), no agent transition under way, no `onEnter`
 * still running. What an agent paused under an `AgentTask` still owes does not count: a task that
 * waits for the user ends the run, and the next run goes on with it.
 *
 * Not awaitable itself (a thenable that resolves to itself would never settle); await `wait()`.
 * On a `VirtualClock`, let the clock run: `await clock.runUntil(result.wait())`.
 * @example
 * const result = session.run({ userInput: 'Book a table for two' });
 * await clock.runUntil(result.wait());
 * result.expect.nextEvent().isFunctionCall({ name: 'book', args: { people: 2 } });
 */
export class RunResult {
  readonly #events: RunEvent[] = [];
  readonly #done: Promise<void>;
  #settle!: (error: unknown) => void;
  #finished = false;
  #assert: RunAssert | null = null;

  /** @internal Made by `AgentSession.run()`. */
  constructor(
    /** The user input the run started with. */
    readonly userInput: string,
  ) {
    this.#done = new Promise<void>((resolve, reject) => {
      this.#settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    // The failure reaches whoever calls wait(); unobserved, it must not be an unhandled rejection.
    this.#done.catch(() => undefined);
  }

  /** The events so far, in history order (complete once `wait()` resolved). */
  get events(): readonly RunEvent[] {
    return this.#events;
  }

  /**
   * Expectations on the events; one cursor for the whole result. Throws {@link RunInProgressError}
   * while the run is not done (its events are not all there yet).
   */
  get expect(): RunAssert {
    if (!this.#finished) throw new RunInProgressError(`RunResult.expect: the run of ${JSON.stringify(this.userInput)} is not done; await result.wait() first`);
    return (this.#assert ??= new RunAssert(this.#events, this.userInput));
  }

  /** True once the turn is done (and `wait()` settled). */
  done(): boolean {
    return this.#finished;
  }

  /**
   * Resolves with this result once the turn is done. Rejects when it failed: with the speech's
   * `SpeechFailedError` (its `cause` is the LLM, TTS or output error), or the error an agent hook threw.
   * @example await clock.runUntil(result.wait());
   */
  wait(): Promise<this> {
    return this.#done.then(() => this);
  }

  /** @internal A history item was added while the run is active. */
  _record(item: ChatItem): void {
    if (this.#finished) return;
    this.#events.push({ type: item.type, item } as RunEvent);
  }

  /** @internal The turn is done; `error`, if any, rejects `wait()`. */
  _finish(error: unknown): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#settle(error);
  }
}
