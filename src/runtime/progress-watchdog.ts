import type { Clock } from '../ports/clock.js';

/**
 * One countdown on a {@link Clock}: `arm(ms)` says "progress now; a stall is `ms` from now",
 * `disarm()` says "nothing is owed" (the timer is cleared), and the stall callback runs once if the
 * countdown ends. Re-arming to a later deadline costs no timer operation: the pending timer re-arms
 * itself for the rest when it fires, so a stream that makes progress on every chunk stays cheap.
 * @example
 * const dog = new ProgressWatchdog(clock, () => fail(new Error('stalled')));
 * dog.arm(10_000); // on each chunk: dog.arm(10_000); at the end: dog.disarm();
 */
export class ProgressWatchdog {
  private timer: unknown = null;
  private deadline = 0;
  private armed = false;
  private fired = false;

  constructor(
    private readonly clock: Clock,
    private readonly onStall: () => void,
  ) {}

  /** True while a stall would be reported. */
  get isArmed(): boolean {
    return this.armed;
  }

  /** (Re)starts the countdown: without another `arm` or a `disarm` within `ms`, it is a stall. */
  arm(ms: number): void {
    if (this.fired) return;
    this.armed = true;
    const deadline = this.clock.now() + ms;
    if (this.timer !== null) {
      if (deadline >= this.deadline) {
        this.deadline = deadline;
        return;
      }
      this.clock.clearTimeout(this.timer);
    }
    this.deadline = deadline;
    this.timer = this.clock.setTimeout(() => this.due(), ms);
  }

  /** Nothing is owed for now: clears the timer (a finished step leaves none on the clock). */
  disarm(): void {
    this.armed = false;
    if (this.timer === null) return;
    this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Off for good: later `arm` calls do nothing (the step it watched is over). */
  dispose(): void {
    this.fired = true;
    this.disarm();
  }

  private due(): void {
    this.timer = null;
    if (!this.armed) return;
    const left = this.deadline - this.clock.now();
    if (left > 0) {
      this.timer = this.clock.setTimeout(() => this.due(), left);
      return;
    }
    this.armed = false;
    this.fired = true;
    this.onStall();
  }
}
