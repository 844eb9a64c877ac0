import { InvalidArgumentError } from '../errors.js';
import { realClock, type Clock } from '../ports/clock.js';
import { parseUserInput, type UserInput } from './user-input.js';

/**
 * Who may talk to the agent through the room, how much and how often. Every accepted message costs
 * an interrupt and an LLM call, so a room participant must not be able to spend them at will.
 */
export interface RoomInputPolicyOptions {
  /**
   * Identities whose messages are accepted. Unset: every participant of the room (joining already
   * takes a token signed with the API secret, and the person typing is often not known in advance).
   */
  allowedIdentities?: readonly string[];
  /**
   * Identities whose `force: true` is honoured (interrupting a speech that does not allow
   * interruptions). Default: `allowedIdentities` when set (the people you named), else nobody: in an
   * open room anyone could otherwise cut the agent's uninterruptible speech.
   */
  forceIdentities?: readonly string[];
  /** Largest accepted message, in UTF-8 bytes. Default 4096: a spoken turn is far smaller. */
  maxBytes?: number;
  /** Accepted messages per sender per sliding window. Default 5 per 10 000 ms. */
  ratePerSender?: { messages: number; perMs: number };
  /** Time for the rate limit. Default the wall clock; tests pass a `VirtualClock`. */
  clock?: Clock;
}

/** Why a message (or only its `force`) was refused. */
export type RoomInputRefusalReason = 'not-allowed' | 'too-large' | 'empty' | 'rate-limited' | 'force-not-allowed';

/** A refused message, or a `force` dropped from an accepted one (`reason: 'force-not-allowed'`). */
export interface RoomInputRefusal {
  /** The sender's identity; undefined for data sent by the server API (no participant). */
  sender: string | undefined;
  reason: RoomInputRefusalReason;
  /** Size of the message in UTF-8 bytes (for a text stream cut at the cap: what was read). */
  bytes: number;
  /** A log line naming the sender and the reason. */
  message: string;
}

/** The policy's answer for one message. */
export type RoomInputVerdict =
  | {
      accepted: true;
      /** The input to deliver, `from` set; `force` is true only when asked for by a sender allowed to force. */
      input: UserInput;
      /** Set when the message asked for `force` and the sender may not: it is delivered without force. */
      forceRefused?: RoomInputRefusal;
    }
  | { accepted: false; refusal: RoomInputRefusal };

/** How a payload is read: 'user-input' is the 'user_input' data topic (text or JSON), 'chat' plain text. */
export type RoomInputFormat = 'user-input' | 'chat';

export interface RoomInputPolicy {
  /**
   * Judges one message. Checks, in order: the allow-list, the size, that it has text, the sender's
   * rate (only accepted messages count), then `force`. An accepted message spends one of its
   * sender's rate slots; a refused one spends nothing.
   */
  check(sender: string | undefined, payload: Uint8Array | string, format?: RoomInputFormat): RoomInputVerdict;
  /** The allow-list alone, so a text stream from a sender who is not allowed need not be read. */
  refuseSender(sender: string | undefined, bytes?: number): RoomInputRefusal | undefined;
  /** A refusal for a text stream that passed `maxBytes` while being read (`bytes` read so far). */
  tooLarge(sender: string | undefined, bytes: number): RoomInputRefusal;
  /** The size cap in UTF-8 bytes. */
  readonly maxBytes: number;
  /** The settings in force, resolved (for a startup line). */
  describe(): string;
}

export const DEFAULT_MAX_INPUT_BYTES = 4096;
export const DEFAULT_INPUT_RATE = { messages: 5, perMs: 10_000 } as const;

// Past this many senders tracked, forget those with no message inside the window.
const SWEEP_ABOVE = 256;

const who = (sender: string | undefined) => (sender === undefined ? 'the server (no participant)' : JSON.stringify(sender));

function identities(name: string, v: unknown): Set<string> | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new InvalidArgumentError(`createRoomInputPolicy: ${name} must be an array of identities, got ${typeof v}`);
  v.forEach((id, i) => {
    if (typeof id !== 'string' || !id) throw new InvalidArgumentError(`createRoomInputPolicy: ${name}[${i}] must be a non-empty string, got ${JSON.stringify(id)}`);
  });
  return new Set(v as string[]);
}

