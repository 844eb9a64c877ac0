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
  for (const k of ['rssMeanMB', 'heapUsedMB', 'cpuCores', 'lagP99Ms', 'speechMs', 'cycleMs', 'windowStretch'] as const) {
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
  it.each(engines)('runs one %s session with a real VAD on rtc-node audio frames and reports its figures', async (name, load) => {
    const r = await runDensity({ engine: await load(), sessions: 1, seconds: 1, warmupSeconds: 0, frameMs: 20 });
    expectNumbers(r, name);
  }, 120_000);

  it('runs one session on the full rtc-node track path (AudioSource → LocalAudioTrack → AudioStream)', async () => {
    const { speechchartsEngine } = await import('../bench/density/speechcharts-engine.js');
    const r = await runDensity({ engine: speechchartsEngine, sessions: 1, seconds: 1, warmupSeconds: 0, frameMs: 10, mic: 'track' });
    expectNumbers(r, 'speechcharts');
    expect(r.mic).toBe('track');
  }, 120_000);

  it('renders a report with a row per run', async () => {
    const { audioOnlyEngine } = await import('../bench/density/audio-only-engine.js');
    const { renderDensityReport } = await import('../bench/density/density-report.js');
    const r = await runDensity({ engine: audioOnlyEngine, sessions: 1, seconds: 1, warmupSeconds: 0, frameMs: 20 });
    const base = { ...r, sessions: 0 };
    const md = renderDensityReport({ machine: 'test', command: 'test', baselines: [base], results: [r] });
    expect(md).toMatch(/\| rtc-audio-only\s*\| 1 \|/);
  }, 120_000);
});
