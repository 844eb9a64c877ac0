/**
 * The event every state that can hold a waiter handles.
 * `force` overrides `allowInterruptions: false`; `reason` says who asked ('close' when the session closes).
 */
export interface InterruptEvent {
  type: 'INTERRUPT';
  force?: boolean;
  reason?: 'interrupt' | 'close';
}

/** Tag on every state in which a caller may be waiting on the machine (a playout waiter). */
export const HOLDS_WAITERS = 'holdsWaiters';
