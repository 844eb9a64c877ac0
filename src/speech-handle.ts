import { createActor, type Actor, type InspectionEvent, type Observer } from 'xstate';
import { speechHandleMachine } from '../machines/speech-handle.machine.js';
import { InterruptionRefusedError, InvalidArgumentError, SpeechFailedError, SpeechInterruptedError } from './errors.js';

export type SpeechOutcome = 'done' | 'interrupted' | 'failed';

/** What the session plugs into a speech's machine: the routing behind its named actions. @internal */
export interface SpeechHandleHooks {
  /** A routing action of the machine (`startStep`, `stopAudio`, `finishSpeech`, ...): posted, run after the transition. */
  action(handle: SpeechHandle, type: string, params?: unknown): void;
  /** `interrupt({ force })`; false when the speech refused. */
  interrupt(handle: SpeechHandle, force: boolean): boolean;
  pause(handle: SpeechHandle): boolean;
  resume(handle: SpeechHandle): boolean;
  callbackError(error: unknown): void;
}

export interface SpeechHandleOptions {
  id: string;
  priority: number;
  allowInterruptions: boolean;
  maxToolSteps: number;
  inspect?: Observer<InspectionEvent> | ((ev: InspectionEvent) => void) | undefined;
}

const facades = new WeakMap<object, SpeechHandle>();
const facade = (self: unknown): SpeechHandle => facades.get(self as object)!;

// Provided once for every speech: provide() re-parses the whole machine, which cost ~0.1 ms per speech.
// Waiter actions settle the facade's promises in the transition itself; every other action is
// routing, handed to the session's router, which runs it after the transition.
const route = (type: string) => ({ self }: { self: unknown }) => facade(self).hooks.action(facade(self), type);
const providedSpeechHandleMachine = speechHandleMachine.provide({
  actions: {
    startStep: route('startStep'),
    interruptTools: ({ context, self }) => {
      facade(self).stopError(context); // the tools share the speech's error
      facade(self).hooks.action(facade(self), 'interruptTools');
    },
    refuseInterrupt: route('refuseInterrupt'),
    resolveWaiters: ({ context, self }) => facade(self).settleFor('done', context),
    abortWaiters: ({ context, self }) => facade(self).settleFor('interrupted', context),
    failWaiters: ({ context, self }) => facade(self).settleFor('failed', context),
    stopAudio: ({ context, self }) => {
      facade(self).stopError(context);
      facade(self).hooks.action(facade(self), 'stopAudio');
    },
    pauseAudio: route('pauseAudio'),
    resumeAudio: route('resumeAudio'),
    releaseFloor: route('releaseFloor'),
    requestFloor: route('requestFloor'),
    finishSpeech: ({ self }, { outcome }) => facade(self).finishFromMachine(outcome),
  },
});

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
}

/**
 * One agent utterance: a facade over its speech-handle actor.
 * Waiters live as long as the machine is in a state tagged `holdsWaiters`; the machine's own
 * final-state entry actions settle them, so an interrupt rejects them in the transition itself.
 *
 * @example
 * const h = session.say('Hello there');
 * await h.waitForPlayout(); // resolves when played out; rejects SpeechInterruptedError when interrupted
 */
export class SpeechHandle {
  readonly id: string;
  readonly priority: number;
  readonly allowInterruptions: boolean;
  /** @internal The running speech-handle machine. */
  readonly actor: Actor<typeof providedSpeechHandleMachine>;
  private playoutWaiters: Waiter[] = [];
  private interruptWaiters: Waiter[] = [];
  private doneCallbacks: ((h: SpeechHandle) => void)[] = [];
  /** @internal */
  readonly hooks: SpeechHandleHooks;

  /** @internal Created by `AgentSession`; use `session.say()` or `session.generateReply()`. */
  constructor(o: SpeechHandleOptions, hooks: SpeechHandleHooks) {
    this.id = o.id;
    this.priority = o.priority;
    this.allowInterruptions = o.allowInterruptions;
    this.hooks = hooks;
    this.actor = createActor(providedSpeechHandleMachine, {
      id: o.id,
      input: { id: o.id, priority: o.priority, allowInterruptions: o.allowInterruptions, maxToolSteps: o.maxToolSteps },
      ...(o.inspect ? { inspect: o.inspect } : {}),
    });
    facades.set(this.actor, this);
    this.actor.start();
  }

  /**
   * @internal The one error that ends this speech's waiters, tool runs and streams: built once and
   * shared, since building an Error (its stack) dominates an interrupt's cost.
   */
  stopError(ctx: { interruptReason: 'interrupt' | 'close' | null; error: unknown } = this.actor.getSnapshot().context): Error {
    return (this.#stopError ??=
      ctx.interruptReason !== null ? newInterruptedError(this.id, ctx.interruptReason) : new SpeechFailedError(this.id, ctx.error));
  }
  #stopError: Error | null = null;

