import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createActor, createMachine } from 'xstate';
import {
  combineInspectors,
  createTraceRecorder,
  parseTrace,
  readTraceFile,
  runSeedDemo,
  sanitizeForTrace,
  type TraceRecord,
} from '../src/inspect/index.js';
import { VirtualClock } from '../src/testing/index.js';

type Rec<K extends TraceRecord['kind']> = Extract<TraceRecord, { kind: K }>;
const ofKind = <K extends TraceRecord['kind']>(records: readonly TraceRecord[], kind: K) => records.filter((r): r is Rec<K> => r.kind === kind);

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('sanitizeForTrace', () => {
  it('keeps audio, functions and actors out and marks what it cut', () => {
    const actor = createActor(createMachine({ id: 'm', initial: 'a', states: { a: {} } })).start();
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const out = sanitizeForTrace({
      frame: { data: new Int16Array(480), sampleRate: 24000, channels: 1, samplesPerChannel: 480 },
      buffer: new ArrayBuffer(64),
      float: new Float32Array(3),
      fn: () => 1,
      ref: actor,
      error: new TypeError('bad'),
      long: 'x'.repeat(1200),
      circular,
      map: new Map([['k', 1]]),
      set: new Set([1, 2]),
      big: 10n,
      nan: Number.NaN,
      deep: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } },
      list: Array.from({ length: 60 }, (_, i) => i),
      signal: AbortSignal.abort(),
    }) as Record<string, unknown>;
    actor.stop();

    expect(out.frame).toEqual({ data: { $binary: 'Int16Array', length: 480 }, sampleRate: 24000, channels: 1, samplesPerChannel: 480 });
    expect(out.buffer).toEqual({ $binary: 'ArrayBuffer', byteLength: 64 });
    expect(out.float).toEqual({ $binary: 'Float32Array', length: 3 });
    expect('fn' in out).toBe(false);
    expect(out.ref).toEqual({ $actor: actor.id });
    expect(out.error).toEqual({ $error: 'TypeError', message: 'bad' });
    expect(out.long).toBe(`${'x'.repeat(500)}…[+700 chars]`);
    expect(out.circular).toEqual({ name: 'loop', self: '[circular]' });
    expect(out.map).toEqual({ k: 1 });
    expect(out.set).toEqual([1, 2]);
    expect(out.big).toBe('10n');
    expect(out.nan).toBe('NaN');
    expect(JSON.stringify(out.deep)).toContain('[depth]');
    expect((out.list as unknown[]).length).toBe(51);
    expect((out.list as unknown[])[50]).toBe('…[+10 items]');
    expect(out.signal).toEqual({ $abortSignal: true, aborted: true });
    // The result is plain JSON.
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });

  it('honours its limits', () => {
    expect(sanitizeForTrace('abcdef', { maxStringLength: 3 })).toBe('abc…[+3 chars]');
    expect(sanitizeForTrace({ a: { b: 1 } }, { maxDepth: 1 })).toEqual({ a: '[depth]' });
    expect(sanitizeForTrace({ a: 1, b: 2, c: 3 }, { maxKeys: 2 })).toEqual({ a: 1, b: 2, '…': '+1 keys' });
  });
});

