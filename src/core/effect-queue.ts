/**
 * Runs effects after the transition that asked for them, in the order they were asked for.
 *
 * Inside an XState action the actor's snapshot is still the old one, and an event sent from there
 * to another actor is handled before the first actor's own transition has finished. So the
 * session's machine actions only post effects here; every event the session sends from outside a
 * transition goes through {@link EffectQueue.run}, which sends it and then drains what its
 * transition (and the effects' own transitions) posted, one after another, before returning.
 * Everything still happens inside the call that caused it (an `interrupt()` settles its waiters
 * before it returns), just never inside a transition.
 *
 * @example
 * const fx = new EffectQueue((e) => console.error(e));
 * fx.run(() => actor.send({ type: 'INTERRUPT' })); // actions posted by the transition run after it
 */
export class EffectQueue {
  // Two parallel arrays rather than an object per effect: the interrupt path posts several.
  private readonly fns: (() => void)[] = [];
  private readonly origins: (string | null)[] = [];
  private head = 0;
  private draining = false;
  /** Which machine's action posted the effect running now (null outside effects): the source of what it sends. */
  origin: string | null = null;

  constructor(private readonly onError: (e: unknown) => void) {}

  /**
   * Runs `fn` (which sends events) now, then the effects its transitions posted. Called from an
   * effect (never from a machine action), it just runs `fn`: the drain under way picks up the rest.
   */
  run(fn: () => void): void {
    if (this.draining) return fn();
    this.draining = true;
    try {
      fn();
    } finally {
      this.drain();
    }
  }

  /** Queues an effect asked for by a machine action; it runs once the current transition is over. */
  post(fn: () => void, origin: string | null = null): void {
    this.fns.push(fn);
    this.origins.push(origin);
    if (!this.draining) {
      this.draining = true;
      this.drain();
    }
  }

  private drain(): void {
    try {
      while (this.head < this.fns.length) {
        const fn = this.fns[this.head]!;
        this.origin = this.origins[this.head]!;
        this.head++;
        try {
          fn();
        } catch (e) {
          // One failing effect must not strand the ones queued behind it.
          this.onError(e);
        }
      }
    } finally {
      this.fns.length = 0;
      this.origins.length = 0;
      this.head = 0;
      this.origin = null;
      this.draining = false;
    }
  }
}