function positiveInteger(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new InvalidArgumentError(`createRoomInputPolicy: ${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * The room's input policy: an allow-list of identities, a size cap, a per-sender rate limit and
 * `force` only from identities allowed to force (a `force` from anyone else is dropped and the text
 * delivered as an ordinary interrupt: the user's words are not lost, an uninterruptible speech is not cut).
 * Throws {@link InvalidArgumentError} naming a bad option.
 * @example
 * const policy = createRoomInputPolicy({ allowedIdentities: ['alice'], ratePerSender: { messages: 5, perMs: 10_000 } });
 * const v = policy.check('alice', new TextEncoder().encode('{"text":"stop","force":true}'));
 * if (v.accepted) deliver(v.input); else console.warn(v.refusal.message);
 */
export function createRoomInputPolicy(o: RoomInputPolicyOptions = {}): RoomInputPolicy {
  if (!o || typeof o !== 'object') throw new InvalidArgumentError(`createRoomInputPolicy: options must be an object, got ${o === null ? 'null' : typeof o}`);
  const allowed = identities('allowedIdentities', o.allowedIdentities);
  const force = identities('forceIdentities', o.forceIdentities) ?? allowed ?? new Set<string>();
  if (allowed) {
    for (const id of force) {
      if (!allowed.has(id)) throw new InvalidArgumentError(`createRoomInputPolicy: forceIdentities has ${JSON.stringify(id)}, which is not in allowedIdentities (its messages would be refused)`);
    }
  }
  const maxBytes = o.maxBytes === undefined ? DEFAULT_MAX_INPUT_BYTES : positiveInteger('maxBytes', o.maxBytes);
  const rateOption: unknown = o.ratePerSender ?? DEFAULT_INPUT_RATE;
  if (!rateOption || typeof rateOption !== 'object') throw new InvalidArgumentError(`createRoomInputPolicy: ratePerSender must be { messages, perMs }, got ${JSON.stringify(rateOption)}`);
  const rate = rateOption as { messages: unknown; perMs: unknown };
  const messages = positiveInteger('ratePerSender.messages', rate.messages);
  if (typeof rate.perMs !== 'number' || !Number.isFinite(rate.perMs) || rate.perMs <= 0) {
    throw new InvalidArgumentError(`createRoomInputPolicy: ratePerSender.perMs must be a positive number of ms, got ${JSON.stringify(rate.perMs)}`);
  }
  const perMs = rate.perMs;
  const clock = o.clock ?? realClock;
  if (typeof clock !== 'object' || typeof clock.now !== 'function') throw new InvalidArgumentError('createRoomInputPolicy: clock must have a now() method');

  // Sliding window: the times of each sender's accepted messages inside the last perMs.
  const sent = new Map<string | undefined, number[]>();
  const encoder = new TextEncoder();

  const refusal = (sender: string | undefined, reason: RoomInputRefusalReason, bytes: number, why: string): RoomInputRefusal => ({
    sender,
    reason,
    bytes,
    message: reason === 'force-not-allowed' ? `room input from ${who(sender)}: force refused (${why}); delivered without force` : `room input from ${who(sender)} refused: ${why}`,
  });

  const refuseSender = (sender: string | undefined, bytes = 0) => {
    if (!allowed || (sender !== undefined && allowed.has(sender))) return undefined;
    return refusal(sender, 'not-allowed', bytes, 'not allowed (not in the allow-list)');
  };

  const tooLarge = (sender: string | undefined, bytes: number) => refusal(sender, 'too-large', bytes, `too large (${bytes} bytes, the cap is ${maxBytes})`);

  const recent = (sender: string | undefined, now: number) => {
    const times = (sent.get(sender) ?? []).filter((t) => now - t < perMs);
    if (times.length) sent.set(sender, times);
    else sent.delete(sender);
    return times;
  };

  const sweep = (now: number) => {
    if (sent.size <= SWEEP_ABOVE) return;
    for (const s of [...sent.keys()]) recent(s, now);
  };

  const check = (sender: string | undefined, payload: Uint8Array | string, format: RoomInputFormat = 'user-input'): RoomInputVerdict => {
    const bytes = typeof payload === 'string' ? encoder.encode(payload).byteLength : payload.byteLength;
    const notAllowed = refuseSender(sender, bytes);
    if (notAllowed) return { accepted: false, refusal: notAllowed };
    if (bytes > maxBytes) return { accepted: false, refusal: tooLarge(sender, bytes) };
    const input = format === 'chat' ? chatInput(payload) : parseUserInput(payload);
    if (!input) return { accepted: false, refusal: refusal(sender, 'empty', bytes, 'no text') };
    const now = clock.now();
    sweep(now);
    const times = recent(sender, now);
    if (times.length >= messages) {
      const retryIn = Math.ceil(perMs - (now - times[0]!));
      return { accepted: false, refusal: refusal(sender, 'rate-limited', bytes, `rate limited (the limit is ${messages} messages per ${perMs} ms; next accepted in ${retryIn} ms)`) };
    }
    times.push(now);
    sent.set(sender, times);
    if (sender !== undefined) input.from = sender;
    if (!input.force) return { accepted: true, input };
    if (sender !== undefined && force.has(sender)) return { accepted: true, input };
    input.force = false;
    return { accepted: true, input, forceRefused: refusal(sender, 'force-not-allowed', bytes, force.size ? 'not in the force list' : 'nobody may force') };
  };

  const describe = () =>
    [
      allowed ? `from ${[...allowed].map((a) => JSON.stringify(a)).join(', ')} only` : 'from every participant',
      `force from ${force.size ? [...force].map((a) => JSON.stringify(a)).join(', ') : 'nobody'}`,
      `at most ${maxBytes} bytes`,
      `${messages} per ${perMs / 1000} s per sender`,
    ].join('; ');

  return { check, refuseSender, tooLarge, maxBytes, describe };
}

/** Chat text is plain text: never JSON options, never force. */
function chatInput(payload: Uint8Array | string): UserInput | undefined {
  const text = typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
  return text.trim() ? { text } : undefined;
}
