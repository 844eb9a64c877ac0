import { assign, setup } from 'xstate';

/**
 * One agent's time in a session, from its entry to its exit.
 *
 * entering ─ENTERED→ active ─DRAIN→ draining ─FLOOR_FREE→ exiting ─EXITED→ done
 *                    active ─PAUSE→ pausing ─FLOOR_FREE→ paused ─RESUME→ active
 * `entering`: the runtime is calling the agent's `onEnter` (it is not awaited: a long hook never
 * holds the session). `draining` and `pausing`: new turns wait for the next agent; the agent's
 * current speech finishes its step (its tools may go on, off the floor). `exiting`: `onExit` runs;
 * what it says is still this agent's. `paused`: an `AgentTask` this agent started has the floor.
 *
 * The waiter of an activity is `AgentTask.run()`; it settles in `done`'s entry (with the task's
 * result, or rejected when the task ended without one). Every non-final state handles CLOSE and
 * goes to `done` in that transition, so closing never waits on a hook, a drain or a task. No state
 * waits on a timer. The session's router decides when DRAIN, PAUSE and FLOOR_FREE are sent; the
 * hooks run as effects after the transition that asked for them.
 */
export interface AgentActivityInput {
  /** The session's key for this agent instance (unique, e.g. `agent_2`). */
  key: string;
  /** The agent's public id (`Agent.id`). */
  agentId: string;
}

export interface AgentActivityContext {
  key: string;
  agentId: string;
  /** How it ended: exited after a drain, or closed (the session closed, or the agent it served left). */
  endedBy: 'exit' | 'close' | null;
}

export type AgentActivityEvent =
  /** `onEnter` was called (its promise is not awaited). */
  | { type: 'ENTERED' }
  /** A handoff (or a task's end) replaces this agent: stop taking new turns. */
  | { type: 'DRAIN' }
  /** This agent starts an `AgentTask`: it steps aside until the task ends. */
  | { type: 'PAUSE' }
  /** No speech of this agent holds or waits for the floor any more. */
  | { type: 'FLOOR_FREE' }
  /** `onExit` settled (returned, or threw: the error is reported). */
  | { type: 'EXITED' }
  /** The task it started ended: it speaks for the session again. */
  | { type: 'RESUME' }
  | { type: 'CLOSE' };

const close = { CLOSE: { target: '#agentActivity.done', actions: 'markClosed' } } as const;

export const agentActivityMachine = setup({
  types: {
    context: {} as AgentActivityContext,
    events: {} as AgentActivityEvent,
    input: {} as AgentActivityInput,
  },
  actions: {
    runOnEnter: () => {},
    runOnExit: () => {},
    /** The floor may already be free: the router checks, and sends FLOOR_FREE when it is. */
    awaitFloor: () => {},
    activityPaused: () => {},
    activityActive: () => {},
    /** Settles a task's `run()` waiter and lets the next transition proceed. */
    activityEnded: () => {},
    markClosed: assign({ endedBy: 'close' as const }),
    markExited: assign({ endedBy: 'exit' as const }),
  },
}).createMachine({
  id: 'agentActivity',
  context: ({ input }) => ({ key: input.key, agentId: input.agentId, endedBy: null }),
  initial: 'entering',
  states: {
    entering: {
      entry: 'runOnEnter',
      on: { ENTERED: 'active', ...close },
    },
    active: {
      entry: 'activityActive',
      on: { DRAIN: 'draining', PAUSE: 'pausing', ...close },
    },
    draining: {
      entry: 'awaitFloor',
      on: { FLOOR_FREE: 'exiting', ...close },
    },
    exiting: {
      entry: 'runOnExit',
      on: { EXITED: { target: 'done', actions: 'markExited' }, ...close },
    },
    pausing: {
      entry: 'awaitFloor',
      on: { FLOOR_FREE: 'paused', ...close },
    },
    paused: {
      entry: 'activityPaused',
      on: { RESUME: 'active', ...close },
    },
    done: { type: 'final', entry: 'activityEnded' },
  },
});
