import type { ChatItem } from '../ports/chat-item.js';
import type { Clock } from '../ports/clock.js';
import { SpeechchartsError } from '../errors.js';
import type { LLM, LLMChunk, LLMRequest } from '../ports/llm.js';
import type { ScenarioReply } from './scenario-schema.js';

/** The scenario has no reply for this request (and no default reply). */
export class NoScenarioReplyError extends SpeechchartsError {}

export interface ScenarioLLMOptions {
  replies: ScenarioReply[];
  clock: Clock;
  /**
   * Text for user input no reply matches (live input from a room). Without it such input fails
   * the speech with {@link NoScenarioReplyError}.
   */
  fallback?: (userInput: string) => string;
}

/**
 * An LLM that answers from a scenario's replies, streaming on a {@link Clock}: it waits the reply's
 * `ttftMs`, then yields its text in word-sized chunks `chunkDelayMs` apart, then its tool calls.
 * The first reply whose `when` matches the last history item wins; a reply without `when` matches
 * anything. Stops at once (no error) when the request's signal aborts.
 * @example
 * const llm = new ScenarioLLM({ replies: scenario.replies, clock: realClock });
 * const session = new AgentSession({ llm, tts, audioOutput });
 */
export class ScenarioLLM implements LLM {
  /** Every request received, in order. */
  readonly requests: LLMRequest[] = [];
  private nextCall = 0;

  constructor(private readonly o: ScenarioLLMOptions) {}

  chat(req: LLMRequest): AsyncIterable<LLMChunk> {
    return this.chatAs(req, undefined);
  }

  /**
   * The LLM of one scenario agent: replies with `when.agent` match only its requests.
   * @example new ScenarioAgent(..., { llm: scenarioLlm.forAgent('booking') })
   */
  forAgent(agent: string): LLM {
    return { chat: (req) => this.chatAs(req, agent) };
  }

  private chatAs(req: LLMRequest, agent: string | undefined): AsyncIterable<LLMChunk> {
    this.requests.push(req);
    const last = req.history[req.history.length - 1];
    const found = this.o.replies.find((r) => matches(r, last, agent));
    const reply = found ? withOutput(found, last) : this.fallbackFor(last);
    // Call ids are fixed when the request is made, so they follow request order.
    const calls = reply?.toolCalls.map((c) => ({ ...c, callId: c.callId ?? `call_${++this.nextCall}` })) ?? [];
    const clock = this.o.clock;
    return {
      async *[Symbol.asyncIterator]() {
        if (!reply) throw new NoScenarioReplyError(`the scenario has no reply after ${describeItem(last)}`);
        // A tool-less final step (after maxToolSteps) must not issue calls.
        const allowed = req.tools.length > 0;
        const chunks: LLMChunk[] = wordChunks(reply.text).map((text) => ({ type: 'text', text }));
        for (const c of calls) if (allowed) chunks.push({ type: 'toolCall', callId: c.callId, name: c.name, arguments: c.arguments });
        for (let i = 0; i < chunks.length; i++) {
          await sleep(clock, i === 0 ? reply.ttftMs : reply.chunkDelayMs, req.signal);
          if (req.signal.aborted) return;
          yield chunks[i]!;
        }
      },
    };
  }

  private fallbackFor(last: ChatItem | undefined): ScenarioReply | undefined {
    if (!this.o.fallback || !last || last.type !== 'message' || last.role !== 'user') return undefined;
    return { text: this.o.fallback(last.content), toolCalls: [], ttftMs: 150, chunkDelayMs: 20 };
  }
}

function matches(r: ScenarioReply, last: ChatItem | undefined, agent: string | undefined): boolean {
  const w = r.when;
  if (!w) return true;
  if (w.agent !== undefined && w.agent !== agent) return false;
  if (w.userInput !== undefined) return !!last && last.type === 'message' && last.role === 'user' && last.content === w.userInput;
  if (w.afterTool !== undefined) return !!last && last.type === 'function_call_output' && last.name === w.afterTool;
  if (w.afterHandoff) return !!last && last.type === 'agent_handoff';
  return true; // `{ agent }` alone: that agent's default
}

/** The reply with `{{output}}` / `{{output.field}}` filled in from the tool output it answers. */
function withOutput(r: ScenarioReply, last: ChatItem | undefined): ScenarioReply {
  if (!r.text.includes('{{') || !last || last.type !== 'function_call_output') return r;
  let parsed: unknown;
  try {
    parsed = JSON.parse(last.output);
  } catch {
    parsed = last.output; // plain text output: {{output}} is the text itself
  }
  const text = r.text.replace(/\{\{\s*output((?:\.[A-Za-z0-9_]+)*)\s*\}\}/g, (_, path: string) => {
    let v: unknown = parsed;
    for (const k of path.split('.').filter(Boolean)) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    if (v === undefined) return path ? '' : last.output;
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
  return { ...r, text };
}

/**
 * Splits text into word-sized chunks, each keeping its trailing space, as an LLM streams tokens.
 * @example wordChunks('Sure, let me') // ['Sure, ', 'let ', 'me']
 */
export function wordChunks(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
}

function describeItem(item: ChatItem | undefined): string {
  if (!item) return 'an empty history';
  if (item.type === 'message') return `${item.role} message ${JSON.stringify(item.content)}`;
  if (item.type === 'function_call_output') return `the output of tool ${item.name}`;
  if (item.type === 'agent_handoff') return `the handoff to ${item.newAgentId}`;
  return `a call of ${item.name}`;
}

/**
 * Waits `ms` on the clock; resolves early (and clears its timer) when `signal` aborts.
 * @example await sleep(clock, 200, request.signal);
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => {
      clock.clearTimeout(h);
      resolve();
    };
    const h = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
