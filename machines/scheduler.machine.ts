import { assign, setup } from 'xstate';

/**
 * The speech scheduler: a priority queue of speeches and the floor (at most one speech holds it).
 * Highest priority first, FIFO within a priority. Pausing or draining stops granting the floor
 * but never drops a speech: what arrives meanwhile is queued and served after RESUME.
 * It has no INTERRUPT handler on purpose: an interrupt ends speeches, it never pauses scheduling.
 */
export interface QueuedSpeech {
  id: string;
  priority: number;
}

export interface SchedulerContext {
  queue: QueuedSpeech[];
  /** The speech holding the floor, until its audio is released. */
  current: string | null;
}

export type SchedulerEvent =
  | { type: 'ENQUEUE'; id: string; priority: number }
  /** Speeches that waited for an agent transition return together (then the floor goes by priority). */
  | { type: 'ENQUEUE_ALL'; items: QueuedSpeech[] }
  /** The current speech ended and its audio stopped: the floor is free. */
  | { type: 'RELEASE'; id: string }
  /** A queued speech ended before it got the floor (interrupted while queued). */
  | { type: 'REMOVE'; id: string }
  | { type: 'PAUSE' }
  | { type: 'RESUME' }
  /** Stop granting the floor; `drained` once the current speech releases it. */
  | { type: 'DRAIN' }
  | { type: 'CLOSE' };

export const SPEECH_PRIORITY = { LOW: 0, NORMAL: 5, HIGH: 10 } as const;

const queueing = {
  ENQUEUE: { actions: 'enqueue' },
  ENQUEUE_ALL: { actions: 'enqueue' },
  RELEASE: { actions: 'release' },
  REMOVE: { actions: 'remove' },
  CLOSE: { target: '#scheduler.closed' },
} as const;

export const schedulerMachine = setup({
  types: {
    context: {} as SchedulerContext,
    events: {} as SchedulerEvent,
  },
  actions: {
    // Provided by the runtime: tell the speech it holds the floor.
    grantFloor: (_, _params: { id: string }) => {},
    enqueue: assign({
      queue: ({ context, event }) => {
        const items = event.type === 'ENQUEUE' ? [{ id: event.id, priority: event.priority }] : event.type === 'ENQUEUE_ALL' ? event.items : [];
        let queue = context.queue;
        for (const item of items) {
          const at = queue.findIndex((q) => q.priority < item.priority);
          queue = at === -1 ? [...queue, { ...item }] : [...queue.slice(0, at), { ...item }, ...queue.slice(at)];
        }
        return queue;
      },
    }),
    release: assign({
      current: ({ context, event }) => (event.type === 'RELEASE' && event.id === context.current ? null : context.current),
    }),
    remove: assign({
      queue: ({ context, event }) => (event.type === 'REMOVE' ? context.queue.filter((q) => q.id !== event.id) : context.queue),
    }),
    takeHead: assign({
      current: ({ context }) => context.queue[0]?.id ?? null,
      queue: ({ context }) => context.queue.slice(1),
    }),
  },
  guards: {
    floorFreeAndQueued: ({ context }) => context.current === null && context.queue.length > 0,
    floorFree: ({ context }) => context.current === null,
  },
}).createMachine({
  id: 'scheduler',
  context: { queue: [], current: null },
  initial: 'active',
  states: {
    active: {
      always: {
        guard: 'floorFreeAndQueued',
        actions: ['takeHead', { type: 'grantFloor', params: ({ context }) => ({ id: context.current ?? '' }) }],
      },
      on: { ...queueing, PAUSE: 'paused', DRAIN: 'draining' },
    },
    paused: {
      on: { ...queueing, RESUME: 'active', DRAIN: 'draining' },
    },
    draining: {
      always: { guard: 'floorFree', target: 'drained' },
      on: { ...queueing, RESUME: 'active' },
    },
    drained: {
      on: { ...queueing, RESUME: 'active' },
    },
    closed: { type: 'final' },
  },
});
