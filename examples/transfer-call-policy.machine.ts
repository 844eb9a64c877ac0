import { assign, setup } from 'xstate';
// In your project: import type { Invariant } from 'speechcharts/testing';
import type { Invariant, Progress } from '../src/testing/index.js';

/**
 * A user's own tool policy, verified with speechcharts' model explorer (docs/model-based-testing.md).
 *
 * A transfer-call tool says a preamble ("Transferring you now"), dials the destination, and once
 * the PBX has bridged the call the transfer is COMMITTED: the caller is already talking to the
 * destination, so an interrupt can no longer undo it. From then on an interrupt is deferred (and
 * reported when the handoff ends), never honoured.
 *
 * announcing ─PREAMBLE_PLAYED→ dialing ─BRIDGED→ committed ─HANDOFF_DONE→ transferred
 *      └─INTERRUPT→ cancelled      ├─INTERRUPT→ cancelled (hang up the dial)
 *                                  └─DIAL_FAILED→ failed
 */
export type TransferEvent =
  | { type: 'PREAMBLE_PLAYED' }
  | { type: 'BRIDGED' }
  | { type: 'DIAL_FAILED' }
  | { type: 'HANDOFF_DONE' }
  | { type: 'INTERRUPT' };

export interface TransferContext {
  /** An interrupt arrived after the commit: report it once the handoff is done. */
  interruptDeferred: boolean;
}

/** Tags: `abortable` states end on INTERRUPT; in `committed` states an INTERRUPT is deferred. */
export const ABORTABLE = 'abortable';
export const COMMITTED = 'committed';

const policy = setup({
  types: { context: {} as TransferContext, events: {} as TransferEvent },
  actions: {
    // Implemented by the tool: the policy names the effects, the tool performs them.
    hangUpDial: () => {},
    announceTransferred: () => {},
    reportDeferredInterrupt: () => {},
    deferInterrupt: assign({ interruptDeferred: true }),
  },
  guards: {
    interruptDeferred: ({ context }) => context.interruptDeferred,
  },
});

const handoffDone = [
  { guard: 'interruptDeferred' as const, target: 'transferred', actions: ['announceTransferred' as const, 'reportDeferredInterrupt' as const] },
  { target: 'transferred', actions: 'announceTransferred' as const },
];

/** The policy: INTERRUPT is handled state by state, so a committed transfer only defers it. */
export const transferCallPolicy = policy.createMachine({
  id: 'transferCall',
  context: { interruptDeferred: false },
  initial: 'announcing',
  states: {
    announcing: { tags: [ABORTABLE], on: { PREAMBLE_PLAYED: 'dialing', INTERRUPT: 'cancelled' } },
    dialing: {
      tags: [ABORTABLE],
      on: { BRIDGED: 'committed', DIAL_FAILED: 'failed', INTERRUPT: { target: 'cancelled', actions: 'hangUpDial' } },
    },
    committed: { tags: [COMMITTED], on: { INTERRUPT: { actions: 'deferInterrupt' }, HANDOFF_DONE: handoffDone } },
    transferred: { type: 'final' },
    cancelled: { type: 'final' },
    failed: { type: 'final' },
  },
});

/**
 * The first draft, kept to show what the explorer catches: INTERRUPT on the root "so that every
 * state handles it" also aborts a committed transfer.
 */
export const transferCallPolicyDraft = policy.createMachine({
  id: 'transferCallDraft',
  context: { interruptDeferred: false },
  initial: 'announcing',
  on: { INTERRUPT: { target: '.cancelled', actions: 'hangUpDial' } },
  states: {
    announcing: { tags: [ABORTABLE], on: { PREAMBLE_PLAYED: 'dialing' } },
    dialing: { tags: [ABORTABLE], on: { BRIDGED: 'committed', DIAL_FAILED: 'failed' } },
    committed: { tags: [COMMITTED], on: { HANDOFF_DONE: handoffDone } },
    transferred: { type: 'final' },
    cancelled: { type: 'final' },
    failed: { type: 'final' },
  },
});

/** Every event, in every state: the explorer tries them all. */
export const TRANSFER_EVENTS: TransferEvent[] = [
  { type: 'PREAMBLE_PLAYED' },
  { type: 'BRIDGED' },
  { type: 'DIAL_FAILED' },
  { type: 'HANDOFF_DONE' },
  { type: 'INTERRUPT' },
];

type Snap = ReturnType<typeof transferCallPolicy.transition>;
const isFinal = (s: { status: string }) => s.status === 'done';

/** The policy's invariants, checked on every reachable state and transition. */
export const transferInvariants: Invariant<Snap, TransferEvent>[] = [
  {
    name: 'a committed transfer is never aborted',
    check: ({ from, to }) => !from?.hasTag(COMMITTED) || !to.matches('cancelled') || 'an INTERRUPT cancelled a bridged call',
  },
  {
    name: 'every non-final state handles INTERRUPT: it ends the run or is deferred',
    check: ({ from, event, to, actions }) => {
      if (!from || isFinal(from) || event?.type !== 'INTERRUPT') return true;
      if (from.hasTag(ABORTABLE)) return to.matches('cancelled') || `INTERRUPT in ${String(from.value)} did not cancel`;
      return to.context.interruptDeferred || actions.some((a) => a.type === 'deferInterrupt') || `INTERRUPT in ${String(from.value)} was dropped`;
    },
  },
  {
    name: 'a dial that was started is hung up when cancelled',
    check: ({ from, to, actions }) => !from?.matches('dialing') || !to.matches('cancelled') || actions.some((a) => a.type === 'hangUpDial') || 'cancelled while dialing without hanging up',
  },
  {
    name: 'a deferred interrupt is reported when the handoff ends',
    check: ({ from, to, actions }) =>
      !(from?.context.interruptDeferred && !isFinal(from) && to.matches('transferred')) || actions.some((a) => a.type === 'reportDeferredInterrupt') || 'the deferred interrupt was lost',
  },
  {
    name: 'final states absorb everything',
    check: ({ from, to, actions }) => !from || !isFinal(from) || (from.value === to.value && actions.length === 0) || `${String(from.value)} did not absorb`,
  },
];

export const transferProgress: Progress<Snap, TransferEvent>[] = [
  { name: 'every transfer can end', goal: (s) => isFinal(s) },
  // Without new interrupts, a committed transfer still completes.
  { name: 'a committed transfer completes without help', goal: (s) => s.matches('transferred') || !s.hasTag(COMMITTED), via: (e) => e.type !== 'INTERRUPT' },
];
