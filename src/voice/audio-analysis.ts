/** A stretch of (near) silence in a recording, in seconds from its start. */
export interface SilentGap {
  startSec: number;
  endSec: number;
  durationSec: number;
}

/**
 * Finds the silent stretches of at least `minMs` inside mono (or interleaved) 16-bit audio: 10 ms
 * windows whose peak stays under `threshold`. Leading and trailing silence count as gaps too.
 * @example const gaps = silentGaps(samples, 24000, { minMs: 400 }); // where a recording went quiet
 */
export function silentGaps(samples: Int16Array, sampleRate: number, o: { channels?: number; minMs?: number; threshold?: number } = {}): SilentGap[] {
  const channels = o.channels ?? 1;
  const win = Math.max(1, Math.round(sampleRate / 100)) * channels;
  const threshold = o.threshold ?? 300;
  const minSec = (o.minMs ?? 300) / 1000;
  const gaps: SilentGap[] = [];
  let start: number | undefined;
  const n = Math.ceil(samples.length / win);
  for (let w = 0; w <= n; w++) {
    let quiet = w < n;
    if (quiet) {
      const end = Math.min(samples.length, (w + 1) * win);
      for (let i = w * win; i < end; i++) {
        if (Math.abs(samples[i]!) > threshold) {
          quiet = false;
          break;
        }
      }
    }
    const t = Math.min(samples.length, w * win) / channels / sampleRate;
    if (quiet && start === undefined) start = t;
    if (!quiet && start !== undefined) {
      if (t - start >= minSec) gaps.push({ startSec: start, endSec: t, durationSec: t - start });
      start = undefined;
    }
  }
  return gaps;
}
