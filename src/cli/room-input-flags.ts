/** `speechcharts run --room`'s input policy flags, read into the options of `createRoomInputPolicy`. */
import { describe, InvalidArgumentError } from '../errors.js';
import { createRoomInputPolicy, type RoomInputPolicyOptions } from '../adapters/room-input-policy.js';
import { CliError } from './cli-output.js';

/** The flags, in `node:util` parseArgs' shape. */
export const ROOM_INPUT_FLAGS = {
  'allow-identity': { type: 'string', multiple: true },
  'force-identity': { type: 'string', multiple: true },
  'max-input-bytes': { type: 'string' },
  'input-rate': { type: 'string' },
} as const;

export interface RoomInputFlagValues {
  'allow-identity'?: string[];
  'force-identity'?: string[];
  'max-input-bytes'?: string;
  'input-rate'?: string;
}

const bad = (what: string) => new CliError(`speechcharts run: ${what} (see speechcharts run --help)`, 2);

/**
 * The room input policy the flags ask for, and its one-line description; a {@link CliError} (exit 2)
 * naming the flag when one is bad, or when one is given without `--room`.
 * @example roomInputPolicyFromFlags({ 'allow-identity': ['alice'], 'input-rate': '5/10' }, true).options
 * // { allowedIdentities: ['alice'], ratePerSender: { messages: 5, perMs: 10000 } }
 */
export function roomInputPolicyFromFlags(v: RoomInputFlagValues, room: boolean): { options: RoomInputPolicyOptions; description: string } {
  const given = (Object.keys(ROOM_INPUT_FLAGS) as (keyof RoomInputFlagValues)[]).filter((k) => v[k] !== undefined);
  if (given.length && !room) throw bad(`--${given[0]} applies to room input; it needs --room`);
  for (const flag of ['allow-identity', 'force-identity'] as const) {
    if (v[flag]?.some((id) => !id.trim())) throw bad(`--${flag} needs a non-empty identity`);
  }
  const options: RoomInputPolicyOptions = {};
  if (v['allow-identity']) options.allowedIdentities = v['allow-identity'];
  if (v['force-identity']) options.forceIdentities = v['force-identity'];
  if (v['max-input-bytes'] !== undefined) {
    const n = Number(v['max-input-bytes']);
    if (!Number.isInteger(n) || n <= 0) throw bad(`--max-input-bytes must be a positive integer, got ${v['max-input-bytes']}`);
    options.maxBytes = n;
  }
  if (v['input-rate'] !== undefined) {
    const m = /^(\d+)\/(\d+(?:\.\d+)?)s?$/.exec(v['input-rate'].trim());
    const messages = m ? Number(m[1]) : Number.NaN;
    const seconds = m ? Number(m[2]) : Number.NaN;
    if (!(messages > 0) || !(seconds > 0)) throw bad(`--input-rate must be MESSAGES/SECONDS with both positive, e.g. 5/10, got ${v['input-rate']}`);
    options.ratePerSender = { messages, perMs: seconds * 1000 };
  }
  for (const id of options.forceIdentities ?? []) {
    if (options.allowedIdentities && !options.allowedIdentities.includes(id)) throw bad(`--force-identity ${id} is not one of the --allow-identity identities (its messages would be refused)`);
  }
  try {
    return { options, description: createRoomInputPolicy(options).describe() };
  } catch (e) {
    // Every flag is checked above; this would be a disagreement between the two checks: say it as is.
    if (e instanceof InvalidArgumentError) throw bad(describe(e));
    throw e;
  }
}
