import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import type { AnyStateMachine, InspectionEvent, Observer } from 'xstate';
import type { ChatItem } from '../ports/chat-item.js';
import type { ConversationObserver } from '../runtime/conversation-observer.js';
import { describeMachine, isStateMachine, type MachineGraph } from './machine-diagram.js';
import {
  ACTION_TEXT_FIELDS,
  CONTEXT_TEXT_FIELDS,
  EVENT_TEXT_FIELDS,
  traceTextFilter,
  type TraceTextField,
  type TraceTextKind,
  type TraceTextOptions,
} from './trace-text.js';

/** Version of the trace format written in the header line. */
export const TRACE_VERSION = 1;

/**
 * One line of a trace file (JSON lines). Actors are named by their id (`scheduler`, `speech_1`,
 * `tool_call_1`, …), made unique within a trace (`scheduler#2` for a second session's scheduler).
 * `seq` orders records; `t` is the recorder's clock in ms (virtual time when given `now: clock.now`).
 */
export type TraceRecord =
  | { kind: 'header'; version: number; createdAt: string; clock: 'wall' | 'custom'; title?: string }
  /** A machine definition, written once before the first actor that runs it. */
  | { kind: 'machine'; seq: number; key: string; graph: MachineGraph }
  | { kind: 'actor'; seq: number; t: number; actor: string; machine: string | null }
  /** An event delivered to `actor`. `source` is the sending actor, or null for code outside any actor (the runtime). */
  | { kind: 'event'; seq: number; t: number; actor: string; source: string | null; event: TraceEvent }
  | { kind: 'action'; seq: number; t: number; actor: string; action: { type: string; params?: unknown } }
  /** The transitions one microstep took (targets empty for a targetless transition: actions only). */
  | { kind: 'transition'; seq: number; t: number; actor: string; event: string; transitions: { source: string; targets: string[] }[] }
  /**
   * An item the session committed to its history: the user's input, what the listener heard of
   * the agent (`interrupted` when cut), a tool call with its arguments, a tool's output. Text
   * fields are redacted or omitted as the recorder was told (see {@link TraceTextOptions}).
   */
  | { kind: 'conversation'; seq: number; t: number; item: ChatItem }
  | {
      kind: 'snapshot';
      seq: number;
      t: number;
      actor: string;
      /** The event type that produced this snapshot. */
      event: string;
      status: string;
      value: unknown;
      tags?: string[];
      context?: unknown;
      output?: unknown;
      error?: unknown;
    };

export type TraceEvent = { type: string; [k: string]: unknown };

/** Something XState accepts as `inspect`. */
export type InspectionObserver = (Observer<InspectionEvent> | ((ev: InspectionEvent) => void)) & ConversationObserver;

export interface SanitizeOptions {
  /** Longer strings are cut, with a note of how much was dropped (default 500). */
  maxStringLength?: number;
  /** Deeper values become `'[depth]'` (default 6). */
  maxDepth?: number;
  /** Longer arrays keep their head and a count (default 50). */
  maxArrayLength?: number;
  /** Objects keep at most this many keys (default 50). */
  maxKeys?: number;
}

export interface TraceRecorderOptions extends SanitizeOptions, TraceTextOptions {
  /** Write JSON lines to this file (created or truncated). */
  file?: string;
  /** Or hand each JSON line (without newline) to this function. */
  write?: (line: string) => void;
  /** Called with each record as it is made (the inspector server streams these). */
  onRecord?: (record: TraceRecord) => void;
  /** Keep records in `recorder.records` (default: true unless `file`, `write` or `onRecord` is given). */
  keep?: boolean;
  /** The clock for `t`, in ms: pass `clock.now` of a VirtualClock for virtual time. Default: ms since creation. */
  now?: () => number;
  /** Record `@xstate.microstep` as `transition` records (default true; the page highlights taken edges with them). */
  transitions?: boolean;
  /** Record `@xstate.action` (default true; they show which actions rejected waiters). */
  actions?: boolean;
  /** Record snapshot contexts (default true). */
  contexts?: boolean;
  /** A title for the header line. */
  title?: string;
  /**
   * Called when something cannot be recorded (a record fails to build, `redact` throws): recording
   * goes on and the session is never disturbed. Default: the first such error is logged with console.error.
   */
  onError?: (error: unknown) => void;
}

/**
 * The recorder's inspection observer. Besides XState's inspection events it takes the
 * conversation: `AgentSession` hands each history item to `conversation` when its `inspect`
 * observer has one (this one, the inspector server's, or {@link combineInspectors} of them).
 */
