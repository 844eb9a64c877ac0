import { createServer, type Server, type Socket } from 'node:net';
import { AudioSource, Room, RoomEvent } from '@livekit/rtc-node';
import { TokenVerifier } from 'livekit-server-sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { connectRoom, mintToken, parseUserInput, readRoomEnv, RoomConfigError, RoomConnectionError } from '../src/adapters/livekit-room.js';
import { disposeRtc } from '../src/adapters/rtc-audio-output.js';
import { attachRoomInput } from '../src/adapters/room-input-handler.js';
import { createRoomInputPolicy, type RoomInputRefusal } from '../src/adapters/room-input-policy.js';
import { InvalidArgumentError } from '../src/errors.js';
import { VirtualClock } from '../src/testing/virtual-clock.js';

const apiKey = 'APItestkey';
const apiSecret = 'a-test-secret-that-is-long-enough-for-hs256';
const fullEnv = { LIVEKIT_URL: 'wss://example.livekit.cloud', LIVEKIT_API_KEY: apiKey, LIVEKIT_API_SECRET: apiSecret };

const sources: AudioSource[] = [];
const newSource = () => {
  const s = new AudioSource(24000, 1);
  sources.push(s);
  return s;
};

afterAll(async () => {
  for (const s of sources) await s.close();
  await disposeRtc();
});

describe('mintToken', () => {
  it('grants joining the room, publishing audio and data, for the identity, with the ttl', async () => {
    const jwt = await mintToken({ apiKey, apiSecret, identity: 'agent-1', room: 'demo', ttl: 600 });
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, any>;
    expect(payload.sub).toBe('agent-1');
    expect(payload.iss).toBe(apiKey);
    expect(payload.video).toMatchObject({ roomJoin: true, room: 'demo', canPublish: true, canPublishData: true, canSubscribe: true });
    expect(payload.exp - payload.nbf).toBe(600);
    // And it is signed with the secret.
    const claims = await new TokenVerifier(apiKey, apiSecret).verify(jwt);
    expect(claims.sub).toBe('agent-1');
    await expect(new TokenVerifier(apiKey, 'another-secret-another-secret-xx').verify(jwt)).rejects.toThrow();
  });
});

describe('readRoomEnv', () => {
  it('returns the three settings', () => {
    expect(readRoomEnv(fullEnv)).toEqual({ url: fullEnv.LIVEKIT_URL, apiKey, apiSecret });
  });

  it.each(['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'])('names %s when it is missing', (name) => {
    const env: Record<string, string | undefined> = { ...fullEnv, [name]: undefined };
    expect(() => readRoomEnv(env)).toThrow(RoomConfigError);
    expect(() => readRoomEnv(env)).toThrow(name);
    const others = Object.keys(fullEnv).filter((n) => n !== name);
    try {
      readRoomEnv(env);
    } catch (e) {
      expect((e as RoomConfigError).variables).toEqual([name]);
      for (const o of others) expect((e as Error).message.startsWith(o)).toBe(false);
    }
  });

  it('names all missing variables, treats blank as missing, and rejects a URL that is not ws/http', () => {
    expect(() => readRoomEnv({})).toThrow(/LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET are not set/);
    expect(() => readRoomEnv({ ...fullEnv, LIVEKIT_API_KEY: '  ' })).toThrow(/LIVEKIT_API_KEY is not set/);
    expect(() => readRoomEnv({ ...fullEnv, LIVEKIT_URL: 'example.com' })).toThrow(/LIVEKIT_URL must be/);
  });
});

describe('parseUserInput', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it('reads plain UTF-8 text and JSON {text, interrupt, force}', () => {
    expect(parseUserInput(enc('héllo there'))).toEqual({ text: 'héllo there' });
    expect(parseUserInput(enc('{"text":"stop","interrupt":true,"force":false}'))).toEqual({ text: 'stop', interrupt: true, force: false });
    expect(parseUserInput('{not json')).toEqual({ text: '{not json' });
    expect(parseUserInput('{"other":1}')).toEqual({ text: '{"other":1}' });
    expect(parseUserInput('   ')).toBeUndefined();
    expect(parseUserInput('{"text":" "}')).toBeUndefined();
  });
});

describe('connectRoom', () => {
  const base = { apiKey, apiSecret, roomName: 'demo', identity: 'agent', onUserInput: () => {} };

  it('rejects with RoomConnectionError naming the URL when nothing listens there', async () => {
    const url = 'ws://127.0.0.1:9';
    const t0 = performance.now();
    const err = await connectRoom({ ...base, url, audioSource: newSource(), connectTimeoutMs: 3000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RoomConnectionError);
    expect((err as Error).message).toContain(url);
    expect((err as RoomConnectionError).url).toBe(url);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('gives up at the deadline when the server accepts but never answers', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((s) => {
      s.on('error', () => {});
      sockets.push(s);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const url = `ws://127.0.0.1:${port}`;
    const t0 = performance.now();
    const err = await connectRoom({ ...base, url, audioSource: newSource(), connectTimeoutMs: 500 }).catch((e: unknown) => e);
    const elapsed = performance.now() - t0;
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    expect(err).toBeInstanceOf(RoomConnectionError);
    expect((err as Error).message).toMatch(new RegExp(`${url}.*timed out after 500 ms`));
    expect(elapsed).toBeLessThan(4000);
  });

  it('rejects a bad inputPolicy with InvalidArgumentError before connecting', async () => {
    const t0 = performance.now();
    const err = await connectRoom({ ...base, url: 'ws://127.0.0.1:9', audioSource: newSource(), inputPolicy: { maxBytes: -1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toContain('maxBytes must be a positive integer');
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('room input on a real rtc-node Room (not connected)', () => {
  it('data events and the chat handler that rtc-node would call go through the policy', async () => {
    const room = new Room();
    const inputs: unknown[] = [];
    const refusals: RoomInputRefusal[] = [];
    attachRoomInput(room, {
      policy: createRoomInputPolicy({ allowedIdentities: ['alice'], ratePerSender: { messages: 1, perMs: 1000 }, clock: new VirtualClock() }),
      onUserInput: (u) => inputs.push(u),
      onRefused: (r) => refusals.push(r),
    });
    const enc = (t: string) => new TextEncoder().encode(t);
    room.emit(RoomEvent.DataReceived, enc('{"text":"hi","force":true}'), { identity: 'alice' } as never, undefined, 'user_input');
    room.emit(RoomEvent.DataReceived, enc('again'), { identity: 'alice' } as never, undefined, 'user_input');
    room.emit(RoomEvent.DataReceived, enc('hi'), { identity: 'mallory' } as never, undefined, 'user_input');
    const chat = (room as unknown as { textStreamHandlers: Map<string, (reader: unknown, p: { identity: string }) => void> }).textStreamHandlers.get('lk.chat');
    expect(chat).toBeTypeOf('function');
    let closed = false;
    chat!({ info: {}, close: async () => void (closed = true), [Symbol.asyncIterator]: async function* () {} }, { identity: 'mallory' });
    await new Promise<void>((r) => setImmediate(r));
    expect(inputs).toEqual([{ text: 'hi', force: true, from: 'alice' }]);
    expect(refusals.map((r) => `${r.sender}: ${r.reason}`)).toEqual(['alice: rate-limited', 'mallory: not-allowed', 'mallory: not-allowed']);
    expect(closed).toBe(true);
  });
});
