import { assign, setup } from 'xstate';
import { HOLDS_WAITERS, type InterruptEvent } from './interrupt-event.js';

/**
 * One agent utterance, from the queue to its end.
 *
 * queued ─AUTHORIZE→ active.generating ─GENERATION_DONE→ active.playingOut ─PLAYOUT_DONE→ active.awaitingTools
 *   active.awaitingTools (floor released) ─(no tool pending, next step due)→ active.awaitingFloor ─AUTHORIZE→ active.generating
 *   active.awaitingTools ─(no tool pending, no next step)→ done
 *   active.generating | active.playingOut ─PAUSE→ active.paused ─RESUME→ back where it was
 * The floor (the scheduler's single speaker slot) is held only while a step generates and plays:
 * once the step's audio has played, the speech releases it and waits for its tools off the floor, so
 * a speech created meanwhile (by a tool that says "one moment" and awaits it, or from outside) is
 * served; the tool-reply step asks for the floor again (`requestFloor`) and waits its turn.
 * Every non-final state holds waiters (`waitForPlayout()` callers) and handles INTERRUPT:
 * allowed (or forced) it goes to `interrupted` and aborts them in that transition; refused it runs
 * `refuseInterrupt` so the caller learns it. No state waits on a timer.
 */
export interface SpeechHandleInput {
  id: string;
  priority?: number;
  allowInterruptions?: boolean;
  /** Steps that may call tools; one more step may follow for the final reply (without tools). */
  maxToolSteps?: number;
}

export interface SpeechHandleContext {
  id: string;
  priority: number;
  allowInterruptions: boolean;
  maxToolSteps: number;
  /** 1-based index of the current generation step. */
  step: number;
  /** Tool runs of the current step not yet settled. */
  pendingTools: number;
  /** The current step issued at least one tool call. */
  stepHadTools: boolean;
  /** A settled tool of the current step wants a reply (a handoff with nothing to return does not). */
  stepWantsReply: boolean;
  interruptReason: 'interrupt' | 'close' | null;
  error: unknown;
  /** The current step's LLM stream has ended (tracked across a pause). */
  generationDone: boolean;
}

export type SpeechHandleEvent =
  | { type: 'AUTHORIZE' }
  | { type: 'TOOL_STARTED'; callId: string }
  /** `reply: false`: the output asks for no tool reply (a handoff that returns nothing). */
  | { type: 'TOOL_SETTLED'; callId: string; reply?: boolean }
  | { type: 'GENERATION_DONE' }
  | { type: 'PLAYOUT_DONE' }
  | { type: 'FAIL'; error: unknown }
  /** Hold the audio (a possible barge-in); RESUME plays on from where it stopped. */
  | { type: 'PAUSE' }
  | { type: 'RESUME' }
  | InterruptEvent;

const interruptTransitions = [
  { guard: 'canInterrupt', target: '#speechHandle.interrupted', actions: ['recordInterrupt', 'interruptTools'] },
  { actions: 'refuseInterrupt' },
] as const;