export interface TraceInspector extends Observer<InspectionEvent> {
  next: (ev: InspectionEvent) => void;
  conversation: (item: ChatItem) => void;
}

export interface TraceRecorder {
  /** The XState inspection observer: pass it as `inspect` to `AgentSession` (which also hands it the conversation) or `createActor`. */
  readonly inspect: TraceInspector;
  /** The records so far (empty unless kept). */
  readonly records: readonly TraceRecord[];
  /** The records so far as JSON lines (kept records only). */
  toJSONL(): string;
  /** Stops recording and flushes the file, if any. Rejects if writing the file failed. */
  close(): Promise<void>;
}

/**
 * Records the inspection stream of every actor it is given as a trace (JSON lines): actors,
 * events with their source, actions, transitions and sanitized snapshots, and the session's
 * conversation (user input, what was heard, tool arguments and outputs). Audio buffers, functions
 * and actor references never reach the trace (see {@link sanitizeForTrace}); conversation text
 * is kept unless `conversationText: false`, and passes through `redact` if given.
 * @example
 * const recorder = createTraceRecorder({ file: 'session.trace.jsonl', redact: (text) => text.replace(/\S+@\S+/g, '[email]') });
 * const session = new AgentSession({ llm, tts, audioOutput, inspect: recorder.inspect });
 * // … run the session …
 * await recorder.close(); // then: npx speechcharts inspect session.trace.jsonl
 */
