import type { AgentHandoffItem, ChatMessage, FunctionCallItem, FunctionCallOutputItem } from '../ports/chat-item.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * One thing a `session.run()` turn caused: a history item it added (the run's own user message
 * excepted, as in LiveKit). `item` is the history item itself.
 */
export type RunEvent =
  | { type: 'message'; item: ChatMessage }
  | { type: 'function_call'; item: FunctionCallItem }
  | { type: 'function_call_output'; item: FunctionCallOutputItem }
  | { type: 'agent_handoff'; item: AgentHandoffItem };

export const RUN_EVENT_TYPES: readonly RunEvent['type'][] = ['message', 'function_call', 'function_call_output', 'agent_handoff'];

/** What an expectation asks of one event, by type (every field optional). */
export type EventCriteria =
  | { type: 'message'; role?: string }
  | { type: 'function_call'; name?: string; args?: object }
  | { type: 'function_call_output'; output?: string; isError?: boolean }
  | { type: 'agent_handoff'; newAgentId?: string };

const MAX_SHOWN = 80;

function quote(text: string): string {
  const one = text.replace(/\n/g, '\\n');
  return JSON.stringify(one.length > MAX_SHOWN ? `${one.slice(0, MAX_SHOWN)}…` : one);
}

/** One line per event, as failure messages list them. */
export function formatEvent(e: RunEvent): string {
  switch (e.type) {
    case 'message':
      return `message ${e.item.role}${e.item.interrupted ? ' (interrupted)' : ''}: ${quote(e.item.content)}`;
    case 'function_call':
      return `function_call ${e.item.name}(${e.item.arguments})`;
    case 'function_call_output':
      return `function_call_output ${e.item.name}${e.item.isError ? ' (error)' : ''}: ${quote(e.item.output)}`;
    case 'agent_handoff':
      return `agent_handoff ${e.item.oldAgentId ?? '-'} -> ${e.item.newAgentId}`;
  }
}

/** The run's events, one a line, the one at `marked` pointed at with `>>>`. */
export function formatEvents(events: readonly RunEvent[], marked?: number): string {
  if (events.length === 0) return '    (no events)';
  return events.map((e, i) => `${i === marked ? '>>> ' : '    '}[${i}] ${formatEvent(e)}`).join('\n');
}

/** "a function_call named 'lookup' with args {...}": what the criteria ask for, in words. */
export function describeCriteria(c: EventCriteria): string {
  switch (c.type) {
    case 'message':
      return `a message${c.role !== undefined ? ` with role '${c.role}'` : ''}`;
    case 'function_call':
      return `a function_call${c.name !== undefined ? ` named '${c.name}'` : ''}${c.args !== undefined ? ` with args ${JSON.stringify(c.args)}` : ''}`;
    case 'function_call_output': {
      const parts = [c.output !== undefined ? `output ${JSON.stringify(c.output)}` : '', c.isError !== undefined ? `isError ${c.isError}` : ''].filter(Boolean);
      return `a function_call_output${parts.length ? ` with ${parts.join(' and ')}` : ''}`;
    }
    case 'agent_handoff':
      return `an agent_handoff${c.newAgentId !== undefined ? ` to '${c.newAgentId}'` : ''}`;
  }
}