describe('createTraceRecorder on the seed scenario', () => {
  it('records every actor, events with their source, actions, transitions and snapshots on virtual time', async () => {
    const clock = new VirtualClock();
    const recorder = createTraceRecorder({ now: () => clock.now(), title: 'seed' });
    const { session } = await runSeedDemo({ inspect: recorder.inspect, clock });
    await session.close();
    await recorder.close();
    const records = recorder.records;

    expect(records[0]).toMatchObject({ kind: 'header', version: 1, clock: 'custom', title: 'seed' });
    expect(ofKind(records, 'actor').map((r) => [r.actor, r.machine])).toEqual([
      ['agentState', 'agentState'],
      ['scheduler', 'scheduler'],
      ['agent_1:default_agent', 'agentActivity'],
      ['speech_1', 'speechHandle'],
      ['tool_call_1', 'toolRun'],
      ['speech_2', 'speechHandle'],
    ]);
    // One definition per machine, written before its first actor, even though each speech provides its own.
    expect(ofKind(records, 'machine').map((r) => r.key)).toEqual(['agentState', 'scheduler', 'agentActivity', 'speechHandle', 'toolRun']);
    const seqOf = (pred: (r: TraceRecord) => boolean) => records.findIndex(pred);
    expect(seqOf((r) => r.kind === 'machine' && r.key === 'toolRun')).toBeLessThan(seqOf((r) => r.kind === 'actor' && r.actor === 'tool_call_1'));

    const events = ofKind(records, 'event');
    const interrupts = events.filter((e) => e.event.type === 'INTERRUPT');
    // The runtime interrupts the speech; the speech's interruptTools action interrupts the tool run.
    expect(interrupts.map((e) => [e.source, e.actor, e.t])).toEqual([
      [null, 'speech_1', 900],
      ['speech_1', 'tool_call_1', 900],
    ]);
    expect(events.find((e) => e.actor === 'speech_2' && e.event.type === 'AUTHORIZE')?.source).toBe('scheduler');
    expect(events.find((e) => e.actor === 'scheduler' && e.event.type === 'ENQUEUE')?.source).toBeNull();

    const actions = ofKind(records, 'action');
    expect(actions.filter((a) => a.actor === 'tool_call_1').map((a) => a.action.type)).toEqual(['abortSignal', 'rejectPlayoutWaiters', 'recordAbortOutput']);
    expect(actions.find((a) => a.action.type === 'finishSpeech' && a.actor === 'speech_1')?.action.params).toEqual({ outcome: 'interrupted' });

    const toolTransitions = ofKind(records, 'transition').filter((r) => r.actor === 'tool_call_1');
    expect(toolTransitions.at(-1)?.transitions).toEqual([{ source: 'toolRun.active', targets: ['toolRun.aborted'] }]);

    const last = (actor: string) => ofKind(records, 'snapshot').filter((s) => s.actor === actor).at(-1)!;
    expect(last('tool_call_1')).toMatchObject({ value: 'aborted', status: 'done', event: 'INTERRUPT', t: 900 });
    expect(last('tool_call_1').context).toMatchObject({ callId: 'call_1', name: 'slow_tool', abortReason: 'interrupt' });
    expect(last('speech_1')).toMatchObject({ value: 'interrupted', status: 'done' });
    expect(last('speech_2')).toMatchObject({ value: 'done', status: 'done' });
    expect(ofKind(records, 'snapshot').find((s) => s.actor === 'speech_1' && s.event === 'GENERATION_DONE')?.tags).toEqual(['holdsWaiters']);

    // Sequence numbers order every record.
    const seqs = records.slice(1).map((r) => (r as { seq: number }).seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('writes the same records to a JSONL file, and parseTrace reads them back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'speechcharts-trace-'));
    dirs.push(dir);
    const file = join(dir, 'seed.trace.jsonl');
    const clock = new VirtualClock();
    const memory = createTraceRecorder({ now: () => clock.now() });
    const lines: string[] = [];
    const toFile = createTraceRecorder({ now: () => clock.now(), file, write: (l) => lines.push(l) });
    const { session } = await runSeedDemo({ inspect: combineInspectors(memory.inspect, toFile.inspect), clock });
    await session.close();
    await Promise.all([memory.close(), toFile.close()]);

    const strip = (rs: readonly TraceRecord[]) => rs.map((r) => (r.kind === 'header' ? { ...r, createdAt: '' } : r));
    const fromFile = await readTraceFile(file);
    expect(strip(fromFile)).toEqual(strip(memory.records));
    expect(lines.map((l) => JSON.parse(l))).toEqual(JSON.parse(JSON.stringify(fromFile)));
    expect(strip(parseTrace(memory.toJSONL()))).toEqual(strip(memory.records));
    expect(toFile.records).toEqual([]); // a file recorder keeps nothing in memory by default

    // Audio frames went through the session (FakeTTS made hundreds) and none reached the trace.
    const text = await readFile(file, 'utf8');
    expect(text).not.toMatch(/\[(-?\d+,){20}/);
    expect(text.length).toBeLessThan(200_000);
  });

  it('keeps audio out of contexts and events of any actor', () => {
    const recorder = createTraceRecorder();
    const machine = createMachine({
      id: 'player',
      context: { frame: { data: new Int16Array(48_000), sampleRate: 48_000, channels: 1, samplesPerChannel: 48_000 }, onDone: () => {} },
      initial: 'idle',
      states: { idle: { on: { PLAY: 'playing' } }, playing: {} },
    });
    const actor = createActor(machine, { inspect: recorder.inspect }).start();
    actor.send({ type: 'PLAY', pcm: new Int16Array(960), buffer: new ArrayBuffer(1920) } as never);
    actor.stop();
    const json = recorder.toJSONL();
    expect(json).toContain('"$binary":"Int16Array","length":48000');
    expect(json).toContain('"pcm":{"$binary":"Int16Array","length":960}');
    expect(json).not.toContain('onDone');
    expect(json.length).toBeLessThan(5_000);
  });

  it('never breaks the session it observes, and stops recording at close', async () => {
    const clock = new VirtualClock();
    const recorder = createTraceRecorder({ now: () => clock.now() });
    const throwing = () => {
      throw new Error('observer bug');
    };
    const { session, second } = await runSeedDemo({ inspect: combineInspectors(throwing, recorder.inspect), clock });
    expect(second.done()).toBe(true);
    await recorder.close();
    const n = recorder.records.length;
    await session.close();
    expect(recorder.records.length).toBe(n);
  });

  it('reports a file it cannot write from close(), not as a crash', async () => {
    const recorder = createTraceRecorder({ file: join(tmpdir(), 'no-such-dir-speechcharts', 'x', 'trace.jsonl') });
    await expect(recorder.close()).rejects.toThrow(/ENOENT/);
  });
});

describe('parseTrace', () => {
  it('skips blank lines and names the bad line', () => {
    expect(parseTrace('{"kind":"header","version":1,"createdAt":"x","clock":"wall"}\n\n{"kind":"actor","seq":1,"t":0,"actor":"a","machine":null}\n')).toHaveLength(2);
    expect(() => parseTrace('{"kind":"header","version":1}\nnot json')).toThrow(/trace line 2: not JSON/);
    expect(() => parseTrace('{"no":"kind"}')).toThrow(/trace line 1: not a trace record/);
    expect(() => parseTrace('{"kind":"header","version":99}')).toThrow(/version 99 is newer/);
  });
});