export function createTraceRecorder(o: TraceRecorderOptions = {}): TraceRecorder {
  const records: TraceRecord[] = [];
  const keep = o.keep ?? !(o.file || o.write || o.onRecord);
  const t0 = performance.now();
  const now = o.now ?? (() => performance.now() - t0);
  let reported = false;
  const onError =
    o.onError ??
    ((e: unknown) => {
      if (reported) return;
      reported = true;
      console.error('[speechcharts] trace recorder: a record could not be made (further errors are not logged):', e);
    });
  const report = (e: unknown): void => {
    try {
      onError(e);
    } catch {
      /* an onError that throws must not break the session either */
    }
  };
  const limits = limitsOf(o, traceTextFilter(o, report));
  let stream: WriteStream | undefined;
  let streamError: Error | undefined;
  if (o.file) {
    stream = createWriteStream(o.file, { encoding: 'utf8' });
    // Without a listener a write error would crash the process; close() reports it instead.
    stream.on('error', (e) => (streamError ??= e));
  }
  let closed = false;
  let seq = 0;

  // File writes are batched per tick: one stream write per record costs more than the record.
  let buffered: string[] = [];
  let flushScheduled = false;
  const flushFile = (): void => {
    flushScheduled = false;
    if (!stream || buffered.length === 0) return;
    stream.write(buffered.join(''));
    buffered = [];
  };
  const emit = (r: TraceRecord): void => {
    if (keep) records.push(r);
    if (o.onRecord) o.onRecord(r);
    if (stream || o.write) {
      const line = JSON.stringify(r);
      if (o.write) o.write(line);
      if (stream) {
        buffered.push(line + '\n');
        if (buffered.length >= 512) flushFile();
        else if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flushFile);
        }
      }
    }
  };
  emit({ kind: 'header', version: TRACE_VERSION, createdAt: new Date().toISOString(), clock: o.now ? 'custom' : 'wall', ...(o.title ? { title: o.title } : {}) });

  const names = new ActorNames();
  const machines = new MachineKeys();
  // Events sent by the runtime carry no source. An event sent from inside another actor's
  // macrostep (one of its actions called send) came from that actor: track who is mid-step.
  const busy: string[] = [];
  let clearScheduled = false;
  const time = () => Math.round(now() * 1000) / 1000;

  const handle = (ev: InspectionEvent): void => {
    if (closed) return;
    const ref = ev.actorRef as unknown as ActorRefInternal;
    switch (ev.type) {
      case '@xstate.actor': {
        const logic = ref.logic;
        let machine: string | null = null;
        if (isStateMachine(logic)) {
          const { key, graph } = machines.keyFor(logic);
          machine = key;
          if (graph) emit({ kind: 'machine', seq: ++seq, key, graph });
        }
        emit({ kind: 'actor', seq: ++seq, t: time(), actor: names.nameOf(ref), machine });
        return;
      }
      case '@xstate.event': {
        const actor = names.nameOf(ref);
        const source = ev.sourceRef ? names.nameOf(ev.sourceRef as unknown as ActorRefInternal) : (busy[busy.length - 1] ?? null);
        limits.actor = actor;
        emit({ kind: 'event', seq: ++seq, t: time(), actor, source: source === actor && !ev.sourceRef ? null : source, event: sanitizeEvent(ev.event, limits) });
        // A stopped actor drops the event and emits no snapshot: it must not stay "busy".
        if (isActive(ref) && !busy.includes(actor)) {
          busy.push(actor);
          if (!clearScheduled) {
            clearScheduled = true;
            // Macrosteps are synchronous: whatever is still "busy" after this tick is stale.
            queueMicrotask(() => {
              busy.length = 0;
              clearScheduled = false;
            });
          }
        }
        return;
      }
      case '@xstate.action': {
        if (o.actions === false) return;
        const actor = names.nameOf(ref);
        limits.actor = actor;
        const params = ev.action.params === undefined ? undefined : sanitizeValue(ev.action.params, 0, limits, [], undefined, ACTION_TEXT_FIELDS[ev.action.type]);
        emit({ kind: 'action', seq: ++seq, t: time(), actor, action: params === undefined ? { type: ev.action.type } : { type: ev.action.type, params } });
        return;
      }
      case '@xstate.microstep': {
        if (o.transitions === false) return;
        emit({
          kind: 'transition',
          seq: ++seq,
          t: time(),
          actor: names.nameOf(ref),
          event: eventType(ev.event),
          transitions: ev._transitions.map((tr) => ({ source: tr.source.id, targets: (tr.target ?? []).map((x) => x.id) })),
        });
        return;
      }
      case '@xstate.snapshot': {
        const actor = names.nameOf(ref);
        const at = busy.lastIndexOf(actor);
        if (at !== -1) busy.splice(at, 1);
        const s = ev.snapshot as SnapshotLike;
        limits.actor = actor;
        const r: TraceRecord = { kind: 'snapshot', seq: ++seq, t: time(), actor, event: eventType(ev.event), status: s.status, value: sanitizeValue(s.value, 0, limits, []) };
        const tags = s.tags instanceof Set && s.tags.size ? [...s.tags].map(String) : undefined;
        if (tags) r.tags = tags;
        if (o.contexts !== false && s.context !== undefined) r.context = sanitizeValue(s.context, 0, limits, [], undefined, CONTEXT_TEXT_FIELDS);
        if (s.status === 'done' && s.output !== undefined) r.output = sanitizeValue(s.output, 0, limits, []);
        if (s.status === 'error') r.error = sanitizeValue(s.error, 0, limits, [], 'error');
        emit(r);
        return;
      }
      default:
        return; // @xstate.transition (deprecated) and future types
    }
  };

  const conversation = (item: ChatItem): void => {
    if (closed) return;
    limits.actor = null;
    emit({ kind: 'conversation', seq: ++seq, t: time(), item: sanitizeValue(item, 0, limits, [], undefined, itemTextFields(item)) as ChatItem });
  };

  const inspect: TraceInspector = {
    next: (ev) => {
      // Inspection must never break the session it observes: a record that cannot be made is skipped.
      try {
        handle(ev);
      } catch (e) {
        report(e);
      }
    },
    conversation: (item) => {
      try {
        conversation(item);
      } catch (e) {
        report(e);
      }
    },
  };

  return {
    inspect,
    get records() {
      return records;
    },
    toJSONL: () => records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''),
    close: () => {
      closed = true;
      flushFile();
      if (!stream) return Promise.resolve();
      const s = stream;
      stream = undefined;
      s.end();
      return finished(s).then(
        () => {
          if (streamError) throw streamError;
        },
        (e: unknown) => {
          throw streamError ?? e;
        },
      );
    },
  };
}

/**
 * A JSON-safe copy of `value` for a trace: typed arrays and ArrayBuffers become
 * `{ $binary: 'Int16Array', length }` (audio never reaches a trace), audio frames keep their format only,
 * functions are dropped, actor refs become `{ $actor: id }`, errors `{ $error, message }`,
 * long strings are cut, cycles and deep values are marked.
 * @example sanitizeForTrace({ frame: { data: new Int16Array(480), sampleRate: 24000 } })
 * // → { frame: { data: { $binary: 'Int16Array', length: 480 }, sampleRate: 24000 } }
 */
