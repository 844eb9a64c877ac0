import { InvalidArgumentError } from './errors.js';
import { isTool } from './tool.js';
import type { AgentSessionOptions } from './agent-session.js';
import type { ChatItem } from './ports/chat-item.js';
import type { SessionState } from './core/session-state.js';

/** Argument checks of the session's public API: each bad input gets an error naming what was wrong. */

export function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

export function typeName(x: unknown): string {
  return x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x;
}

export function checkOptions(where: string, o: unknown, spec: Record<string, 'string' | 'boolean' | 'number'>): void {
  if (o === undefined) return;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new InvalidArgumentError(`${where}: options must be an object, got ${typeName(o)}`);
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    const want = spec[k];
    if (!want) throw new InvalidArgumentError(`${where}: unknown option '${k}' (known: ${Object.keys(spec).join(', ')})`);
    if (v !== undefined && typeof v !== want) throw new InvalidArgumentError(`${where}: option '${k}' must be a ${want}, got ${typeName(v)}`);
    if (want === 'number' && v !== undefined && !Number.isFinite(v)) throw new InvalidArgumentError(`${where}: option '${k}' must be a finite number, got ${String(v)}`);
  }
}

export function validateOptions(o: AgentSessionOptions): void {
  const where = 'new AgentSession';
  if (o === null || typeof o !== 'object') throw new InvalidArgumentError(`${where}: options must be an object, got ${typeName(o)}`);
  if (!o.llm || typeof o.llm.chat !== 'function') throw new InvalidArgumentError(`${where}: llm must have a chat(request) method`);
  // Both (a voice session) or neither (text-only): a TTS with nowhere to play, or an output with no voice, is a mistake.
  if ((o.tts === undefined) !== (o.audioOutput === undefined))
    throw new InvalidArgumentError(
      `${where}: ${o.tts === undefined ? 'tts is required with audioOutput' : 'audioOutput is required with tts'} (give both for a voice session, or neither for a text-only one)`,
    );
  if (o.tts !== undefined && (!o.tts || typeof o.tts.synthesize !== 'function')) throw new InvalidArgumentError(`${where}: tts must have a synthesize(text, { signal }) method`);
  if (o.audioOutput !== undefined) {
    const out = o.audioOutput as unknown as Record<string, unknown> | null;
    if (!out || typeof out !== 'object') throw new InvalidArgumentError(`${where}: audioOutput must be an object, got ${typeName(out)}`);
    for (const m of ['captureFrame', 'flush', 'clearBuffer', 'waitForPlayout'])
      if (typeof out[m] !== 'function') throw new InvalidArgumentError(`${where}: audioOutput.${m} must be a function`);
  }
  if (o.tools !== undefined) {
    if (o.tools === null || typeof o.tools !== 'object') throw new InvalidArgumentError(`${where}: tools must be a record of tool() definitions`);
    for (const [name, t] of Object.entries(o.tools)) {
      if (!isTool(t)) throw new InvalidArgumentError(`${where}: tools.${name} was not created with tool()`);
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new InvalidArgumentError(`${where}: tool name '${name}' must match [A-Za-z0-9_-]{1,64}`);
    }
  }
  if (o.maxToolSteps !== undefined && (!Number.isInteger(o.maxToolSteps) || o.maxToolSteps < 0))
    throw new InvalidArgumentError(`${where}: maxToolSteps must be a non-negative integer, got ${String(o.maxToolSteps)}`);
  if (o.instructions !== undefined && typeof o.instructions !== 'string') throw new InvalidArgumentError(`${where}: instructions must be a string`);
  if (o.allowInterruptions !== undefined && typeof o.allowInterruptions !== 'boolean')
    throw new InvalidArgumentError(`${where}: allowInterruptions must be a boolean`);
  if (o.clock !== undefined) {
    const c = o.clock as unknown as Record<string, unknown> | null;
    if (c === null || typeof c !== 'object' || ['now', 'setTimeout', 'clearTimeout'].some((m) => typeof c[m] !== 'function'))
      throw new InvalidArgumentError(`${where}: clock must have now(), setTimeout(fn, ms) and clearTimeout(handle) methods`);
  }
  checkIoTimeouts(where, o.ioTimeouts);
  if (o.initialHistory !== undefined) checkInitialHistory(where, o.initialHistory);
  if (o.inspect !== undefined && typeof o.inspect !== 'function' && (typeof o.inspect !== 'object' || o.inspect === null))
    throw new InvalidArgumentError(`${where}: inspect must be an XState inspection observer (a function or { next })`);
}

