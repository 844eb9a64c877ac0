import { AssertionError } from 'node:assert';
import { InvalidArgumentError } from '../errors.js';
import { EventAssert, type EventAssertParent } from './event-assert.js';
import { checkEventType, criteriaOf, describeCriteria, formatEvent, formatEvents, mismatch, type EventCriteria, type RunEvent } from './run-event.js';

/**
 * Expectations on a run's events, in order, as LiveKit's `RunAssert`: a cursor walks the events
 * (`nextEvent`, `skipNext`, `skipNextEventIf`, `noMoreEvents`); `at` and the `contains...` checks
 * look at any event without moving it. A failed expectation throws node:assert's `AssertionError`
 * whose message names the index, what was expected, and lists the run's events.
 * @example
 * const result = session.run({ userInput: 'Weather in Paris?' });
 * await clock.runUntil(result.wait());
 * result.expect.nextEvent().isFunctionCall({ name: 'lookup', args: { city: 'Paris' } });
 * result.expect.nextEvent().isFunctionCallOutput();
 * result.expect.nextEvent().isMessage({ role: 'assistant' });
 * result.expect.noMoreEvents();
 */
export class RunAssert {
  private cursor = 0;
  private readonly parent: EventAssertParent = { fail: (message, index) => this.fail(message, index) };

  /** @internal Made by `RunResult.expect`. */
  constructor(
    private readonly events: readonly RunEvent[],
    /** Named in failure messages. */
    private readonly userInput: string,
  ) {}

  /** The event at the cursor (the next one of `type`, skipping others), and moves past it. */
  nextEvent(o?: { type?: RunEvent['type'] }): EventAssert {
    const type = o?.type === undefined ? undefined : checkEventType('RunAssert.nextEvent', o.type);
    const from = this.cursor;
    while (this.cursor < this.events.length) {
      const i = this.cursor++;
      if (type === undefined || this.events[i]!.type === type) return new EventAssert(this.events[i]!, i, this.parent);
    }
    const what = type === undefined ? 'another event' : `another ${type} event`;
    return this.fail(`event [${from}]: expected ${what}, but ${this.remaining(from)}`, from);
  }

  /** The event at `index` (negative counts from the end); the cursor stays. */
  at(index: number): EventAssert {
    if (!Number.isInteger(index)) throw new InvalidArgumentError(`RunAssert.at: index must be an integer, got ${String(index)}`);
    const i = index < 0 ? this.events.length + index : index;
    if (i < 0 || i >= this.events.length) return this.fail(`event [${index}]: out of range, the run has ${this.events.length} event(s)`, i);
    return new EventAssert(this.events[i]!, i, this.parent);
  }

  /** Moves the cursor past `n` events (default 1); fails when fewer are left. */
  skipNext(n = 1): this {
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`RunAssert.skipNext: n must be a non-negative integer, got ${String(n)}`);
    if (this.cursor + n > this.events.length) this.fail(`event [${this.cursor}]: cannot skip ${n} event(s), ${this.remaining(this.cursor)}`, this.cursor);
    this.cursor += n;
    return this;
  }

  /** Moves the cursor past the next event if it matches; otherwise (or with none left) leaves it. */
  skipNextEventIf(
    o: { type: 'message'; role?: string } | { type: 'function_call'; name?: string; args?: object } | { type: 'function_call_output'; output?: string; isError?: boolean } | { type: 'agent_handoff'; newAgentId?: string },
  ): this {
    if (o === null || typeof o !== 'object') throw new InvalidArgumentError('RunAssert.skipNextEventIf: options must be an object with a type');
    const c = criteriaOf('RunAssert.skipNextEventIf', checkEventType('RunAssert.skipNextEventIf', o.type), o);
    const next = this.events[this.cursor];
    if (next && mismatch(next, c) === null) this.cursor++;
    return this;
  }

  /** Some event of the run (anywhere) is a message (with this role). The cursor stays. */
  containsMessage(o?: { role?: string }): EventAssert {
    return this.find(criteriaOf('RunAssert.containsMessage', 'message', o));
  }

  /** Some event is a function call (of this name; its parsed arguments contain `args`, deeply). */
  containsFunctionCall(o?: { name?: string; args?: object }): EventAssert {
    return this.find(criteriaOf('RunAssert.containsFunctionCall', 'function_call', o));
  }

  /** Some event is a function call's output (exactly this output; this error flag). */
  containsFunctionCallOutput(o?: { output?: string; isError?: boolean }): EventAssert {
    return this.find(criteriaOf('RunAssert.containsFunctionCallOutput', 'function_call_output', o));
  }

  /** Some event is an agent handoff (to the agent with this `Agent.id`). */
  containsAgentHandoff(o?: { newAgentId?: string }): EventAssert {
    return this.find(criteriaOf('RunAssert.containsAgentHandoff', 'agent_handoff', o));
  }

  /** No event is left after the cursor. */
  noMoreEvents(): void {
    const next = this.events[this.cursor];
    if (next) this.fail(`event [${this.cursor}]: expected no more events, got ${formatEvent(next)}`, this.cursor);
  }

  private find(c: EventCriteria): EventAssert {
    const i = this.events.findIndex((e) => mismatch(e, c) === null);
    if (i < 0) {
      const range = this.events.length === 0 ? 'the run has no events' : `none of events [0..${this.events.length - 1}] is`;
      return this.fail(`expected ${describeCriteria(c)} somewhere in the run, but ${range}${this.events.length === 0 ? '' : ' one'}`);
    }
    return new EventAssert(this.events[i]!, i, this.parent);
  }

  private remaining(from: number): string {
    const left = this.events.length - from;
    return left <= 0 ? `the run has only ${this.events.length} event(s)` : `only ${left} event(s) are left`;
  }

  private fail(message: string, index?: number): never {
    throw new AssertionError({ message: `${message}\nEvents of the run (user input ${JSON.stringify(this.userInput)}):\n${formatEvents(this.events, index)}` });
  }
}