export function sanitizeForTrace(value: unknown, o: SanitizeOptions = {}): unknown {
  return sanitizeValue(value, 0, limitsOf(o, undefined), []);
}

interface Limits {
  maxString: number;
  maxDepth: number;
  maxArray: number;
  maxKeys: number;
  /** Rewrites conversation text (redaction, omission); undefined: text is kept as it is. */
  text: ((text: string, field: TraceTextField) => string) | undefined;
  /** The actor whose record is being made, for `text`. */
  actor: string | null;
}

function limitsOf(o: SanitizeOptions, text: Limits['text']): Limits {
  return { maxString: o.maxStringLength ?? 500, maxDepth: o.maxDepth ?? 6, maxArray: o.maxArrayLength ?? 50, maxKeys: o.maxKeys ?? 50, text, actor: null };
}

/** Which fields of a conversation item are text, and of what kind. */
function itemTextFields(item: ChatItem): Record<string, TraceTextKind> {
  switch (item.type) {
    case 'message':
      return { content: item.role === 'user' ? 'userInput' : item.role === 'assistant' ? 'assistantText' : 'instructions' };
    case 'function_call':
      return { arguments: 'toolArguments' };
    case 'function_call_output':
      return { output: 'toolOutput' };
    case 'agent_handoff':
      return {}; // agent ids are names, not conversation text
  }
}

// Hoisted and closure-free: it runs for every event and snapshot while inspection is on.
// `path` holds the objects being walked (at most maxDepth of them): a cheap cycle check.
// `kind`: the value is conversation text of that kind (every string in it goes through `l.text`);
// `fields`: for the top-level object, which of its keys hold conversation text.
function sanitizeValue(v: unknown, depth: number, l: Limits, path: object[], kind?: TraceTextKind, fields?: Readonly<Record<string, TraceTextKind>>): unknown {
  switch (typeof v) {
    case 'string':
      // Redacted whole, before it is cut: a pattern split by the cut would escape the redactor.
      if (kind !== undefined && l.text) v = l.text(v, { kind, actor: l.actor });
      return (v as string).length > l.maxString ? `${(v as string).slice(0, l.maxString)}…[+${(v as string).length - l.maxString} chars]` : v;
    case 'number':
      return Number.isFinite(v) ? v : String(v);
    case 'boolean':
      return v;
    case 'bigint':
      return `${v}n`;
    case 'symbol':
      return v.toString();
    case 'undefined':
    case 'function':
      return undefined;
  }
  if (v === null) return null;
  const obj = v as object;
  const proto = Object.getPrototypeOf(obj) as object | null;
  const plain = proto === Object.prototype || proto === null;
  if (!plain && !Array.isArray(obj)) {
    if (ArrayBuffer.isView(obj)) return { $binary: obj.constructor.name, length: 'length' in obj ? (obj as Int16Array).length : obj.byteLength };
    if (obj instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && obj instanceof SharedArrayBuffer))
      return { $binary: obj.constructor.name, byteLength: obj.byteLength };
    if (isActorRef(obj)) return { $actor: obj.id };
    if (obj instanceof Error) return { $error: obj.name, message: sanitizeValue(obj.message, depth + 1, l, path, 'error') };
    if (obj instanceof Date) return obj.toISOString();
    if (obj instanceof RegExp) return obj.toString();
    if (typeof AbortSignal !== 'undefined' && obj instanceof AbortSignal) return { $abortSignal: true, aborted: obj.aborted };
    if (typeof (obj as PromiseLike<unknown>).then === 'function') return { $promise: true };
  }
  if (path.includes(obj)) return '[circular]';
  if (depth >= l.maxDepth) return '[depth]';
  path.push(obj);
  try {
    if (Array.isArray(obj) || obj instanceof Set) {
      const arr = Array.isArray(obj) ? obj : [...obj];
      const n = Math.min(arr.length, l.maxArray);
      const out: unknown[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = sanitizeValue(arr[i], depth + 1, l, path, kind) ?? null;
      if (arr.length > l.maxArray) out.push(`…[+${arr.length - l.maxArray} items]`);
      return out;
    }
    const out: Record<string, unknown> = {};
    let n = 0;
    if (obj instanceof Map) {
      for (const [k, x] of obj) {
        if (n === l.maxKeys) {
          out['…'] = `+${obj.size - l.maxKeys} keys`;
          break;
        }
        const w = sanitizeValue(x, depth + 1, l, path, kind);
        if (w !== undefined) (out[String(k)] = w), n++;
      }
      return out;
    }
    for (const k in obj) {
      if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
      if (n === l.maxKeys) {
        out['…'] = `+${Object.keys(obj).length - l.maxKeys} keys`;
        break;
      }
      const w = sanitizeValue((obj as Record<string, unknown>)[k], depth + 1, l, path, fields?.[k] ?? kind);
      if (w !== undefined) (out[k] = w), n++;
    }
    return out;
  } finally {
    path.pop();
  }
}

