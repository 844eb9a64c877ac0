/**
 * One harness for both engines: it owns the timeline and every measurement, the engine drivers
 * (bench/speechcharts-seed.ts, bench/anchors/agents-js-seed.ts) only translate its calls to their API.
 *
 * A rep: new session on a new device → reply to FIRST_INPUT (preamble + a tool that awaits its
 * playout) → INTERRUPT_AFTER_MS after the preamble's first frame reached the device:
 * `interrupt()` and, right after it, `generateReply(SECOND_INPUT)` → reply 2 plays out → `close()`.
 */
import type { AudioOutput } from '../../src/index.js';
import { ProbedOutput } from '../sinks/probe.js';
import { INTERRUPT_AFTER_MS, Mark, NEVER_MS, settlesWithin, sleep, type SeedSample } from './scenario.js';

/** What the tool reports to the harness. The drivers' tools call these; nothing else. */
export class ToolProbe {
  readonly started = new Mark();
  readonly waitSettled = new Mark();
  readonly aborted = new Mark();
  outcome: 'rejected' | 'resolved' | 'pending' = 'pending';
  ranOn = false;

  /** Call at the start of the tool, with its abort signal. */
  enter(signal: AbortSignal | undefined): void {
    this.started.hit();
    signal?.addEventListener('abort', () => this.aborted.hit(), { once: true });
  }

  /** Wraps the tool's playout wait; the tool runs on (returns) only if the wait resolved. */
  async waitForPlayout(wait: () => Promise<unknown>): Promise<void> {
    try {
      await wait();
    } catch (e) {
      this.waitSettled.hit();
      this.outcome = 'rejected';
      throw e;
    }
    this.waitSettled.hit();
    this.outcome = 'resolved';
    this.ranOn = true;
  }
}

export interface SeedDriver {
  start(): Promise<void>;
  /** generateReply({ userInput: FIRST_INPUT }) */
  firstInput(): void;
  /** The synchronous part of the engine's interrupt() (its returned promise must not reject unhandled). */
  interrupt(): void;
  /** generateReply({ userInput: SECOND_INPUT }); resolves when that reply has played out. */
  secondInput(): Promise<void>;
  close(): Promise<void>;
  toolOutputRecorded(): boolean;
}

export interface Device {
  output: AudioOutput;
  close(): Promise<void>;
  /** Set by the harness when the device can tell when a frame really reaches the hardware. */
  onFrameIssued?: ((t: number) => void) | undefined;
}

export async function runSeedReps(o: {
  reps: number;
  warmup: number;
  makeDevice: () => Device;
  makeDriver: (probe: ToolProbe, output: ProbedOutput) => SeedDriver;
  onError: (where: string, e: unknown) => void;
}): Promise<SeedSample[]> {
  const samples: SeedSample[] = [];
  for (let i = 0; i < o.warmup + o.reps; i++) {
    const s = await runRep(o);
    if (s && i >= o.warmup) samples.push(s);
  }
  return samples;
}

async function runRep(o: Parameters<typeof runSeedReps>[0]): Promise<SeedSample | null> {
  const device = o.makeDevice();
  const atDevice = 'onFrameIssued' in device;
  const out = new ProbedOutput(device.output, { startsAtDevice: atDevice });
  if (atDevice) device.onFrameIssued = (t) => out.deviceFrameIssued(t);
  const probe = new ToolProbe();
  const driver = o.makeDriver(probe, out);
  const firstAudio = new Mark();
  const cut = new Mark();
  const audible = new Mark();
  out.onSegmentStart = (t) => firstAudio.hit(t);
  try {
    await driver.start();
    driver.firstInput();
    if (!(await settlesWithin(firstAudio.wait(), NEVER_MS))) throw new Error('the preamble never reached the device');
    await sleep(Math.max(0, firstAudio.at! + INTERRUPT_AFTER_MS - performance.now()));
    const toolWasWaiting = probe.started.at !== null && probe.outcome === 'pending';
    out.onSegmentStart = (t) => audible.hit(t);
    out.onClear = (t) => cut.hit(t);

    const t0 = performance.now();
    driver.interrupt();
    const t1 = performance.now();
    const replied = driver.secondInput();
    const t2 = performance.now();

    // Reply 2 plays out; then give late events (a cut, a signal) a grace period, bounded by NEVER_MS.
    await settlesWithin(replied, NEVER_MS);
    const pending = [probe.waitSettled, probe.aborted, cut, audible].filter((m) => m.at === null).map((m) => m.wait());
    if (pending.length) await settlesWithin(Promise.all(pending), Math.max(0, Math.min(500, t0 + NEVER_MS - performance.now())));

    const c0 = performance.now();
    await driver.close();
    const closeMs = performance.now() - c0;
    return {
      interruptCall: t1 - t0,
      secondInputCall: t2 - t1,
      toolWaitSettled: probe.waitSettled.since(t0),
      toolWaitOutcome: probe.outcome,
      abortSignal: probe.aborted.since(t0),
      audioCut: cut.since(t0),
      nextReplyAudible: audible.since(t0),
      close: closeMs,
      toolWasWaiting,
      toolOutputRecorded: driver.toolOutputRecorded(),
      toolRanOn: probe.ranOn,
    };
  } catch (e) {
    o.onError('rep', e);
    await driver.close().catch((err) => o.onError('close', err));
    return null;
  } finally {
    await device.close().catch((e) => o.onError('device.close', e));
  }
}