/** Why `e` does not meet `c` (what it is instead), or null when it does. */
export function mismatch(e: RunEvent, c: EventCriteria): string | null {
  if (e.type !== c.type) return `got ${formatEvent(e)}`;
  switch (c.type) {
    case 'message': {
      const item = e.item as ChatMessage;
      return c.role !== undefined && item.role !== c.role ? `got a message with role '${item.role}'` : null;
    }
    case 'function_call': {
      const item = e.item as FunctionCallItem;
      if (c.name !== undefined && item.name !== c.name) return `got a function_call named '${item.name}'`;
      if (c.args === undefined) return null;
      let parsed: unknown;
      try {
        parsed = item.arguments.trim() === '' ? {} : JSON.parse(item.arguments);
      } catch {
        return `got arguments that are not JSON: ${item.arguments}`;
      }
      const diff = subsetMismatch(parsed, c.args, 'args');
      return diff === null ? null : `got ${diff}`;
    }
    case 'function_call_output': {
      const item = e.item as FunctionCallOutputItem;
      if (c.output !== undefined && item.output !== c.output) return `got output ${quote(item.output)}`;
      return c.isError !== undefined && item.isError !== c.isError ? `got isError ${item.isError}` : null;
    }
    case 'agent_handoff': {
      const item = e.item as AgentHandoffItem;
      return c.newAgentId !== undefined && item.newAgentId !== c.newAgentId ? `got an agent_handoff to '${item.newAgentId}'` : null;
    }
  }
}

/**
 * Deep subset match: every key of `expected` is in `actual` with a matching value (objects
 * recursively; arrays element by element, same length; anything else strictly equal). Returns where
 * they first differ, e.g. `args.city "Paris" (expected "Rome")`, or null when `actual` matches.
 * @example subsetMismatch({ city: 'Paris', days: 3 }, { city: 'Paris' }, 'args'); // null
 */
export function subsetMismatch(actual: unknown, expected: unknown, path: string): string | null {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return `${path} ${JSON.stringify(actual)} (expected ${JSON.stringify(expected)})`;
    for (let i = 0; i < expected.length; i++) {
      const d = subsetMismatch(actual[i], expected[i], `${path}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return `${path} ${JSON.stringify(actual)} (expected an object with ${JSON.stringify(expected)})`;
    for (const [k, v] of Object.entries(expected)) {
      if (!(k in actual)) return `no ${path}.${k} (expected ${JSON.stringify(v)})`;
      const d = subsetMismatch((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
      if (d !== null) return d;
    }
    return null;
  }
  return Object.is(actual, expected) ? null : `${path} ${JSON.stringify(actual)} (expected ${JSON.stringify(expected)})`;
}

const CRITERIA_FIELDS: Record<RunEvent['type'], Record<string, 'string' | 'boolean' | 'object'>> = {
  message: { role: 'string' },
  function_call: { name: 'string', args: 'object' },
  function_call_output: { output: 'string', isError: 'boolean' },
  agent_handoff: { newAgentId: 'string' },
};

/**
 * Checks an expectation's options for events of `type` and returns them as criteria; an unknown
 * or mistyped field is an {@link InvalidArgumentError} naming it (a typo must not pass silently).
 */
export function criteriaOf(where: string, type: RunEvent['type'], o: unknown): EventCriteria {
  if (o === undefined) return { type } as EventCriteria;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new InvalidArgumentError(`${where}: options must be an object, got ${o === null ? 'null' : Array.isArray(o) ? 'array' : typeof o}`);
  const spec = CRITERIA_FIELDS[type];
  const out: Record<string, unknown> = { type };
  for (const [k, v] of Object.entries(o)) {
    if (k === 'type') continue;
    const want = spec[k];
    if (!want) throw new InvalidArgumentError(`${where}: unknown option '${k}' for ${type} events (known: ${Object.keys(spec).join(', ')})`);
    if (v === undefined) continue;
    if (want === 'object' ? v === null || typeof v !== 'object' : typeof v !== want)
      throw new InvalidArgumentError(`${where}: option '${k}' must be ${want === 'object' ? 'an object' : `a ${want}`}, got ${v === null ? 'null' : typeof v}`);
    out[k] = v;
  }
  return out as EventCriteria;
}

/** Checks an event type given by a caller. */
export function checkEventType(where: string, type: unknown): RunEvent['type'] {
  if (!RUN_EVENT_TYPES.includes(type as RunEvent['type'])) throw new InvalidArgumentError(`${where}: type must be one of ${RUN_EVENT_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  return type as RunEvent['type'];
}