/**
 * Parses a trace (JSON lines); blank lines are skipped. Throws with the line number on a bad line.
 * @example const records = parseTrace(await readFile('session.trace.jsonl', 'utf8'));
 */
export function parseTrace(text: string): TraceRecord[] {
  const out: TraceRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch (e) {
      throw new Error(`trace line ${i + 1}: not JSON (${(e as Error).message})`);
    }
    if (!r || typeof r !== 'object' || typeof (r as { kind?: unknown }).kind !== 'string') throw new Error(`trace line ${i + 1}: not a trace record (no "kind")`);
    out.push(r as TraceRecord);
  }
  const head = out[0];
  if (head?.kind === 'header' && head.version > TRACE_VERSION) throw new Error(`trace version ${head.version} is newer than this reader (${TRACE_VERSION})`);
  return out;
}

/**
 * Reads and parses a trace file.
 * @example const records = await readTraceFile('session.trace.jsonl');
 */
export async function readTraceFile(file: string): Promise<TraceRecord[]> {
  return parseTrace(await readFile(file, 'utf8'));
}

interface ActorRefInternal {
  id: string;
  sessionId: string;
  logic?: unknown;
  getSnapshot?: () => { status?: string };
}

interface SnapshotLike {
  status: string;
  value?: unknown;
  context?: unknown;
  output?: unknown;
  error?: unknown;
  tags?: Set<string>;
}

/** Unique display names per actor (by sessionId): `scheduler`, then `scheduler#2` for another session's. */
class ActorNames {
  private readonly bySession = new Map<string, string>();
  private readonly used = new Map<string, number>();
  nameOf(ref: ActorRefInternal): string {
    const known = this.bySession.get(ref.sessionId);
    if (known) return known;
    const base = ref.id || ref.sessionId;
    const n = (this.used.get(base) ?? 0) + 1;
    this.used.set(base, n);
    const name = n === 1 ? base : `${base}#${n}`;
    this.bySession.set(ref.sessionId, name);
    return name;
  }
}

/**
 * One key per machine definition. `machine.provide()` makes a new machine object per actor but keeps
 * the config, so the config is the cache key; a different definition under a known id gets `id~2`.
 */
class MachineKeys {
  private readonly byConfig = new WeakMap<object, string>();
  private readonly byKey = new Map<string, string>();
  keyFor(machine: AnyStateMachine): { key: string; graph: MachineGraph | null } {
    const known = this.byConfig.get(machine.config);
    if (known) return { key: known, graph: null };
    const graph = describeMachine(machine);
    const json = JSON.stringify(graph);
    for (let n = 1; ; n++) {
      const key = n === 1 ? graph.id : `${graph.id}~${n}`;
      const existing = this.byKey.get(key);
      if (existing === undefined) {
        this.byKey.set(key, json);
        this.byConfig.set(machine.config, key);
        return { key, graph };
      }
      if (existing === json) {
        this.byConfig.set(machine.config, key);
        return { key, graph: null };
      }
    }
  }
}

function isActorRef(x: object): x is { id: string } {
  const a = x as { sessionId?: unknown; send?: unknown; getSnapshot?: unknown; id?: unknown };
  return typeof a.sessionId === 'string' && typeof a.send === 'function' && typeof a.getSnapshot === 'function';
}

function isActive(ref: ActorRefInternal): boolean {
  try {
    return ref.getSnapshot?.().status === 'active';
  } catch {
    return false;
  }
}

function eventType(e: unknown): string {
  return typeof (e as { type?: unknown })?.type === 'string' ? (e as { type: string }).type : 'unknown';
}

function sanitizeEvent(e: unknown, l: Limits): TraceEvent {
  const s = sanitizeValue(e, 0, l, [], undefined, EVENT_TEXT_FIELDS[eventType(e)]);
  if (s && typeof s === 'object' && !Array.isArray(s)) return { ...(s as Record<string, unknown>), type: eventType(e) };
  return { type: eventType(e) };
}