export const speechHandleMachine = setup({
  types: {
    context: {} as SpeechHandleContext,
    events: {} as SpeechHandleEvent,
    input: {} as SpeechHandleInput,
  },
  actions: {
    // Provided by the runtime; no-ops here keep the machine pure and traversable.
    startStep: () => {},
    interruptTools: () => {},
    refuseInterrupt: () => {},
    resolveWaiters: () => {},
    abortWaiters: () => {},
    failWaiters: () => {},
    stopAudio: () => {},
    releaseFloor: () => {},
    requestFloor: () => {},
    finishSpeech: (_, _params: { outcome: 'done' | 'interrupted' | 'failed' }) => {},
    recordInterrupt: assign({
      interruptReason: ({ event }) => (event.type === 'INTERRUPT' ? (event.reason ?? 'interrupt') : 'interrupt'),
    }),
    recordError: assign({ error: ({ event }) => (event.type === 'FAIL' ? event.error : undefined) }),
    toolStarted: assign({ pendingTools: ({ context }) => context.pendingTools + 1, stepHadTools: true }),
    toolSettled: assign({
      pendingTools: ({ context }) => Math.max(0, context.pendingTools - 1),
      stepWantsReply: ({ context, event }) => context.stepWantsReply || (event.type === 'TOOL_SETTLED' && event.reply !== false),
    }),
    nextStep: assign({ step: ({ context }) => context.step + 1, pendingTools: 0, stepHadTools: false, stepWantsReply: false, generationDone: false }),
    markGenerationDone: assign({ generationDone: true }),
    pauseAudio: () => {},
    resumeAudio: () => {},
  },
  guards: {
    canInterrupt: ({ context, event }) =>
      event.type === 'INTERRUPT' && (event.force === true || context.allowInterruptions),
    toolsIdle: ({ context }) => context.pendingTools === 0,
    generationDone: ({ context }) => context.generationDone,
    // Steps 1..maxToolSteps may call tools; a step that did gets a follow-up step with their outputs.
    toolsIdleAndContinues: ({ context }) =>
      context.pendingTools === 0 && context.stepHadTools && context.stepWantsReply && context.step <= context.maxToolSteps,
  },
}).createMachine({
  id: 'speechHandle',
  context: ({ input }) => ({
    id: input.id,
    priority: input.priority ?? 5,
    allowInterruptions: input.allowInterruptions ?? true,
    maxToolSteps: input.maxToolSteps ?? 3,
    step: 1,
    pendingTools: 0,
    stepHadTools: false,
    stepWantsReply: false,
    interruptReason: null,
    error: undefined,
    generationDone: false,
  }),
  initial: 'queued',
  states: {
    queued: {
      tags: [HOLDS_WAITERS],
      on: {
        AUTHORIZE: { target: 'active', actions: 'startStep' },
        INTERRUPT: interruptTransitions,
        FAIL: { target: 'failed', actions: 'recordError' },
      },
    },
    active: {
      initial: 'generating',
      on: {
        INTERRUPT: interruptTransitions,
        FAIL: { target: 'failed', actions: 'recordError' },
        TOOL_SETTLED: { actions: 'toolSettled' },
      },
      states: {
        generating: {
          tags: [HOLDS_WAITERS],
          on: {
            TOOL_STARTED: { actions: 'toolStarted' },
            GENERATION_DONE: 'playingOut',
            PAUSE: { target: 'paused', actions: 'pauseAudio' },
          },
        },
        playingOut: {
          tags: [HOLDS_WAITERS],
          on: {
            PLAYOUT_DONE: 'awaitingTools',
            PAUSE: { target: 'paused', actions: ['markGenerationDone', 'pauseAudio'] },
          },
        },
        // Audio held while the user may be barging in. Waiters keep waiting; INTERRUPT (via active)
        // settles them at once; generation goes on underneath.
        paused: {
          tags: [HOLDS_WAITERS],
          on: {
            TOOL_STARTED: { actions: 'toolStarted' },
            GENERATION_DONE: { actions: 'markGenerationDone' },
            RESUME: [
              { guard: 'generationDone', target: 'playingOut', actions: 'resumeAudio' },
              { target: 'generating', actions: 'resumeAudio' },
            ],
            // A sink that cannot hold audio may still finish the segment.
            PLAYOUT_DONE: { target: 'awaitingTools', actions: 'resumeAudio' },
          },
        },
        // Entered when the step's audio has played; tools of the step may still run. The floor is
        // released here: waiting on tools must never keep other speeches (or a tool's own) from playing.
        awaitingTools: {
          tags: [HOLDS_WAITERS],
          entry: 'releaseFloor',
          always: [
            { guard: 'toolsIdleAndContinues', target: 'awaitingFloor', actions: ['nextStep', 'requestFloor'] },
            { guard: 'toolsIdle', target: '#speechHandle.done' },
          ],
        },
        // The tool-reply step is queued again, at the speech's priority, behind what was said meanwhile.
        awaitingFloor: {
          tags: [HOLDS_WAITERS],
          on: { AUTHORIZE: { target: 'generating', actions: 'startStep' } },
        },
      },
    },
    done: { type: 'final', entry: ['resolveWaiters', { type: 'finishSpeech', params: { outcome: 'done' } }] },
    interrupted: { type: 'final', entry: ['abortWaiters', 'stopAudio', { type: 'finishSpeech', params: { outcome: 'interrupted' } }] },
    failed: {
      type: 'final',
      entry: ['failWaiters', 'interruptTools', 'stopAudio', { type: 'finishSpeech', params: { outcome: 'failed' } }],
    },
  },
});
