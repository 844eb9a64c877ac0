/** Small predicates shared by the composed and the per-machine invariants. */
import type { ActionRecord } from '../testing/model-explorer.js';

export const isFinal = (s: { status: string }) => s.status === 'done';

/** An invariant's verdict from its list of problems. */
export function fail(messages: string[]): true | string {
  return messages.length === 0 ? true : messages.join('; ');
}

/** A delayed action: a timer. */
export const hasDelay = (a: ActionRecord) => typeof (a.params as { delay?: unknown } | undefined)?.delay === 'number';
