import { InvalidArgumentError, SpeechchartsError } from '../errors.js';
import { realClock, type Clock } from '../ports/clock.js';
import type { LLM, LLMChunk, LLMRequest } from '../ports/llm.js';
import { clockDelay } from './clock-delay.js';

/** One scripted answer of a {@link FakeLLM}, as LiveKit's `FakeLLMResponse`. */
export interface FakeLLMResponse {
  /** The request it answers: the last user message's text, or the last tool output (see {@link FakeLLM}). */
  input: string;
  type?: 'llm';
  /** Text of the reply (streamed in chunks of 3 characters, as LiveKit's). */
  content?: string;
  /** Milliseconds before the first chunk (on the clock). */
  ttft?: number;
  /** Milliseconds the whole answer takes, from the request (the stream ends no sooner). */
  duration?: number;
  /** Tool calls, after the text. Call ids are `fake_call_<n>`, unique across the LLM's answers. */
  toolCalls?: { name: string; args: Record<string, unknown> }[];
}

/** A request a {@link FakeLLM} has no response for (its message lists the inputs it knows). */
export class NoFakeResponseError extends SpeechchartsError {
  readonly input: string;
  constructor(input: string, known: string[]) {
    super(`FakeLLM: no response for the input ${JSON.stringify(input)} (known inputs: ${known.map((k) => JSON.stringify(k)).join(', ') || 'none'})`);
    this.input = input;
  }
}

/**
 * A scripted LLM keyed the way LiveKit's `FakeLLM` is: a request is answered by the response whose
 * `input` is the text of the last user message, or the output of the last tool call when the last
 * history item is a tool output (the tool reply). Any other request (an `onEnter` greeting, say) is
 * keyed `instructions:<the last line of the request's instructions>`: a reply's own instructions come
 * last. A request with no response throws {@link NoFakeResponseError} (a typo must not pass as
 * silence); `{ unmatched: 'empty' }` answers it with nothing instead, as LiveKit's does.
 * @example
 * const llm = new FakeLLM([
 *   { input: 'Weather in Paris?', content: 'Let me check.', toolCalls: [{ name: 'lookup', args: { city: 'Paris' } }] },
 *   { input: 'sunny', content: 'It is sunny in Paris.', ttft: 200 },
 * ], { clock });
 */
export class FakeLLM implements LLM {
  /** Every request received, in order. */
  readonly requests: LLMRequest[] = [];
  private readonly responses = new Map<string, FakeLLMResponse>();
  private readonly clock: Clock;
  private readonly unmatched: 'error' | 'empty';
  private calls = 0;

  constructor(responses: FakeLLMResponse[] = [], o: { clock?: Clock; unmatched?: 'error' | 'empty' } = {}) {
    if (!Array.isArray(responses)) throw new InvalidArgumentError('FakeLLM: responses must be an array of { input, content?, toolCalls?, ttft?, duration? }');
    for (const [i, r] of responses.entries()) {
      if (r === null || typeof r !== 'object' || typeof r.input !== 'string') throw new InvalidArgumentError(`FakeLLM: responses[${i}].input must be a string`);
      if (r.content !== undefined && typeof r.content !== 'string') throw new InvalidArgumentError(`FakeLLM: responses[${i}].content must be a string`);
      for (const k of ['ttft', 'duration'] as const)
        if (r[k] !== undefined && (typeof r[k] !== 'number' || !Number.isFinite(r[k]) || r[k]! < 0)) throw new InvalidArgumentError(`FakeLLM: responses[${i}].${k} must be a non-negative number of milliseconds`);
      if (r.toolCalls !== undefined && (!Array.isArray(r.toolCalls) || r.toolCalls.some((c) => typeof c?.name !== 'string')))
        throw new InvalidArgumentError(`FakeLLM: responses[${i}].toolCalls must be an array of { name, args }`);
      if (this.responses.has(r.input)) throw new InvalidArgumentError(`FakeLLM: responses[${i}].input ${JSON.stringify(r.input)} is given twice`);
      this.responses.set(r.input, r);
    }
    if (o.unmatched !== undefined && o.unmatched !== 'error' && o.unmatched !== 'empty') throw new InvalidArgumentError(`FakeLLM: unmatched must be 'error' or 'empty', got ${JSON.stringify(o.unmatched)}`);
    this.clock = o.clock ?? realClock;
    this.unmatched = o.unmatched ?? 'error';
  }

  /** The key a request is answered by (see the class comment). */
  static inputOf(req: LLMRequest): string {
    const last = req.history[req.history.length - 1];
    if (last?.type === 'message' && last.role === 'user') return last.content;
    if (last?.type === 'function_call_output') return last.output;
    const lines = (req.instructions ?? '').split('\n');
    return `instructions:${lines[lines.length - 1] ?? ''}`;
  }

  chat(req: LLMRequest): AsyncIterable<LLMChunk> {
    this.requests.push(req);
    const input = FakeLLM.inputOf(req);
    const r = this.responses.get(input);
    // Call ids are drawn now, in request order, so they do not depend on how streams interleave.
    const calls = (r?.toolCalls ?? []).map((c) => ({ ...c, callId: `fake_call_${++this.calls}` }));
    const clock = this.clock;
    const known = [...this.responses.keys()];
    const unmatched = this.unmatched;
    return {
      async *[Symbol.asyncIterator]() {
        if (!r) {
          if (unmatched === 'error') throw new NoFakeResponseError(input, known);
          return;
        }
        const start = clock.now();
        if (r.ttft) await clockDelay(clock, r.ttft, req.signal);
        const content = r.content ?? '';
        for (let i = 0; i < content.length; i += 3) {
          if (req.signal.aborted) return;
          yield { type: 'text', text: content.slice(i, i + 3) };
        }
        for (const c of calls) {
          if (req.signal.aborted) return;
          yield { type: 'toolCall', callId: c.callId, name: c.name, arguments: JSON.stringify(c.args ?? {}) };
        }
        const left = (r.duration ?? 0) - (clock.now() - start);
        if (left > 0) await clockDelay(clock, left, req.signal);
      },
    };
  }
}
