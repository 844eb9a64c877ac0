import type { Clock } from '../ports/clock.js';

/**
 * Resolves after `ms` on `clock`, or at once when `signal` aborts (fakes stop promptly on interrupt).
 * @example await clockDelay(clock, 100, signal);
 */
export function clockDelay(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const h = clock.setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clock.clearTimeout(h);
        resolve();
      },
      { once: true },
    );
  });
}
