import { InvalidArgumentError } from '../errors.js';
import type { LLM } from '../ports/llm.js';
import { askJudge, judgedContent } from './judge.js';
import { criteriaOf, describeCriteria, mismatch, type EventCriteria, type RunEvent } from './run-event.js';

/** What an {@link EventAssert} needs of the run it belongs to: to fail with the run's events listed. @internal */
export interface EventAssertParent {
  fail(message: string, index: number): never;
}

/**
 * Expectations on one event of a run (from `result.expect.nextEvent()`, `at()` or a `contains...`).
 * Each check returns `this`, so they chain; a failed one throws node:assert's `AssertionError`
 * naming the event's index and listing the run's events.
 * @example
 * result.expect.nextEvent().isFunctionCall({ name: 'lookup', args: { city: 'Paris' } });
 * await result.expect.nextEvent().isMessage({ role: 'assistant' }).judge(judgeLLM, { intent: 'gives the weather' });
 */
export class EventAssert {
  /** @internal Made by `RunAssert`. */
  constructor(
    readonly event: RunEvent,
    /** The event's index in `result.events`. */
    readonly index: number,
    private readonly parent: EventAssertParent,
  ) {}

  /** The event is a message (with this role). */
  isMessage(o?: { role?: string }): this {
    return this.check(criteriaOf('EventAssert.isMessage', 'message', o));
  }

  /** The event is a function call (of this name; its parsed arguments contain `args`, deeply). */
  isFunctionCall(o?: { name?: string; args?: object }): this {
    return this.check(criteriaOf('EventAssert.isFunctionCall', 'function_call', o));
  }

  /** The event is a function call's output (exactly this output; this error flag). */
  isFunctionCallOutput(o?: { output?: string; isError?: boolean }): this {
    return this.check(criteriaOf('EventAssert.isFunctionCallOutput', 'function_call_output', o));
  }

  /** The event is an agent handoff (to the agent with this `Agent.id`). */
  isAgentHandoff(o?: { newAgentId?: string }): this {
    return this.check(criteriaOf('EventAssert.isAgentHandoff', 'agent_handoff', o));
  }

  /**
   * Asks `llm` whether the event fulfils `intent` (see `askJudge` for the prompt: it must answer
   * with a `verdict({ passed, reason })` tool call, or a first line `PASS: ...` / `FAIL: ...`).
   * Rejects with an `AssertionError` holding the judge's reason when it fails, or when the judge
   * gave no verdict; the LLM's own errors reject as they are.
   * @example await result.expect.nextEvent().isMessage({ role: 'assistant' }).judge(judgeLLM, { intent: 'offers to book a table' });
   */
  async judge(llm: LLM, o: { intent: string }): Promise<this> {
    if (!llm || typeof llm.chat !== 'function') throw new InvalidArgumentError('EventAssert.judge: llm must have a chat(request) method');
    if (o === null || typeof o !== 'object' || typeof o.intent !== 'string' || o.intent.trim() === '')
      throw new InvalidArgumentError('EventAssert.judge: intent must be a non-empty string');
    const content = judgedContent(this.event);
    if (content.trim() === '') this.parent.fail(`event [${this.index}]: cannot judge an empty message against the intent ${JSON.stringify(o.intent)}`, this.index);
    const v = await askJudge(llm, { intent: o.intent, content });
    if ('unparsed' in v)
      this.parent.fail(`event [${this.index}]: the judge gave no verdict for the intent ${JSON.stringify(o.intent)} (it answered ${JSON.stringify(v.unparsed)})`, this.index);
    if (!v.passed) this.parent.fail(`event [${this.index}]: judged not to fulfil the intent ${JSON.stringify(o.intent)}: ${v.reason || '(no reason given)'}`, this.index);
    return this;
  }

  private check(c: EventCriteria): this {
    const why = mismatch(this.event, c);
    if (why !== null) this.parent.fail(`event [${this.index}]: expected ${describeCriteria(c)}, ${why}`, this.index);
    return this;
  }
}
