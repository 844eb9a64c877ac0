import { describe, expect, it } from 'vitest';
import { InterruptionRefusedError, type LLMRequest } from '../src/index.js';
import { VirtualClock, type ScriptedReply } from '../src/testing/index.js';
import { seededRandom, WatchedSession } from './support/reliability.js';
import { SoakClock } from './support/soak.js';

// Interrupt storms: 1,000 interrupt + new-input pairs at random points of the conversation (queued,
// generating, mid-preamble with a tool awaiting playout, awaiting tools, tool step, idle). Seeded, on
// virtual time. After the storm: every input is in history in order, every handle, wait, interrupt
// promise and tool run settled, no error event, and the session still serves and closes at once.
// SoakClock: VirtualClock with a one-hop settle (same order, same virtual time, a third of the cost).

const call = (name: string, id: string) => ({ type: 'toolCall' as const, callId: id, name, arguments: '{}' });

function stormSession(clock: VirtualClock) {
  let n = 0;
  const replies: ScriptedReply[] = [
    // Every third input calls a tool that awaits its preamble, every fifth a tool that works after it.
    // Getters: a fresh call id each time the reply is used.
    { when: (r) => lastUser(r) % 3 === 0, ttftMs: 40, get reply() { return ['Let me look that up for you.', call('lookup', `c${++n}`)]; } },
    { when: (r) => lastUser(r) % 5 === 0, ttftMs: 40, get reply() { return ['Working on it.', call('work', `c${++n}`)]; } },
    { when: { afterTool: 'lookup' }, reply: 'Found it.' },
    { when: { afterTool: 'work' }, reply: 'Done with the work.' },
    { reply: 'A plain answer that takes a second or two to say.', ttftMs: 60, chunkDelayMs: 30 },
  ];
  return new WatchedSession(clock, { replies, tools: { lookup: 'waits', work: 'waitsThenWorks' }, workMs: 700 });
}

/** The number in the last user message ("input 17" → 17), or -1. */
function lastUser(r: LLMRequest): number {
  for (let i = r.history.length - 1; i >= 0; i--) {
    const it = r.history[i]!;
    if (it.type === 'message' && it.role === 'user') return Number(/(\d+)$/.exec(it.content)?.[1] ?? -1);
    if (it.type === 'message') return -1;
  }
  return -1;
}

describe('interrupt storm', () => {
  it('1,000 interrupt + input pairs at random points: 0 lost inputs, 0 unsettled handles, waits, tool runs', async () => {
    const clock = new SoakClock();
    const w = stormSession(clock);
    const rand = seededRandom(0x5eed);
    await w.session.start();
    const interrupts: { settled: boolean; error: unknown }[] = [];
    const phases = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      // A random point: mostly inside the first 2.5 s of a reply, sometimes long after (idle).
      const gap = rand() < 0.1 ? 3000 + rand() * 4000 : rand() * 2500;
      await clock.advance(Math.round(gap));
      const cur = w.session.activeSpeech;
      const phase = cur ? JSON.stringify(cur.state) : 'idle';
      phases.set(phase, (phases.get(phase) ?? 0) + 1);
      const rec = { settled: false, error: undefined as unknown };
      interrupts.push(rec);
      w.session.interrupt().then(
        () => (rec.settled = true),
        (e: unknown) => ((rec.settled = true), (rec.error = e)),
      );
      w.reply(`input ${i}`);
    }
    const last = w.handles.at(-1)!;
    await clock.runUntil(last.waitForPlayout(), { what: 'the last reply' });
    await clock.runAll();
    expect(w.violations()).toEqual([]);
    expect(interrupts.filter((r) => !r.settled)).toHaveLength(0);
    expect(interrupts.filter((r) => r.error !== undefined)).toHaveLength(0);
    expect(w.userMessages()).toHaveLength(1000);
    expect(w.session.agentState).toBe('listening');
    // The storm did hit every phase that can hold a waiter.
    const hit = [...phases.keys()].join(' ');
    for (const p of ['generating', 'playingOut', 'awaitingTools', 'idle']) expect(hit, `phases hit: ${hit}`).toContain(p);
    expect(w.executions.filter((e) => e.waitOutcome === 'rejected').length).toBeGreaterThan(50);
    const t0 = clock.now();
    await clock.runUntil(w.session.close());
    expect(clock.now()).toBe(t0);
  });

  it('1,000 pairs mixing forced and plain interrupts with uninterruptible speeches: refusals are typed, every input is kept', async () => {
    const clock = new SoakClock();
    const w = stormSession(clock);
    const rand = seededRandom(42);
    await w.session.start();
    let refused = 0;
    const pending: Promise<void>[] = [];
    const inputOf = new Map<unknown, string>();
    const interruptedWhileQueued = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      await clock.advance(Math.round(rand() * 1500));
      if (rand() < 0.1) w.session.say('Please hold, this notice cannot be interrupted.', { allowInterruptions: false });
      const force = rand() < 0.5;
      const queued = w.handles.filter((h) => h.state === 'queued' && inputOf.has(h));
      pending.push(
        w.session.interrupt({ force }).catch((e: unknown) => {
          expect(e).toBeInstanceOf(InterruptionRefusedError);
          refused++;
        }),
      );
      for (const h of queued) if (h.interrupted) interruptedWhileQueued.add(inputOf.get(h)!);
      const input = `input ${i}`;
      inputOf.set(w.reply(input), input);
    }
    await clock.runUntil(Promise.all(pending), { what: 'every interrupt() promise' });
    await clock.runUntil(w.handles.at(-1)!.waitForPlayout().catch(() => {}));
    await clock.runAll();
    expect(refused).toBeGreaterThan(0);
    expect(w.violations()).toEqual([]);
    // Every input is in history, in order, including those of replies a forced interrupt ended while
    // they were still queued behind an uninterruptible speech.
    expect(interruptedWhileQueued.size).toBeGreaterThan(0);
    expect(w.userMessages()).toEqual(w.inputs);
    await clock.runUntil(w.session.close());
    await w.settle();
    expect(w.violations()).toEqual([]);
  });

  // Found by this suite: a reply interrupted before it starts (queued behind a speech whose audio has
  // not stopped yet, or interrupted in the same tick it was created) used to drop its user input.
  it('a reply interrupted while queued keeps its user input', async () => {
    const clock = new SoakClock();
    const w = stormSession(clock);
    await w.session.start();
    w.session.say('Please hold, this notice cannot be interrupted.', { allowInterruptions: false });
    w.reply('input 1');
    await clock.advance(300);
    await clock.runUntil(w.session.interrupt({ force: true }));
    await clock.runAll();
    expect(w.userMessages()).toEqual(['input 1']);
  });

  it('back-to-back pairs in one tick keep every user input', async () => {
    const clock = new SoakClock();
    const w = stormSession(clock);
    await w.session.start();
    for (let i = 0; i < 20; i++) {
      void w.session.interrupt();
      w.reply(`input ${i}`);
    }
    await clock.runAll();
    expect(w.userMessages()).toHaveLength(20);
  });
});
