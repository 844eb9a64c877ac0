import { afterAll, describe, expect, it } from 'vitest';
import { disposeRtc } from '../src/adapters/rtc-audio-output.js';
import { runDensity, type DensityResult } from '../bench/density/density-run.js';
import type { Engine } from '../bench/density/engine.js';

// The density bench (`npm run bench:density`) is not a test; this runs its driver for one session and
// a short window on each engine so it cannot rot: real rtc-node audio both ways, the real VADs. Only
// that it ran and produced numbers is checked; its figures depend on the machine and go in
// docs/benchmarks.md.

afterAll(() => disposeRtc());

function expectNumbers(r: DensityResult, engine: string): void {
  expect(r.errors).toEqual([]);
  expect(r.engine).toBe(engine);
  expect(r.sessions).toBe(1);
  for (const k of ['rssMeanMB', 'heapUsedMB', 'cpuCores', 'lagP99Ms', 'speechMs', 'cycleMs'] as const) {
    expect(Number.isFinite(r[k]), k).toBe(true);
    expect(r[k], k).toBeGreaterThan(0);
  }
  // The microphone was fed and read, whatever the speed of the machine.
  expect(r.micFramesFed).toBeGreaterThan(0);
  expect(r.micFramesIn).toBeGreaterThan(0);
  expect(r.turnsAnswered).toBeLessThanOrEqual(r.turnsExpected);
}

const engines: [string, () => Promise<Engine>][] = [
  ['speechcharts', async () => (await import('../bench/density/speechcharts-engine.js')).speechchartsEngine],
  ['agents-js', async () => (await import('../bench/density/agents-js-engine.js')).agentsJsEngine],
];

describe('density bench driver', () => {
  it.each(engines)('runs one %s session with a real VAD on rtc-node audio and reports its figures', async (name, load) => {
    const r = await runDensity({ engine: await load(), sessions: 1, seconds: 1, warmupSeconds: 0, frameMs: 20 });
    expectNumbers(r, name);
  }, 120_000);
});
