import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/errors.js';
import { createRoomInputPolicy, type RoomInputVerdict } from '../src/adapters/room-input-policy.js';
import { VirtualClock } from '../src/testing/virtual-clock.js';

const enc = (s: string) => new TextEncoder().encode(s);
const refusal = (v: RoomInputVerdict) => (v.accepted ? undefined : v.refusal);

describe('room input policy: allow-list', () => {
  it('accepts every participant when unset, and sets from', () => {
    const p = createRoomInputPolicy({ clock: new VirtualClock() });
    const v = p.check('anyone', enc('hello'));
    expect(v).toEqual({ accepted: true, input: { text: 'hello', from: 'anyone' } });
  });

  it('accepts only the listed identities; the server (no participant) is not listed', () => {
    const p = createRoomInputPolicy({ allowedIdentities: ['alice'], clock: new VirtualClock() });
    expect(p.check('alice', enc('hi')).accepted).toBe(true);
    const r = refusal(p.check('mallory', enc('hi')));
    expect(r).toMatchObject({ sender: 'mallory', reason: 'not-allowed', bytes: 2 });
    expect(r!.message).toBe('room input from "mallory" refused: not allowed (not in the allow-list)');
    expect(refusal(p.check(undefined, enc('hi')))).toMatchObject({ reason: 'not-allowed', message: expect.stringContaining('the server') });
    expect(p.refuseSender('alice')).toBeUndefined();
    expect(p.refuseSender('mallory')?.reason).toBe('not-allowed');
  });
});

describe('room input policy: size cap in UTF-8 bytes', () => {
  it('refuses a message over maxBytes, counting bytes, not characters', () => {
    const p = createRoomInputPolicy({ maxBytes: 10, clock: new VirtualClock() });
    expect(p.check('a', enc('0123456789')).accepted).toBe(true);
    // Five characters, ten bytes: 'é' is two bytes in UTF-8.
    expect(p.check('b', 'ééééé', 'chat').accepted).toBe(true);
    const r = refusal(p.check('c', 'éééééé', 'chat'));
    expect(r).toMatchObject({ sender: 'c', reason: 'too-large', bytes: 12 });
    expect(r!.message).toBe('room input from "c" refused: too large (12 bytes, the cap is 10)');
    expect(refusal(p.check('d', enc('01234567890')))?.reason).toBe('too-large');
  });

  it('defaults to 4 KiB', () => {
    const p = createRoomInputPolicy({ clock: new VirtualClock() });
    expect(p.maxBytes).toBe(4096);
    expect(p.check('a', enc('x'.repeat(4096))).accepted).toBe(true);
    expect(refusal(p.check('b', enc('x'.repeat(4097))))?.reason).toBe('too-large');
  });

  it('refuses a message with no text, without spending the rate', () => {
    const p = createRoomInputPolicy({ ratePerSender: { messages: 1, perMs: 1000 }, clock: new VirtualClock() });
    expect(refusal(p.check('a', enc('   ')))).toMatchObject({ reason: 'empty', message: 'room input from "a" refused: no text' });
    expect(refusal(p.check('a', enc('{"text":""}')))?.reason).toBe('empty');
    expect(p.check('a', enc('now')).accepted).toBe(true);
  });
});

describe('room input policy: per-sender rate limit (virtual clock)', () => {
  it('allows N messages per sliding window per sender; another sender is not limited', async () => {
    const clock = new VirtualClock();
    const p = createRoomInputPolicy({ ratePerSender: { messages: 3, perMs: 1000 }, clock });
    for (let i = 0; i < 3; i++) {
      expect(p.check('alice', enc(`m${i}`)).accepted).toBe(true);
      await clock.advance(100);
    }
    // t=300: alice has sent 3 in the last second.
    const r = refusal(p.check('alice', enc('m3')));
    expect(r).toMatchObject({ sender: 'alice', reason: 'rate-limited' });
    expect(r!.message).toBe('room input from "alice" refused: rate limited (the limit is 3 messages per 1000 ms; next accepted in 700 ms)');
    // Bob has his own budget.
    expect(p.check('bob', enc('hi')).accepted).toBe(true);
    // The refused message spent nothing: at t=1000 the first slot (t=0) is free again, one only.
    await clock.advance(699);
    expect(p.check('alice', enc('m4')).accepted).toBe(false);
    await clock.advance(1);
    expect(p.check('alice', enc('m5')).accepted).toBe(true);
    expect(p.check('alice', enc('m6')).accepted).toBe(false);
    await clock.advance(100);
    expect(p.check('alice', enc('m7')).accepted).toBe(true);
  });

  it('defaults to 5 messages per 10 s', async () => {
    const clock = new VirtualClock();
    const p = createRoomInputPolicy({ clock });
    for (let i = 0; i < 5; i++) expect(p.check('a', enc('x')).accepted).toBe(true);
    expect(refusal(p.check('a', enc('x')))?.reason).toBe('rate-limited');
    await clock.advance(9_999);
    expect(p.check('a', enc('x')).accepted).toBe(false);
    await clock.advance(1);
    expect(p.check('a', enc('x')).accepted).toBe(true);
  });

  it('limits the server (no participant) like a sender of its own', () => {
    const p = createRoomInputPolicy({ ratePerSender: { messages: 1, perMs: 1000 }, clock: new VirtualClock() });
    expect(p.check(undefined, enc('x'))).toEqual({ accepted: true, input: { text: 'x' } });
    expect(refusal(p.check(undefined, enc('x')))?.reason).toBe('rate-limited');
    expect(p.check('a', enc('x')).accepted).toBe(true);
  });

  it('forgets idle senders once it tracks many', async () => {
    const clock = new VirtualClock();
    const p = createRoomInputPolicy({ ratePerSender: { messages: 1, perMs: 1000 }, clock });
    for (let i = 0; i < 300; i++) p.check(`s${i}`, enc('x'));
    await clock.advance(1000);
    // Each is free again (the sweep dropped them; the window would have anyway).
    for (let i = 0; i < 300; i++) expect(p.check(`s${i}`, enc('x')).accepted).toBe(true);
  });
});

