/**
 * A source of time the runtime and the audio outputs read, so tests can drive time themselves.
 * @example const t0 = clock.now(); clock.setTimeout(() => console.log(clock.now() - t0), 20);
 */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The wall clock (`performance.now()` and the host's timers). */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
