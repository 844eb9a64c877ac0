/**
 * The side-by-side scenario, shared by both engines (bench/speechcharts-seed.ts and
 * bench/anchors/agents-js-seed.ts) so they run the same work: the same words, the same audio per
 * character, the same interrupt point, the same sinks.
 */
export const PREAMBLE = 'Sure, let me look that up for you. This will only take a moment.'; // 64 chars: 3.2 s of audio
export const FIRST_INPUT = 'Please look up my order';
export const SECOND_INPUT = 'Actually, never mind';
export const SECOND_REPLY = 'Okay.';
export const TOOL_NAME = 'lookup_order';
/** Audio per character of text, as FakeTTS makes it (20 characters a second). */
export const MS_PER_CHAR = 50;
export const SAMPLE_RATE = 24000;
/** The interrupt comes this long after the preamble's first frame reached the sink. */
export const INTERRUPT_AFTER_MS = 300;
/** How long a measured event may take before it counts as "never" (a run also stops waiting then). */
export const NEVER_MS = 6000;

/** One rep of the scenario, in ms from just before the `interrupt()` call (null: did not happen within NEVER_MS). */
export interface SeedSample {
  /** The synchronous `interrupt()` call itself. */
  interruptCall: number;
  /** The synchronous `generateReply({ userInput: SECOND_INPUT })` call made right after it. */
  secondInputCall: number;
  /** The tool's `ctx.waitForPlayout()` settled (resolved or rejected). */
  toolWaitSettled: number | null;
  toolWaitOutcome: 'rejected' | 'resolved' | 'pending';
  /** The tool's abort signal fired. */
  abortSignal: number | null;
  /** The sink's `clearBuffer()` was called. */
  audioCut: number | null;
  /** The first frame of the reply to the new input reached the (empty) sink. */
  nextReplyAudible: number | null;
  /** `await session.close()` on the idle session after the new reply played out. */
  close: number;
  /** The tool was awaiting its playout when the interrupt came. */
  toolWasWaiting: boolean;
  /** History holds an output for the interrupted call. */
  toolOutputRecorded: boolean;
  /** What the tool did after its wait settled: returned a result, or stopped (threw). */
  toolRanOn: boolean;
}

export interface SeedRun {
  engine: 'speechcharts' | 'agents-js';
  engineVersion: string;
  sink: string;
  frameMs: number;
  samples: SeedSample[];
  errors: string[];
}

/**
 * The bench TTS: `MS_PER_CHAR` of a quiet tone per character, in frames of `frameMs`, produced as
 * the text arrives and as fast as the consumer pulls. `make` builds the frame object each engine wants.
 */
export async function* synthesizeFrames<F>(
  text: AsyncIterable<string>,
  o: { frameMs: number; signal?: AbortSignal; make: (data: Int16Array, sampleRate: number, channels: number, samplesPerChannel: number) => F },
): AsyncGenerator<F> {
  const samples = Math.round((SAMPLE_RATE * o.frameMs) / 1000);
  let carryMs = 0;
  let n = 0;
  for await (const chunk of text) {
    if (o.signal?.aborted) return;
    carryMs += chunk.length * MS_PER_CHAR;
    while (carryMs >= o.frameMs) {
      if (o.signal?.aborted) return;
      carryMs -= o.frameMs;
      yield o.make(tone(samples, ++n), SAMPLE_RATE, 1, samples);
    }
  }
  if (carryMs > 0 && !o.signal?.aborted) {
    const s = Math.max(1, Math.round((SAMPLE_RATE * carryMs) / 1000));
    yield o.make(tone(s, ++n), SAMPLE_RATE, 1, s);
  }
}

function tone(samples: number, seed: number): Int16Array {
  const data = new Int16Array(samples);
  for (let i = 0; i < samples; i++) data[i] = Math.round(2000 * Math.sin((2 * Math.PI * 220 * (seed * samples + i)) / SAMPLE_RATE));
  return data;
}

/** Resolves after `ms` of wall time, or at once with 'timeout' semantics left to the caller. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves `true` when `p` settles within `ms`, `false` otherwise (never rejects). */
export function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    p.then(
      () => (clearTimeout(t), resolve(true)),
      () => (clearTimeout(t), resolve(true)),
    );
  });
}

/** A one-shot event with the wall time it happened at. */
export class Mark {
  at: number | null = null;
  private waiters: (() => void)[] = [];
  hit(t = performance.now()): void {
    if (this.at !== null) return;
    this.at = t;
    for (const w of this.waiters.splice(0)) w();
  }
  /** Resolves when hit (at once if it was). */
  wait(): Promise<void> {
    return this.at !== null ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }
  since(t0: number): number | null {
    return this.at === null ? null : this.at - t0;
  }
}

// ── statistics ────────────────────────────────────────────────────────────

/** Nearest-rank quantile of the numbers (nulls left out). */
export function quantile(xs: readonly (number | null)[], q: number): number | null {
  const s = xs.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export function median(xs: readonly (number | null)[]): number | null {
  const s = xs.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Milliseconds for a table: 3 significant digits, at least 0.001. */
export function fmtMs(x: number | null): string {
  if (x === null) return 'never';
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  if (x >= 1) return x.toFixed(2);
  return x.toFixed(3);
}
