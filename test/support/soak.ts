/**
 * The soak: many turns with interrupts at random points, on virtual time, session after session.
 * Used by test/reliability-soak.test.ts (a short soak in CI) and bench/soak.ts (the full one).
 *
 * A turn is one user input. Before it, virtual time moves by a random gap (mostly inside the previous
 * reply, sometimes past its end); with probability `interruptRate` the input comes with `interrupt()`,
 * like text input barging in. Replies alternate between plain text, a preamble with a tool that awaits
 * its playout, and a preamble with a tool that works after it. Each session takes `turnsPerSession`
 * turns, then goes idle, is checked, closed and dropped: the heap must stay flat across sessions.
 */
import { VirtualClock } from '../../src/testing/index.js';
import { SilentTTS, seededRandom, WatchedSession } from './reliability.js';

export interface SoakOptions {
  turns: number;
  seed?: number;
  turnsPerSession?: number;
  interruptRate?: number;
  /** A full GC, to sample the heap (null: no heap figures). */
  gc?: (() => void) | null;
  /** Heap samples are taken after this many sessions each (default: about 40 samples over the run). */
  sampleEvery?: number;
  onProgress?: (p: { turns: number; heapUsed: number | null }) => void;
}

export interface SoakReport {
  turns: number;
  sessions: number;
  interrupts: number;
  /** Inputs sent but absent from history. */
  lostInputs: number;
  /** Of those, the inputs of replies that an interrupt ended while they were still queued (must be 0: this once lost inputs). */
  lostWhileQueued: number;
  /** Replies an interrupt ended while they were still queued (their inputs must still be in history). */
  endedWhileQueued: number;
  /** Speech handles, playout waits or tool playout waits never settled; calls without exactly one output. */
  unsettled: number;
  violations: string[];
  errorEvents: number;
  /** Tool waits that rejected (the interrupt reached a tool awaiting its preamble). */
  toolWaitsRejected: number;
  virtualSeconds: number;
  wallSeconds: number;
  /** heapUsed after a full GC, bytes, one sample per `sampleEvery` sessions (empty without gc). */
  heap: number[];
  /** (median of the last quarter of samples) / (median of the samples right after warm-up) - 1. */
  heapGrowth: number | null;
}

/**
 * VirtualClock with a one-hop settle: after each timer, one setImmediate (every microtask has run by
 * then; the fakes schedule no macrotasks of their own). A third of VirtualClock's cost per timer,
 * which is what makes 100,000 turns practical. Same ordering, same virtual time.
 */
export class SoakClock extends VirtualClock {
  override async settle(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
  }
}

