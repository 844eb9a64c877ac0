import { EventEmitter } from 'node:events';
import { RoomEvent } from '@livekit/rtc-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { attachRoomInput, type ChatStreamReader, type RoomInputSource } from '../src/adapters/room-input-handler.js';
import { createRoomInputPolicy, type RoomInputPolicyOptions, type RoomInputRefusal } from '../src/adapters/room-input-policy.js';
import { CHAT_TOPIC, USER_INPUT_TOPIC, type UserInput } from '../src/adapters/user-input.js';
import { VirtualClock } from '../src/testing/virtual-clock.js';

// The room's input handler with a fake room: data events and chat streams as rtc-node delivers them,
// no server. connectRoom attaches the same handler to its Room.

class FakeRoom extends EventEmitter implements RoomInputSource {
  readonly streams = new Map<string, (reader: ChatStreamReader, participant: { identity: string }) => void>();
  registerTextStreamHandler(topic: string, handler: (reader: ChatStreamReader, participant: { identity: string }) => void): void {
    this.streams.set(topic, handler);
  }
  data(identity: string | undefined, payload: string, topic = USER_INPUT_TOPIC) {
    this.emit(RoomEvent.DataReceived, new TextEncoder().encode(payload), identity === undefined ? undefined : { identity }, 0, topic);
  }
  /** Sends a chat text stream in chunks; resolves with the reader once the handler is done with it. */
  chat(identity: string, chunks: string[], totalSize?: number) {
    const reader = new FakeChatReader(chunks, totalSize);
    this.streams.get(CHAT_TOPIC)!(reader, { identity });
    return reader;
  }
}

class FakeChatReader implements ChatStreamReader {
  chunksRead = 0;
  closed = false;
  readonly info: { totalSize?: number };
  constructor(
    private readonly chunks: string[],
    totalSize?: number,
  ) {
    this.info = totalSize === undefined ? {} : { totalSize };
  }
  async *[Symbol.asyncIterator]() {
    try {
      for (const c of this.chunks) {
        this.chunksRead++;
        yield c;
      }
    } finally {
      // Like rtc-node: ending the iteration, or breaking out of it, closes the stream.
      this.closed = true;
    }
  }
  async close() {
    this.closed = true;
  }
}

const settle = () => new Promise<void>((r) => setImmediate(r));

function setUp(policy: RoomInputPolicyOptions = {}) {
  const clock = new VirtualClock();
  const room = new FakeRoom();
  const inputs: UserInput[] = [];
  const refusals: RoomInputRefusal[] = [];
  const errors: unknown[] = [];
  attachRoomInput(room, {
    policy: createRoomInputPolicy({ clock, ...policy }),
    onUserInput: (u) => inputs.push(u),
    onRefused: (r) => refusals.push(r),
    onError: (e) => errors.push(e),
  });
  return { clock, room, inputs, refusals, errors };
}

afterEach(() => vi.restoreAllMocks());

