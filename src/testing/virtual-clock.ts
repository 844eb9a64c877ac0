import type { Clock } from '../ports/clock.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/** Thrown by `VirtualClock.runUntil` when the awaited promise can never settle: nothing is scheduled. */
export class VirtualClockStallError extends Error {
  constructor(what: string, now: number) {
    super(`${what} is still pending at t=${now} ms and no timer is scheduled: it would wait forever`);
    this.name = 'VirtualClockStallError';
  }
}

/**
 * Time that only moves when a test says so. Timers fire in order; promise chains settle between them.
 * @example
 * const clock = new VirtualClock();
 * clock.setTimeout(() => (fired = true), 50);
 * await clock.advance(50); // fired === true
 */
export class VirtualClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer: Timer = { at: this.t + Math.max(0, ms), seq: ++this.seq, fn };
    this.timers.push(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x !== handle);
  }

  /** Milliseconds until the next timer, or undefined when none is scheduled. */
  nextTimerIn(): number | undefined {
    const next = this.peek();
    return next ? next.at - this.t : undefined;
  }

  /** Lets every pending promise continuation run (no time passes). */
  async settle(): Promise<void> {
    for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
  }

  /** Moves time forward by `ms`, firing due timers in order and settling promises after each. */
  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    await this.settle();
    for (;;) {
      const next = this.peek();
      if (!next || next.at > until) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = next.at;
      next.fn();
      await this.settle();
    }
    this.t = until;
    await this.settle();
  }

  /**
   * Advances time timer by timer until `p` settles, and returns its outcome.
   * Throws {@link VirtualClockStallError} when `p` is pending and nothing is scheduled, and a plain
   * error past `maxMs` of virtual time: a hang becomes a failing test, never a stuck one.
   */
  async runUntil<T>(p: Promise<T>, o: { maxMs?: number; what?: string } = {}): Promise<T> {
    const what = o.what ?? 'the awaited promise';
    const limit = this.t + (o.maxMs ?? 600_000);
    let state: { done: true; value: T } | { done: true; error: unknown } | { done: false } = { done: false };
    p.then(
      (value) => (state = { done: true, value }),
      (error) => (state = { done: true, error }),
    );
    await this.settle();
    while (!state.done) {
      const next = this.peek();
      if (!next) throw new VirtualClockStallError(what, this.t);
      if (next.at > limit) throw new Error(`${what} is still pending after ${o.maxMs ?? 600_000} ms of virtual time`);
      await this.advance(next.at - this.t);
    }
    const s = state as { done: true; value: T } | { done: true; error: unknown };
    if ('error' in s) throw s.error;
    return s.value;
  }

  /**
   * Advances time timer by timer until `condition()` holds (checked after promises settle at each
   * step). Throws {@link VirtualClockStallError} when it does not hold and nothing is scheduled.
   * @example await clock.runUntilTrue(() => session.agentState === 'speaking');
   */
  async runUntilTrue(condition: () => boolean, o: { maxMs?: number; what?: string } = {}): Promise<void> {
    const what = o.what ?? 'the condition';
    const limit = this.t + (o.maxMs ?? 600_000);
    await this.settle();
    while (!condition()) {
      const next = this.peek();
      if (!next) throw new VirtualClockStallError(what, this.t);
      if (next.at > limit) throw new Error(`${what} does not hold after ${o.maxMs ?? 600_000} ms of virtual time`);
      await this.advance(next.at - this.t);
    }
  }

  /** Fires every timer until none is left (bounded by `maxMs` of virtual time). */
  async runAll(maxMs = 600_000): Promise<void> {
    const limit = this.t + maxMs;
    await this.settle();
    for (let next = this.peek(); next && next.at <= limit; next = this.peek()) await this.advance(next.at - this.t);
  }

  private peek(): Timer | undefined {
    let best: Timer | undefined;
    for (const x of this.timers) if (!best || x.at < best.at || (x.at === best.at && x.seq < best.seq)) best = x;
    return best;
  }
}
