import { assign, setup } from 'xstate';
import { HOLDS_WAITERS, type InterruptEvent } from './interrupt-event.js';

/**
 * One function call, from the moment it is parsed out of the LLM stream (while its preamble
 * still plays) to its outcome.
 *
 * active.running ⇄ active.awaitingPlayout  (the tool called `ctx.waitForPlayout()`)
 *   ─RESULT→ succeeded   ─ERROR→ failed   ─INTERRUPT→ aborted
 * INTERRUPT from either active state aborts the run in one transition: the signal fires and the
 * playout waiters reject. A result arriving after that is discarded by the runtime.
 */
export interface ToolRunInput {
  callId: string;
  name: string;
  speechId: string;
  step: number;
}

export interface ToolRunContext extends ToolRunInput {
  /** The playout of the step that issued the call has finished. */
  playoutDone: boolean;
  abortReason: 'interrupt' | 'close' | 'speechFailed' | null;
}

export type ToolRunEvent =
  | { type: 'WAIT_FOR_PLAYOUT' }
  | { type: 'PLAYOUT_DONE' }
  /** `handoff`: the tool returned a handoff to this agent entry (the router applies it once the step played whole). */
  | { type: 'RESULT'; output: string; handoff?: string }
  | { type: 'ERROR'; output: string }
  | { type: 'SPEECH_FAILED' }
  | InterruptEvent;

export const toolRunMachine = setup({
  types: {
    context: {} as ToolRunContext,
    events: {} as ToolRunEvent,
    input: {} as ToolRunInput,
  },
  actions: {
    // Provided by the runtime; no-ops here keep the machine pure and traversable.
    resolvePlayoutWaiters: () => {},
    rejectPlayoutWaiters: () => {},
    abortSignal: () => {},
    recordOutput: () => {},
    recordAbortOutput: () => {},
    markPlayoutDone: assign({ playoutDone: true }),
    recordAbortReason: assign({
      abortReason: ({ event }) =>
        event.type === 'SPEECH_FAILED' ? 'speechFailed' : event.type === 'INTERRUPT' ? (event.reason ?? 'interrupt') : 'interrupt',
    }),
  },
  guards: {
    playoutDone: ({ context }) => context.playoutDone,
  },
}).createMachine({
  id: 'toolRun',
  context: ({ input }) => ({ ...input, playoutDone: false, abortReason: null }),
  initial: 'active',
  states: {
    active: {
      initial: 'running',
      on: {
        // A run that ends while its own wait is still pending (the tool did not await it) releases it.
        RESULT: { target: 'succeeded', actions: ['resolvePlayoutWaiters', 'recordOutput'] },
        ERROR: { target: 'failed', actions: ['resolvePlayoutWaiters', 'recordOutput'] },
        // A tool's run belongs to its speech: INTERRUPT is never refused here (the speech decided).
        INTERRUPT: { target: 'aborted', actions: ['recordAbortReason', 'abortSignal', 'rejectPlayoutWaiters', 'recordAbortOutput'] },
        SPEECH_FAILED: { target: 'aborted', actions: ['recordAbortReason', 'abortSignal', 'rejectPlayoutWaiters', 'recordAbortOutput'] },
      },
      states: {
        running: {
          tags: [HOLDS_WAITERS],
          on: {
            WAIT_FOR_PLAYOUT: [
              { guard: 'playoutDone', actions: 'resolvePlayoutWaiters' },
              { target: 'awaitingPlayout' },
            ],
            PLAYOUT_DONE: { actions: 'markPlayoutDone' },
          },
        },
        awaitingPlayout: {
          tags: [HOLDS_WAITERS],
          on: {
            PLAYOUT_DONE: { target: 'running', actions: ['markPlayoutDone', 'resolvePlayoutWaiters'] },
          },
        },
      },
    },
    succeeded: { type: 'final' },
    failed: { type: 'final' },
    aborted: { type: 'final' },
  },
});