describe('the room input handler applies the policy', () => {
  it('data on user_input: allowed senders get through, others are refused and reported; other topics are ignored', () => {
    const { room, inputs, refusals } = setUp({ allowedIdentities: ['alice'] });
    room.data('alice', '{"text":"stop","interrupt":true}');
    room.data('mallory', 'hi');
    room.data(undefined, 'from the server');
    room.data('alice', 'not input', 'some-other-topic');
    expect(inputs).toEqual([{ text: 'stop', interrupt: true, from: 'alice' }]);
    expect(refusals.map((r) => [r.sender, r.reason])).toEqual([
      ['mallory', 'not-allowed'],
      [undefined, 'not-allowed'],
    ]);
  });

  it('data: the size cap, the rate limit per sender (virtual time) and the force downgrade', async () => {
    const { clock, room, inputs, refusals } = setUp({ maxBytes: 64, ratePerSender: { messages: 2, perMs: 1000 } });
    room.data('a', 'x'.repeat(65));
    room.data('a', '{"text":"one","force":true}');
    room.data('a', 'two');
    room.data('a', 'three');
    room.data('b', 'other sender');
    await clock.advance(1000);
    room.data('a', 'four');
    expect(inputs).toEqual([
      { text: 'one', force: false, from: 'a' },
      { text: 'two', from: 'a' },
      { text: 'other sender', from: 'b' },
      { text: 'four', from: 'a' },
    ]);
    expect(refusals.map((r) => `${r.sender}: ${r.reason}`)).toEqual(['a: too-large', 'a: force-not-allowed', 'a: rate-limited']);
  });

  it('force is kept for an identity allowed to force', () => {
    const { room, inputs, refusals } = setUp({ forceIdentities: ['ops'] });
    room.data('ops', '{"text":"stop","force":true}');
    expect(inputs).toEqual([{ text: 'stop', force: true, from: 'ops' }]);
    expect(refusals).toEqual([]);
  });

  it('chat: accepted text is delivered; a sender not allowed is refused without reading the stream, which is closed', async () => {
    const { room, inputs, refusals } = setUp({ allowedIdentities: ['alice'] });
    const ok = room.chat('alice', ['hel', 'lo']);
    const no = room.chat('mallory', ['hi']);
    await settle();
    expect(inputs).toEqual([{ text: 'hello', from: 'alice' }]);
    expect(ok.closed).toBe(true);
    expect(no.chunksRead).toBe(0);
    expect(no.closed).toBe(true);
    expect(refusals.map((r) => [r.sender, r.reason])).toEqual([['mallory', 'not-allowed']]);
  });

  it('chat: an announced size over the cap is refused unread; an unannounced one stops being read at the cap', async () => {
    const { room, inputs, refusals } = setUp({ maxBytes: 8 });
    const announced = room.chat('a', ['0123456789'], 10);
    const streamed = room.chat('b', ['0123', '4567', '89', 'never read']);
    await settle();
    expect(inputs).toEqual([]);
    expect(announced.chunksRead).toBe(0);
    expect(announced.closed).toBe(true);
    expect(streamed.chunksRead).toBe(3);
    expect(streamed.closed).toBe(true);
    expect(refusals.map((r) => `${r.sender}: ${r.reason} ${r.bytes}`)).toEqual(['a: too-large 10', 'b: too-large 10']);
  });

  it('chat counts against the same rate as data, and never forces', async () => {
    const { room, inputs, refusals } = setUp({ ratePerSender: { messages: 1, perMs: 1000 }, forceIdentities: ['a'] });
    room.data('a', '{"text":"data","force":true}');
    room.chat('a', ['{"text":"chat","force":true}']);
    await settle();
    expect(inputs).toEqual([{ text: 'data', force: true, from: 'a' }]);
    expect(refusals.map((r) => r.reason)).toEqual(['rate-limited']);
  });

  it('logs a refusal naming the sender and the reason by default', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const room = new FakeRoom();
    attachRoomInput(room, { policy: createRoomInputPolicy({ allowedIdentities: ['alice'], clock: new VirtualClock() }), onUserInput: () => {} });
    room.data('mallory', 'hi');
    expect(warn).toHaveBeenCalledWith('speechcharts: room input from "mallory" refused: not allowed (not in the allow-list)');
  });

  it('an error thrown by onUserInput or onRefused, or while reading a stream, goes to onError', async () => {
    const errors: unknown[] = [];
    const room = new FakeRoom();
    attachRoomInput(room, {
      policy: createRoomInputPolicy({ allowedIdentities: ['alice'], clock: new VirtualClock() }),
      onUserInput: () => {
        throw new Error('handler broke');
      },
      onRefused: () => {
        throw new Error('report broke');
      },
      onError: (e) => errors.push(e),
    });
    room.data('alice', 'hi');
    room.data('mallory', 'hi');
    const failing: ChatStreamReader = {
      info: {},
      close: async () => {},
      [Symbol.asyncIterator]: async function* () {
        yield 'par';
        throw new Error('stream broke');
      },
    };
    room.streams.get(CHAT_TOPIC)!(failing, { identity: 'alice' });
    await settle();
    expect(errors.map((e) => (e as Error).message)).toEqual(['handler broke', 'report broke', 'stream broke']);
  });
});