const call = (name: string, id: string) => ({ type: 'toolCall' as const, callId: id, name, arguments: '{}' });

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const rand = seededRandom(o.seed ?? 1);
  const perSession = o.turnsPerSession ?? 20;
  const sessions = Math.ceil(o.turns / perSession);
  const sampleEvery = o.sampleEvery ?? Math.max(1, Math.floor(sessions / 40));
  const report: SoakReport = {
    turns: 0,
    sessions: 0,
    interrupts: 0,
    lostInputs: 0,
    lostWhileQueued: 0,
    endedWhileQueued: 0,
    unsettled: 0,
    violations: [],
    errorEvents: 0,
    toolWaitsRejected: 0,
    virtualSeconds: 0,
    wallSeconds: 0,
    heap: [],
    heapGrowth: null,
  };
  const t0 = performance.now();
  for (let s = 0; s < sessions; s++) {
    const clock = new SoakClock();
    let n = 0;
    const w = new WatchedSession(clock, {
      tools: { lookup: 'waits', work: 'waitsThenWorks' },
      workMs: 400,
      tts: new SilentTTS({ msPerChar: 50, frameMs: 100 }),
      replies: [
        // Getters: a fresh call id each time the reply is used.
        { when: (r) => kindOf(r) === 1, ttftMs: 30, get reply() { return ['Let me look that up.', call('lookup', `c${++n}`)]; } },
        { when: (r) => kindOf(r) === 2, ttftMs: 30, get reply() { return ['Working on it.', call('work', `c${++n}`)]; } },
        { when: { afterTool: 'lookup' }, reply: 'Found it.' },
        { when: { afterTool: 'work' }, reply: 'All done.' },
        { reply: 'A plain answer of about a second.', ttftMs: 50 },
      ],
    });

    await w.session.start();
    const inputOf = new Map<unknown, string>();
    const droppedWhileQueued = new Set<string>();
    const turns = Math.min(perSession, o.turns - report.turns);
    for (let i = 0; i < turns; i++) {
      const gap = rand() < 0.15 ? 2500 + rand() * 2500 : rand() * 2000;
      await clock.advance(Math.round(gap));
      if (rand() < (o.interruptRate ?? 0.6)) {
        report.interrupts++;
        const queued = w.handles.filter((h) => inputOf.has(h) && h.state === 'queued');
        void w.session.interrupt().catch((e: unknown) => report.violations.push(`interrupt() rejected: ${String(e)}`));
        for (const h of queued) if (h.interrupted) droppedWhileQueued.add(inputOf.get(h)!);
      }
      const input = `s${s} input ${i} ${['plain', 'lookup', 'work'][Math.floor(rand() * 3)]}`;
      inputOf.set(w.reply(input), input);
      report.turns++;
    }
    await clock.runAll();
    const v = w.violations();
    const end = clock.now();
    await clock.runUntil(w.session.close(), { what: 'close()' });
    if (clock.now() !== end) v.push(`close() took ${clock.now() - end} ms of virtual time`);
    await w.settle();
    v.push(...w.violations().filter((x) => !v.includes(x)));
    // Lost inputs: history must hold every input, in order, including those of replies an
    // interrupt ended while they were still queued.
    const got = w.userMessages();
    const lost = w.inputs.filter((x) => !got.includes(x));
    report.lostInputs += lost.length;
    report.lostWhileQueued += lost.filter((x) => droppedWhileQueued.has(x)).length;
    report.endedWhileQueued += droppedWhileQueued.size;
    if (got.length !== w.inputs.length || got.some((x, k) => x !== w.inputs[k])) v.push(`user inputs lost or out of order: ${JSON.stringify(lost.slice(0, 3))}`);
    report.unsettled += v.filter((x) => !x.startsWith('user inputs lost') && !x.startsWith('error events')).length;
    if (v.length && report.violations.length < 20) report.violations.push(...v.map((x) => `session ${s}: ${x}`));
    report.errorEvents += w.errors.length;
    report.toolWaitsRejected += w.executions.filter((e) => e.waitOutcome === 'rejected').length;
    report.virtualSeconds += clock.now() / 1000;
    report.sessions++;
    if (o.gc && (s + 1) % sampleEvery === 0) {
      o.gc();
      report.heap.push(process.memoryUsage().heapUsed);
    }
    o.onProgress?.({ turns: report.turns, heapUsed: report.heap.at(-1) ?? null });
  }
  report.wallSeconds = (performance.now() - t0) / 1000;
  report.heapGrowth = heapGrowth(report.heap);
  return report;
}

/** The reply kind asked for by the last user input: 1 lookup, 2 work, 0 plain. */
function kindOf(r: { history: readonly { type: string; role?: string; content?: string }[] }): number {
  const last = r.history[r.history.length - 1];
  if (!last || last.type !== 'message' || last.role !== 'user') return -1;
  return last.content?.endsWith('lookup') ? 1 : last.content?.endsWith('work') ? 2 : 0;
}

/** Growth of the heap after warm-up: median of the last quarter vs median of the second quarter (the first is warm-up). */
export function heapGrowth(samples: number[]): number | null {
  if (samples.length < 8) return null;
  const q = Math.floor(samples.length / 4);
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  return med(samples.slice(-q)) / med(samples.slice(q, 2 * q)) - 1;
}
