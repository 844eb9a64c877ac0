import { llm as lk, type APIConnectOptions } from '@livekit/agents';
import type { ChatItem } from '../ports/chat-item.js';
import type { LLM, LLMChunk, LLMRequest, ToolSchema } from '../ports/llm.js';
import { InvalidArgumentError } from '../errors.js';
import { ensureLiveKitLogger } from './livekit-logger.js';
import { PluginFailures } from './plugin-failure.js';

export interface FromLiveKitLLMOptions {
  /** Passed to the plugin's `chat()` (e.g. 'required'). Default: the plugin's own. */
  toolChoice?: lk.ToolChoice;
  /** Passed to the plugin's `chat()`. Default: the plugin's own (OpenAI: true). */
  parallelToolCalls?: boolean;
  /** Retries and timeouts of the plugin's request. Default: the plugin's. */
  connOptions?: APIConnectOptions;
}

/**
 * speechcharts' LLM port on a LiveKit LLM plugin (`@livekit/agents` 1.9 `llm.LLM`): the session's
 * history becomes a `ChatContext` (messages, tool calls and their outputs), its tool schemas become
 * function tools the plugin advertises but never runs (speechcharts runs its tools itself), and the
 * plugin's chunks come back as text and whole tool calls. The request's abort signal closes the
 * plugin's stream at once, which aborts its HTTP request.
 * @example
 * import * as openai from '@livekit/agents-plugin-openai';
 * const session = new AgentSession({ llm: fromLiveKitLLM(new openai.LLM({ model: 'gpt-4o-mini' })), tts, audioOutput });
 */
export function fromLiveKitLLM(model: lk.LLM, o: FromLiveKitLLMOptions = {}): LLM {
  if (!(model instanceof lk.LLM)) throw new InvalidArgumentError('fromLiveKitLLM: expected an llm.LLM from @livekit/agents (e.g. new openai.LLM(...)); a second copy of @livekit/agents in node_modules also fails this check: keep it a single peer dependency');
  const failures = new PluginFailures(model, model.label());
  return { chat: (r) => chat(model, failures, r, o) };
}

async function* chat(model: lk.LLM, failures: PluginFailures, r: LLMRequest, o: FromLiveKitLLMOptions): AsyncGenerator<LLMChunk> {
  if (r.signal.aborted) return;
  ensureLiveKitLogger();
  const stream = model.chat({
    chatCtx: toChatContext(r.history, r.instructions),
    ...(r.tools.length > 0 ? { toolCtx: r.tools.map(toFunctionTool) } : {}),
    ...(o.toolChoice !== undefined ? { toolChoice: o.toolChoice } : {}),
    ...(o.parallelToolCalls !== undefined ? { parallelToolCalls: o.parallelToolCalls } : {}),
    ...(o.connOptions ? { connOptions: o.connOptions } : {}),
  });
  // LLMStream has no return(): leaving the loop would not end the request. close() aborts it.
  const close = () => stream.close();
  r.signal.addEventListener('abort', close, { once: true });
  const watch = failures.watch(close);
  try {
    for await (const chunk of stream) {
      const text = chunk.delta?.content;
      if (text) yield { type: 'text', text };
      for (const call of chunk.delta?.toolCalls ?? []) yield { type: 'toolCall', callId: call.callId, name: call.name, arguments: call.args };
    }
    if (!r.signal.aborted) watch.throwIfFailed();
  } finally {
    r.signal.removeEventListener('abort', close);
    watch.off();
    stream.close();
  }
}

/**
 * speechcharts' history as a LiveKit `ChatContext`, instructions first as a system message. Items
 * get increasing `createdAt` so the context keeps the history's order. Empty messages (a reply cut
 * before its first word) and handoff markers carry nothing for the model and are left out.
 * @example toChatContext([{ type: 'message', id: 'm1', role: 'user', content: 'hi' }], 'Be brief.')
 */
export function toChatContext(history: readonly ChatItem[], instructions?: string): lk.ChatContext {
  const t0 = Date.now();
  const items: lk.ChatItem[] = [];
  const at = () => t0 + items.length;
  if (instructions) items.push(lk.ChatMessage.create({ role: 'system', content: instructions, createdAt: at() }));
  for (const it of history) {
    if (it.type === 'message') {
      if (it.content === '') continue;
      items.push(lk.ChatMessage.create({ id: it.id, role: it.role, content: it.content, interrupted: it.interrupted ?? false, createdAt: at() }));
    } else if (it.type === 'function_call') {
      items.push(lk.FunctionCall.create({ id: it.id, callId: it.callId, name: it.name, args: it.arguments, createdAt: at() }));
    } else if (it.type === 'function_call_output') {
      items.push(lk.FunctionCallOutput.create({ id: it.id, callId: it.callId, name: it.name, output: it.output, isError: it.isError, createdAt: at() }));
    }
  }
  return new lk.ChatContext(items);
}

/** A speechcharts tool schema as a LiveKit function tool: advertised to the model, never executed by the plugin. */
function toFunctionTool(t: ToolSchema): lk.ToolContextEntry {
  return lk.tool({
    name: t.name,
    description: t.description,
    // A JSON schema: the plugin sends it as is (it converts only Zod schemas).
    parameters: t.parameters as Record<string, unknown>,
    execute: async () => {
      throw new Error(`speechcharts runs its tools itself; the LiveKit plugin must not execute ${t.name}`);
    },
  });
}
