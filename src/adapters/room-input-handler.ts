import type { RoomInputPolicy, RoomInputRefusal } from './room-input-policy.js';
import { CHAT_TOPIC, USER_INPUT_TOPIC, type UserInput } from './user-input.js';

/** A chat text stream as the handler reads it (rtc-node's `TextStreamReader` is one). */
export interface ChatStreamReader extends AsyncIterable<string> {
  readonly info: { totalSize?: number };
  /** Stops the stream; a reader never read must be closed or its subscription outlives it. */
  close(): Promise<void>;
}

/** What the handler listens to: rtc-node's `Room` is one; tests pass a fake. */
export interface RoomInputSource {
  on(event: 'dataReceived', listener: (payload: Uint8Array, participant?: { identity: string }, kind?: unknown, topic?: string) => void): unknown;
  registerTextStreamHandler(topic: string, handler: (reader: ChatStreamReader, participant: { identity: string }) => void): void;
  /** Used by the detach function that {@link attachRoomInput} returns (rtc-node's `Room` has it). */
  off?(event: 'dataReceived', listener: (payload: Uint8Array, participant?: { identity: string }, kind?: unknown, topic?: string) => void): unknown;
  /** Used by the detach function, so a later handler may take the chat topic. */
  unregisterTextStreamHandler?(topic: string): void;
}

export interface RoomInputHandlerOptions {
  policy: RoomInputPolicy;
  onUserInput: (input: UserInput) => void;
  /** A refused message, or a `force` dropped (`reason: 'force-not-allowed'`). Default: `console.warn` of its message. */
  onRefused?: (refusal: RoomInputRefusal) => void;
  /** Errors thrown by `onUserInput`/`onRefused` or while reading a text stream. Default `console.error`. */
  onError?: (error: unknown) => void;
}

/**
 * Routes a room's user input through its input policy: data messages on 'user_input' and chat text
 * streams on 'lk.chat' are checked, accepted ones go to `onUserInput`, refusals to `onRefused`.
 * A chat stream is not read when its sender is not allowed or its announced size is over the cap,
 * and reading stops at the cap, so a large stream is never held in memory.
 * Returns a function that detaches the handler (the data listener and the chat topic); input that
 * arrives after it, or a chat stream still being read, is dropped.
 * @example
 * const detach = attachRoomInput(room, { policy: createRoomInputPolicy(), onUserInput: (u) => session.generateReply({ userInput: u.text }) });
 * detach(); // when the agent leaves
 */
export function attachRoomInput(room: RoomInputSource, o: RoomInputHandlerOptions): () => void {
  const onError = o.onError ?? ((e: unknown) => console.error('speechcharts: user input handler failed:', e));
  const onRefused = o.onRefused ?? ((r: RoomInputRefusal) => console.warn(`speechcharts: ${r.message}`));
  const { policy } = o;

  // A throwing callback must not escape into rtc-node's event loop: it goes to onError.
  const guarded = <T>(fn: (v: T) => void, v: T) => {
    try {
      fn(v);
    } catch (e) {
      onError(e);
    }
  };
  const refuse = (r: RoomInputRefusal) => guarded(onRefused, r);
  let detached = false;
  const judge = (sender: string | undefined, payload: Uint8Array | string, format: 'user-input' | 'chat') => {
    if (detached) return;
    const verdict = policy.check(sender, payload, format);
    if (!verdict.accepted) return refuse(verdict.refusal);
    if (verdict.forceRefused) refuse(verdict.forceRefused);
    guarded(o.onUserInput, verdict.input);
  };

  const onData = (payload: Uint8Array, participant?: { identity: string }, _kind?: unknown, topic?: string) => {
    if (topic !== USER_INPUT_TOPIC) return;
    judge(participant?.identity, payload, 'user-input');
  };
  room.on('dataReceived', onData);

  room.registerTextStreamHandler(CHAT_TOPIC, (reader, { identity }) => {
    const early = policy.refuseSender(identity) ?? (reader.info.totalSize !== undefined && reader.info.totalSize > policy.maxBytes ? policy.tooLarge(identity, reader.info.totalSize) : undefined);
    if (early) {
      refuse(early);
      reader.close().catch(onError);
      return;
    }
    readCapped(reader, policy.maxBytes).then((read) => (read.over ? refuse(policy.tooLarge(identity, read.bytes)) : judge(identity, read.text, 'chat')), onError);
  });

  return () => {
    if (detached) return;
    detached = true;
    room.off?.('dataReceived', onData);
    room.unregisterTextStreamHandler?.(CHAT_TOPIC);
  };
}

/** Reads a text stream up to `maxBytes` UTF-8 bytes; past that it stops (which closes the stream). */
async function readCapped(reader: ChatStreamReader, maxBytes: number): Promise<{ text: string; bytes: number; over: boolean }> {
  const encoder = new TextEncoder();
  let text = '';
  let bytes = 0;
  for await (const chunk of reader) {
    bytes += encoder.encode(chunk).byteLength;
    if (bytes > maxBytes) return { text: '', bytes, over: true };
    text += chunk;
  }
  return { text, bytes, over: false };
}
