import { fromTransition, type SnapshotFrom } from 'xstate';
// In your project: from 'speechcharts/machines' and 'speechcharts/testing'.
import { toolRunMachine } from '../machines/index.js';
import { createMachineStepper, type Invariant } from '../src/testing/index.js';
import { transferCallPolicy, COMMITTED, type TransferEvent } from './transfer-call-policy.machine.js';

/**
 * The user's transfer-call tool logic, written by hand (the system under test of the generated
 * tests): it talks to a PBX and must follow `transferCallPolicy`.
 * `bug` seeds a defect, to show the generated tests catch it.
 */
export class TransferCall {
  status: 'announcing' | 'dialing' | 'committed' | 'transferred' | 'cancelled' | 'failed' = 'announcing';
  interruptDeferred = false;
  readonly pbx: string[] = [];
  readonly said: string[] = [];

  constructor(private readonly o: { bug?: 'hangsUpBridgedCall' | 'forgetsDeferredInterrupt' } = {}) {}

  get done(): boolean {
    return this.status === 'transferred' || this.status === 'cancelled' || this.status === 'failed';
  }

  preamblePlayed(): void {
    if (this.status !== 'announcing') return;
    this.status = 'dialing';
    this.pbx.push('dial');
  }

  bridged(): void {
    if (this.status === 'dialing') this.status = 'committed';
  }

  dialFailed(): void {
    if (this.status === 'dialing') this.status = 'failed';
  }

  interrupt(): void {
    if (this.status === 'announcing') this.status = 'cancelled';
    else if (this.status === 'dialing' || (this.o.bug === 'hangsUpBridgedCall' && this.status === 'committed')) {
      this.pbx.push('hangup');
      this.status = 'cancelled';
    } else if (this.status === 'committed') this.interruptDeferred = true;
  }

  handoffDone(): void {
    if (this.status !== 'committed') return;
    this.status = 'transferred';
    this.said.push('transferred');
    if (this.interruptDeferred && this.o.bug !== 'forgetsDeferredInterrupt') this.said.push('you were transferred before I could stop');
  }
}

// ── the policy composed with speechcharts' tool-run machine ───────────────

/**
 * What the runtime does to a tool run, and what the PBX does: the events of the composed model.
 * SPEECH_INTERRUPT: the speech that issued the call was interrupted (the runtime sends the run a
 * forced INTERRUPT, unless the speech does not allow interruptions); SESSION_CLOSE: the session closed.
 */
export type ComposedTransferEvent =
  | { type: 'PREAMBLE_PLAYED' }
  | { type: 'BRIDGED' }
  | { type: 'DIAL_FAILED' }
  | { type: 'HANDOFF_DONE' }
  | { type: 'SPEECH_INTERRUPT' }
  | { type: 'SESSION_CLOSE' };

const tool = createMachineStepper(toolRunMachine);
const transfer = createMachineStepper(transferCallPolicy);

export interface ComposedTransferState {
  run: SnapshotFrom<typeof toolRunMachine>;
  policy: SnapshotFrom<typeof transferCallPolicy>;
}

/**
 * The tool run (ours) and the transfer policy (theirs) stepped together, with the routing the
 * tool's code implements: the run's playout wait resolving tells the policy the preamble played;
 * the run's abort signal interrupts the policy; the policy's end settles the run.
 * @example exploreModel({ logic: composeTransferWithToolRun({ speechAllowsInterruptions: false }), events: COMPOSED_TRANSFER_EVENTS, serialize: serializeComposedTransfer })
 */
export function composeTransferWithToolRun(o: { speechAllowsInterruptions: boolean }) {
  const sendPolicy = (s: ComposedTransferState, e: TransferEvent): ComposedTransferState => {
    const policy = transfer.next(s.policy, e).snapshot;
    let run = s.run;
    // The tool returns when its policy ends: the result (or error) goes to the run, if still active.
    if (policy.status === 'done' && run.status !== 'done')
      run = tool.next(run, policy.matches('transferred') ? { type: 'RESULT', output: 'transferred' } : { type: 'ERROR', output: String(policy.value) }).snapshot;
    return { run, policy };
  };
  const sendRun = (s: ComposedTransferState, e: Parameters<typeof tool.next>[1]): ComposedTransferState => {
    const { snapshot: run, actions } = tool.next(s.run, e);
    let next = { ...s, run };
    if (actions.some((a) => a.type === 'resolvePlayoutWaiters') && !run.matches('aborted')) next = sendPolicy(next, { type: 'PREAMBLE_PLAYED' });
    if (actions.some((a) => a.type === 'abortSignal')) next = sendPolicy(next, { type: 'INTERRUPT' });
    return next;
  };
  return fromTransition(
    (s: ComposedTransferState, e: ComposedTransferEvent): ComposedTransferState => {
      switch (e.type) {
        case 'PREAMBLE_PLAYED':
          return sendRun(s, { type: 'PLAYOUT_DONE' });
        case 'SPEECH_INTERRUPT':
          return o.speechAllowsInterruptions ? sendRun(s, { type: 'INTERRUPT', force: true, reason: 'interrupt' }) : s;
        case 'SESSION_CLOSE':
          return sendRun(s, { type: 'INTERRUPT', force: true, reason: 'close' });
        default:
          return sendPolicy(s, e);
      }
    },
    () => {
      // The tool starts by awaiting its preamble: ctx.waitForPlayout().
      const run0 = tool.initial({ callId: 'c1', name: 'transfer_call', speechId: 's1', step: 1 }).snapshot;
      return { run: tool.next(run0, { type: 'WAIT_FOR_PLAYOUT' }).snapshot, policy: transfer.initial().snapshot };
    },
  );
}

export const COMPOSED_TRANSFER_EVENTS: ComposedTransferEvent[] = [
  { type: 'PREAMBLE_PLAYED' },
  { type: 'BRIDGED' },
  { type: 'DIAL_FAILED' },
  { type: 'HANDOFF_DONE' },
  { type: 'SPEECH_INTERRUPT' },
  { type: 'SESSION_CLOSE' },
];

type ComposedSnap = { context: ComposedTransferState };

export function serializeComposedTransfer(s: ComposedSnap): string {
  const { run, policy } = s.context;
  return JSON.stringify([run.value, run.context.playoutDone, policy.value, policy.context]);
}

export const composedTransferInvariants: Invariant<ComposedSnap, ComposedTransferEvent>[] = [
  {
    name: 'only closing the session aborts the run of a committed transfer',
    check: ({ event, to }) => {
      const { run, policy } = to.context;
      const committedOrDone = policy.hasTag(COMMITTED) || policy.matches('transferred');
      if (!committedOrDone || !run.matches('aborted')) return true;
      return run.context.abortReason === 'close' || `the LLM is told the transfer was aborted (${String(run.context.abortReason)}) after ${event?.type}, but the call was bridged`;
    },
  },
  {
    name: 'a transfer never starts dialing after its run was aborted',
    check: ({ to }) => !to.context.run.matches('aborted') || !to.context.policy.matches('dialing') || 'dialing after the abort',
  },
];