  /**
   * @internal Builds the interrupt's error before the INTERRUPT transition, at the API boundary, so
   * the transition's waiters and tool runs share it. Without a stack by default (see
   * {@link SpeechInterruptedError.captureStack}): it is a cancellation signal on the hot path, and
   * capturing a stack there was a fifth of the interrupt's cost.
   */
  primeInterruptError(reason: 'interrupt' | 'close', force: boolean): void {
    if (this.#stopError || this.done() || !(force || this.allowInterruptions)) return;
    this.#stopError = newInterruptedError(this.id, reason);
  }

  /** @internal Called by the machine's final-state entry actions. */
  settleFor(outcome: SpeechOutcome, ctx: { interruptReason: 'interrupt' | 'close' | null; error: unknown }): void {
    if (outcome === 'done') return this.settle(this.playoutWaiters, null);
    const err = this.stopError(ctx);
    this.settle(this.playoutWaiters, () => err);
    if (outcome === 'interrupted') this.settle(this.interruptWaiters, () => err);
  }

  /** @internal */
  finishFromMachine(outcome: SpeechOutcome): void {
    this.interruptWaiters = [];
    this.hooks.action(this, 'finishSpeech', { outcome });
    this.runDoneCallbacks();
  }

  /** True once the speech was interrupted (its waiters have been rejected). */
  get interrupted(): boolean {
    return this.actor.getSnapshot().matches('interrupted');
  }

  /** The machine's state value, e.g. `'queued'`, `{ active: 'playingOut' }`, `'interrupted'`. */
  get state(): unknown {
    return this.actor.getSnapshot().value;
  }

  /** `'done' | 'interrupted' | 'failed'` once final, else undefined. */
  get outcome(): SpeechOutcome | undefined {
    const s = this.actor.getSnapshot();
    if (s.status !== 'done') return undefined;
    return s.matches('done') ? 'done' : s.matches('interrupted') ? 'interrupted' : 'failed';
  }

  /** True once the speech reached a final state (done, interrupted or failed). */
  done(): boolean {
    return this.actor.getSnapshot().status === 'done';
  }

  /**
   * Interrupts this speech. Throws {@link InterruptionRefusedError} when the speech does not allow
   * interruptions and `force` is not set; a finished speech is left as it is.
   * @example handle.interrupt({ force: true });
   */
  interrupt(o: { force?: boolean } = {}): this {
    if (o === null || typeof o !== 'object') throw new InvalidArgumentError('SpeechHandle.interrupt: options must be an object');
    if (o.force !== undefined && typeof o.force !== 'boolean')
      throw new InvalidArgumentError(`SpeechHandle.interrupt: option 'force' must be a boolean, got ${typeof o.force}`);
    if (this.done()) return this;
    if (!this.hooks.interrupt(this, o.force === true)) throw new InterruptionRefusedError(this.id);
    return this;
  }

  /** True while the speech's audio is held (a possible barge-in). */
  get paused(): boolean {
    return this.actor.getSnapshot().matches({ active: 'paused' });
  }

  /**
   * Holds the speech's audio where it is (used by barge-in handling). Waiters keep waiting.
   * Returns false when there is nothing to pause (queued, between steps, or finished), and always in
   * a text-only session (no audio to hold).
   * @example if (handle.pause()) { ... handle.resume(); }
   */
  pause(): boolean {
    return this.hooks.pause(this);
  }

  /** Plays on from where `pause()` held the audio. Returns false when the speech was not paused. */
  resume(): boolean {
    return this.hooks.resume(this);
  }

  /**
   * Waits until the whole speech has played out (tool steps included).
   * Rejects {@link SpeechInterruptedError} in the same call stack as the interrupt, and
   * {@link SpeechFailedError} when generation failed.
   * @example await session.say('One moment').waitForPlayout();
   */
  waitForPlayout(): Promise<void> {
    const outcome = this.outcome;
    if (outcome === 'done') return Promise.resolve();
    if (outcome === 'interrupted' || outcome === 'failed') return Promise.reject(this.stopError());
    return new Promise((resolve, reject) => this.playoutWaiters.push({ resolve, reject }));
  }

  /**
   * Resolves like `p`, unless the speech is interrupted first: then rejects {@link SpeechInterruptedError} at once.
   * @example const answer = await handle.waitIfNotInterrupted(fetchSlowThing());
   */
  waitIfNotInterrupted<T>(p: Promise<T>): Promise<T> {
    if (!p || typeof (p as Promise<T>).then !== 'function') throw new InvalidArgumentError('SpeechHandle.waitIfNotInterrupted: expected a promise');
    if (this.interrupted) {
      p.then(undefined, () => {}); // its outcome no longer matters to anyone here
      return Promise.reject(this.stopError());
    }
    return new Promise<T>((resolve, reject) => {
      const w: Waiter = { resolve: () => {}, reject };
      if (!this.done()) this.interruptWaiters.push(w);
      p.then(
        (v) => {
          this.interruptWaiters = this.interruptWaiters.filter((x) => x !== w);
          resolve(v);
        },
        (e) => {
          this.interruptWaiters = this.interruptWaiters.filter((x) => x !== w);
          reject(e);
        },
      );
    });
  }

  /**
   * Calls `cb` once the speech is final (at once, in a microtask, if it already is).
   * @example handle.addDoneCallback((h) => console.log(h.id, h.interrupted));
   */
  addDoneCallback(cb: (h: SpeechHandle) => void): void {
    if (typeof cb !== 'function') throw new InvalidArgumentError('SpeechHandle.addDoneCallback: callback must be a function');
    if (this.done()) queueMicrotask(() => this.callSafely(cb));
    else this.doneCallbacks.push(cb);
  }

  private settle(list: Waiter[], error: (() => Error) | null): void {
    const waiters = list.splice(0);
    for (const w of waiters) {
      if (error) w.reject(error());
      else w.resolve();
    }
  }

  private runDoneCallbacks(): void {
    const cbs = this.doneCallbacks.splice(0);
    // User callbacks run after the transition, so one that throws cannot break the machine.
    if (cbs.length) queueMicrotask(() => cbs.forEach((cb) => this.callSafely(cb)));
  }

  private callSafely(cb: (h: SpeechHandle) => void): void {
    try {
      cb(this);
    } catch (e) {
      this.hooks.callbackError(e);
    }
  }
}

function newInterruptedError(speechId: string, reason: 'interrupt' | 'close'): SpeechInterruptedError {
  if (SpeechInterruptedError.captureStack) return new SpeechInterruptedError(speechId, reason);
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new SpeechInterruptedError(speechId, reason);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