describe('room input policy: force only from identities allowed to force', () => {
  const forced = enc('{"text":"stop","interrupt":true,"force":true}');

  it('open room: nobody may force; the text is delivered without force and the drop reported', () => {
    const p = createRoomInputPolicy({ clock: new VirtualClock() });
    const v = p.check('anyone', forced);
    expect(v.accepted).toBe(true);
    if (!v.accepted) return;
    expect(v.input).toEqual({ text: 'stop', interrupt: true, force: false, from: 'anyone' });
    expect(v.forceRefused).toMatchObject({ sender: 'anyone', reason: 'force-not-allowed' });
    expect(v.forceRefused!.message).toBe('room input from "anyone": force refused (nobody may force); delivered without force');
  });

  it('with an allow-list, the allowed identities may force (unless forceIdentities narrows it)', () => {
    const p = createRoomInputPolicy({ allowedIdentities: ['alice', 'bob'], clock: new VirtualClock() });
    expect(p.check('alice', forced)).toEqual({ accepted: true, input: { text: 'stop', interrupt: true, force: true, from: 'alice' } });
    const q = createRoomInputPolicy({ allowedIdentities: ['alice', 'bob'], forceIdentities: ['alice'], clock: new VirtualClock() });
    expect(q.check('alice', forced)).toMatchObject({ accepted: true, input: { force: true } });
    const v = q.check('bob', forced);
    expect(v).toMatchObject({ accepted: true, input: { force: false }, forceRefused: { reason: 'force-not-allowed', message: expect.stringContaining('not in the force list') } });
  });

  it('forceIdentities in an open room; chat text never forces', () => {
    const p = createRoomInputPolicy({ forceIdentities: ['ops'], clock: new VirtualClock() });
    expect(p.check('ops', forced)).toMatchObject({ accepted: true, input: { force: true, from: 'ops' } });
    expect(p.check('guest', forced)).toMatchObject({ accepted: true, input: { force: false } });
    expect(p.check('ops', '{"text":"stop","force":true}', 'chat')).toEqual({ accepted: true, input: { text: '{"text":"stop","force":true}', from: 'ops' } });
  });

  it('a message without force is not reported', () => {
    const p = createRoomInputPolicy({ clock: new VirtualClock() });
    const v = p.check('a', enc('{"text":"hi","force":false}'));
    expect(v).toEqual({ accepted: true, input: { text: 'hi', force: false, from: 'a' } });
  });
});

describe('room input policy: bad options name what was wrong', () => {
  it.each([
    [{ allowedIdentities: 'alice' }, /allowedIdentities must be an array/],
    [{ allowedIdentities: ['alice', ''] }, /allowedIdentities\[1\] must be a non-empty string/],
    [{ forceIdentities: [3] }, /forceIdentities\[0\] must be a non-empty string, got 3/],
    [{ allowedIdentities: ['alice'], forceIdentities: ['bob'] }, /forceIdentities has "bob", which is not in allowedIdentities/],
    [{ maxBytes: 0 }, /maxBytes must be a positive integer, got 0/],
    [{ maxBytes: 1.5 }, /maxBytes must be a positive integer/],
    [{ ratePerSender: 5 }, /ratePerSender must be \{ messages, perMs \}/],
    [{ ratePerSender: { messages: 0, perMs: 1000 } }, /ratePerSender\.messages must be a positive integer, got 0/],
    [{ ratePerSender: { messages: 5, perMs: Number.NaN } }, /ratePerSender\.perMs must be a positive number of ms/],
    [{ clock: {} }, /clock must have a now\(\) method/],
  ])('%j', (o, msg) => {
    expect(() => createRoomInputPolicy(o as never)).toThrow(InvalidArgumentError);
    expect(() => createRoomInputPolicy(o as never)).toThrow(msg);
  });

  it('describes the settings in force', () => {
    expect(createRoomInputPolicy().describe()).toBe('from every participant; force from nobody; at most 4096 bytes; 5 per 10 s per sender');
    expect(createRoomInputPolicy({ allowedIdentities: ['a', 'b'], forceIdentities: ['a'] }).describe()).toBe('from "a", "b" only; force from "a"; at most 4096 bytes; 5 per 10 s per sender');
  });
});
