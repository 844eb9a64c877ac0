import { describe, expect, it } from 'vitest';
import { CliError } from '../src/cli/cli-output.js';
import { RUN_HELP } from '../src/cli/help.js';
import { roomInputPolicyFromFlags } from '../src/cli/room-input-flags.js';

// speechcharts run --room's input policy flags, read without starting the CLI.

describe('room input flags', () => {
  it('default to the policy defaults, described for the startup line', () => {
    expect(roomInputPolicyFromFlags({}, true)).toEqual({
      options: {},
      description: 'from every participant; force from nobody; at most 4096 bytes; 5 per 10 s per sender',
    });
  });

  it('read identities (repeated), the size cap and the rate', () => {
    const r = roomInputPolicyFromFlags({ 'allow-identity': ['alice', 'bob'], 'force-identity': ['alice'], 'max-input-bytes': '1024', 'input-rate': '3/2.5s' }, true);
    expect(r.options).toEqual({ allowedIdentities: ['alice', 'bob'], forceIdentities: ['alice'], maxBytes: 1024, ratePerSender: { messages: 3, perMs: 2500 } });
    expect(r.description).toBe('from "alice", "bob" only; force from "alice"; at most 1024 bytes; 3 per 2.5 s per sender');
  });

  it.each([
    [{ 'max-input-bytes': '0' }, '--max-input-bytes must be a positive integer, got 0'],
    [{ 'max-input-bytes': '1k' }, '--max-input-bytes must be a positive integer, got 1k'],
    [{ 'input-rate': '5' }, '--input-rate must be MESSAGES/SECONDS with both positive, e.g. 5/10, got 5'],
    [{ 'input-rate': '0/10' }, '--input-rate must be MESSAGES/SECONDS'],
    [{ 'allow-identity': ['alice'], 'force-identity': ['bob'] }, '--force-identity bob is not one of the --allow-identity identities'],
    [{ 'allow-identity': ['alice', ''] }, '--allow-identity needs a non-empty identity'],
    [{ 'force-identity': [' '] }, '--force-identity needs a non-empty identity'],
  ])('reject %j with exit 2, naming the flag', (v, msg) => {
    const err = (() => {
      try {
        roomInputPolicyFromFlags(v, true);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    expect((err as Error).message).toContain(msg);
  });

  it('need --room', () => {
    expect(() => roomInputPolicyFromFlags({ 'input-rate': '5/10' }, false)).toThrow('--input-rate applies to room input; it needs --room');
  });

  it('are in speechcharts run --help', () => {
    for (const s of ['--allow-identity ID', '--force-identity ID', '--max-input-bytes N', '--input-rate N/SECS']) expect(RUN_HELP).toContain(s);
  });
});