const IO_TIMEOUT_FIELDS = ['llmMs', 'ttsMs', 'audioOutputMs'];

function checkIoTimeouts(where: string, t: unknown): void {
  if (t === undefined || t === false) return;
  if (t === null || typeof t !== 'object' || Array.isArray(t))
    throw new InvalidArgumentError(`${where}: ioTimeouts must be false or an object { llmMs?, ttsMs?, audioOutputMs? }, got ${typeName(t)}`);
  for (const [k, v] of Object.entries(t as Record<string, unknown>)) {
    if (!IO_TIMEOUT_FIELDS.includes(k)) throw new InvalidArgumentError(`${where}: unknown option 'ioTimeouts.${k}' (known: ${IO_TIMEOUT_FIELDS.join(', ')})`);
    if (v === undefined || v === false) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw new InvalidArgumentError(`${where}: ioTimeouts.${k} must be a positive finite number of milliseconds or false, got ${typeof v === 'number' ? String(v) : typeName(v)}`);
  }
}

const ROLES = ['system', 'user', 'assistant'];

/** Each item of `initialHistory` must be one the session could have made: the LLM gets it as it is. */
function checkInitialHistory(where: string, items: unknown): void {
  if (!Array.isArray(items)) throw new InvalidArgumentError(`${where}: initialHistory must be an array of chat items, got ${typeName(items)}`);
  const ids = new Set<string>();
  const calls = new Set<string>();
  items.forEach((it: unknown, i) => {
    const at = `${where}: initialHistory[${i}]`;
    if (it === null || typeof it !== 'object' || Array.isArray(it)) throw new InvalidArgumentError(`${at} must be a chat item object, got ${typeName(it)}`);
    const x = it as Record<string, unknown>;
    const str = (k: string, optional = false) => {
      if (optional && x[k] === undefined) return;
      if (typeof x[k] !== 'string') throw new InvalidArgumentError(`${at}.${k} must be a string, got ${typeName(x[k])}`);
    };
    const bool = (k: string, optional = false) => {
      if (optional && x[k] === undefined) return;
      if (typeof x[k] !== 'boolean') throw new InvalidArgumentError(`${at}.${k} must be a boolean, got ${typeName(x[k])}`);
    };
    if (typeof x.id !== 'string' || x.id === '') throw new InvalidArgumentError(`${at}.id must be a non-empty string`);
    if (ids.has(x.id)) throw new InvalidArgumentError(`${at}.id '${x.id}' is used by an earlier item`);
    ids.add(x.id);
    switch (x.type) {
      case 'message':
        if (!ROLES.includes(x.role as string)) throw new InvalidArgumentError(`${at}.role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(x.role)}`);
        str('content');
        bool('interrupted', true);
        return;
      case 'function_call':
        str('callId'), str('name'), str('arguments');
        calls.add(x.callId as string);
        return;
      case 'function_call_output':
        str('callId'), str('name'), str('output'), bool('isError');
        // An LLM API refuses an output whose call it never saw.
        if (!calls.has(x.callId as string)) throw new InvalidArgumentError(`${at} is the output of call '${x.callId as string}', which no earlier function_call item made`);
        return;
      case 'agent_handoff':
        str('newAgentId'), str('oldAgentId', true);
        return;
      default:
        throw new InvalidArgumentError(`${at}.type must be one of message, function_call, function_call_output, agent_handoff, got ${JSON.stringify(x.type)}`);
    }
  });
}

/**
 * The session's starting state with `initialHistory` in it (copied items); the session's own item
 * ids (`item_<n>`) continue after any such id already there, so none is used twice.
 * @example const state = withInitialHistory(initialSessionState(), [{ type: 'message', id: 'm1', role: 'user', content: 'hi' }]);
 */
export function withInitialHistory(state: SessionState, items: readonly ChatItem[] | undefined): SessionState {
  for (const item of items ?? []) {
    state.history.push({ ...item });
    const n = /^item_(\d+)$/.exec(item.id);
    if (n) state.nextItem = Math.max(state.nextItem, Number(n[1]));
  }
  return state;
}
