import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { bargeInMachine } from '../machines/barge-in.machine.js';
import { speechHandleMachine } from '../machines/speech-handle.machine.js';
import { toolRunMachine } from '../machines/tool-run.machine.js';
import {
  combineInspectors,
  createInspectorServer,
  createTraceRecorder,
  OMITTED_TEXT,
  parseTrace,
  REDACTION_FAILED_TEXT,
  runSeedDemo,
  SEED_FIRST_INPUT,
  SEED_SECOND_INPUT,
  type TraceRecord,
  type TraceRecorderOptions,
  type TraceTextField,
} from '../src/inspect/index.js';
import { VirtualClock } from '../src/testing/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'speechcharts-redaction-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Conversation = Extract<TraceRecord, { kind: 'conversation' }>;
const conversationOf = (records: readonly TraceRecord[]) => records.filter((r): r is Conversation => r.kind === 'conversation').map((r) => r.item);

/** Every piece of conversation text the seed scenario produces. */
const SEED_TEXTS = [SEED_FIRST_INPUT, SEED_SECOND_INPUT, 'Sure, let me run', 'Okay, something else then', 'the tool was aborted because the user interrupted'];

async function recordSeed(o: TraceRecorderOptions = {}): Promise<TraceRecord[]> {
  const clock = new VirtualClock();
  const recorder = createTraceRecorder({ now: () => clock.now(), ...o });
  const { session } = await runSeedDemo({ inspect: recorder.inspect, clock });
  await session.close();
  return [...recorder.records];
}

/** The speechcharts machines holding conversation text outside the history: transcripts, a tool output, an error. */
function driveMachinesWithText(inspect: ReturnType<typeof createTraceRecorder>['inspect']): void {
  const noop = () => {};
  const bargeIn = createActor(bargeInMachine.provide({ actions: { startMinDurationTimer: noop, cancelMinDurationTimer: noop, startFalseInterruptionTimer: noop, cancelFalseInterruptionTimer: noop, pauseSpeech: noop, resumeSpeech: noop, interruptSpeech: noop, commitUserTurn: noop, dropUserTurn: noop } }), { id: 'bargeIn', inspect }).start();
  bargeIn.send({ type: 'USER_SPEECH_STARTED' });
  bargeIn.send({ type: 'INTERIM_TRANSCRIPT', text: 'my card number is' });
  bargeIn.send({ type: 'FINAL_TRANSCRIPT', text: 'my card number is 4111 1111 1111 1111' });
  bargeIn.send({ type: 'USER_SPEECH_ENDED' });
  bargeIn.stop();
  const tool = createActor(toolRunMachine, { id: 'call_9', input: { callId: 'call_9', name: 'lookup', speechId: 'speech_9', step: 1 }, inspect }).start();
  tool.send({ type: 'RESULT', output: 'account 4111 1111 1111 1111 is overdrawn' });
  const speech = createActor(speechHandleMachine, { id: 'speech_9', input: { id: 'speech_9' }, inspect }).start();
  speech.send({ type: 'AUTHORIZE' });
  speech.send({ type: 'FAIL', error: new Error('TTS refused "4111 1111 1111 1111"') });
}

describe('conversation text in traces', () => {
  it('records the conversation by default: user input, what was heard (cut when interrupted), tool arguments and outputs', async () => {
    const items = conversationOf(await recordSeed());
    expect(items).toEqual([
      expect.objectContaining({ type: 'message', role: 'user', content: SEED_FIRST_INPUT }),
      expect.objectContaining({ type: 'message', role: 'assistant', content: 'Sure, let me run', interrupted: true }),
      expect.objectContaining({ type: 'function_call', callId: 'call_1', name: 'slow_tool', arguments: '{}' }),
      expect.objectContaining({ type: 'function_call_output', callId: 'call_1', name: 'slow_tool', isError: true, output: expect.stringMatching(/aborted/) }),
      expect.objectContaining({ type: 'message', role: 'user', content: SEED_SECOND_INPUT }),
      expect.objectContaining({ type: 'message', role: 'assistant', content: 'Okay, something else then.' }),
    ]);
  });

  it('conversationText: false leaves every word out, and keeps who spoke, which tool ran, and when', async () => {
    const records = await recordSeed({ conversationText: false });
    const jsonl = records.map((r) => JSON.stringify(r)).join('\n');
    for (const text of SEED_TEXTS) expect(jsonl).not.toContain(text);
    expect(conversationOf(records)).toEqual([
      expect.objectContaining({ role: 'user', content: OMITTED_TEXT }),
      expect.objectContaining({ role: 'assistant', content: OMITTED_TEXT, interrupted: true }),
      expect.objectContaining({ type: 'function_call', name: 'slow_tool', callId: 'call_1', arguments: OMITTED_TEXT }),
      expect.objectContaining({ type: 'function_call_output', name: 'slow_tool', isError: true, output: OMITTED_TEXT }),
      expect.objectContaining({ role: 'user', content: OMITTED_TEXT }),
      expect.objectContaining({ role: 'assistant', content: OMITTED_TEXT }),
    ]);
    // The machines' story is untouched: the tool run still ends aborted at 900 ms.
    expect(records).toContainEqual(expect.objectContaining({ kind: 'snapshot', actor: 'tool_call_1', value: 'aborted', t: 900 }));
  });

  it('conversationText: false also covers transcripts, tool outputs and errors inside machine events, actions and contexts', () => {
    const recorder = createTraceRecorder({ conversationText: false });
    driveMachinesWithText(recorder.inspect);
    const jsonl = recorder.toJSONL();
    expect(jsonl).not.toContain('4111');
    expect(jsonl).not.toContain('card number');
    expect(jsonl).toContain('{"type":"FINAL_TRANSCRIPT","text":"[omitted]"}'); // the field stays, its text goes
    expect(jsonl).toContain('{"type":"RESULT","output":"[omitted]"}');
    const failed = recorder.records.find((r) => r.kind === 'snapshot' && r.actor === 'speech_9' && r.value === 'failed') as Extract<TraceRecord, { kind: 'snapshot' }>;
    expect((failed.context as { error: unknown }).error).toEqual({ $error: 'Error', message: OMITTED_TEXT });
  });

  it('redact sees each piece of text whole, with its kind, before the length cut, and what it returns is recorded', async () => {
    const seen: TraceTextField['kind'][] = [];
    const card = /\b\d{4}(?: \d{4}){3}\b/g;
    const recorder = createTraceRecorder({
      maxStringLength: 20, // cuts inside the card number: the redactor must see it whole
      redact: (text, field) => {
        seen.push(field.kind);
        return text.replace(card, '[card]');
      },
    });
    driveMachinesWithText(recorder.inspect);
    const jsonl = recorder.toJSONL();
    expect(jsonl).not.toMatch(/4111/);
    expect(jsonl).toContain('"text":"my card number is [c…[+4 chars]"');
    expect(new Set(seen)).toEqual(new Set(['transcript', 'toolOutput', 'error']));

    const seed = await recordSeed({ redact: (text, field) => `<${field.kind}:${text.length}>` });
    expect(conversationOf(seed).map((i) => (i.type === 'message' ? i.content : i.type === 'function_call' ? i.arguments : i.output))).toEqual([
      `<userInput:${SEED_FIRST_INPUT.length}>`,
      '<assistantText:16>',
      '<toolArguments:2>',
      expect.stringMatching(/^<toolOutput:\d+>$/),
      `<userInput:${SEED_SECOND_INPUT.length}>`,
      '<assistantText:26>',
    ]);
  });

  it('a redactor that throws records "[redaction failed]", never the original, reports the error, and the session goes on', async () => {
    const errors: unknown[] = [];
    const records = await recordSeed({
      redact: () => {
        throw new Error('redactor bug');
      },
      onError: (e) => errors.push(e),
    });
    const jsonl = records.map((r) => JSON.stringify(r)).join('\n');
    for (const text of SEED_TEXTS) expect(jsonl).not.toContain(text);
    expect(conversationOf(records)).toHaveLength(6);
    expect(conversationOf(records)[0]).toMatchObject({ content: REDACTION_FAILED_TEXT });
    expect(errors.length).toBeGreaterThan(0);
    expect((errors[0] as Error).message).toBe('redactor bug');
  });

  it('the inspector server applies the options to what it records, serves at /trace.jsonl and streams', async () => {
    const clock = new VirtualClock();
    const server = await createInspectorServer({ now: () => clock.now(), conversationText: false });
    try {
      // Through combineInspectors too: the conversation reaches every observer that takes it.
      const other = createTraceRecorder();
      const { session } = await runSeedDemo({ inspect: combineInspectors(server.inspect, other.inspect), clock });
      await session.close();
      const served = await (await fetch(`${server.url}trace.jsonl`)).text();
      for (const text of SEED_TEXTS) expect(served).not.toContain(text);
      expect(conversationOf(parseTrace(served))).toHaveLength(6);
      expect(conversationOf(other.records)[0]).toMatchObject({ content: SEED_FIRST_INPUT });
    } finally {
      await server.close();
    }
  });

  it('speechcharts run --trace-no-text writes a trace without the conversation text', { timeout: 60_000 }, async () => {
    const out = join(tmp, 'no-text');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', 'examples/tool-preamble-interrupt.json', '--virtual', '--quiet', '--trace-no-text', '--out', out], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code, stderr).toBe(0);
    const trace = readFileSync(join(out, 'trace.jsonl'), 'utf8');
    for (const text of ['Please run the slow tool for me', 'Actually, never mind', 'Sure, let me run', 'Okay, something else then']) expect(trace).not.toContain(text);
    const items = conversationOf(parseTrace(trace));
    expect(items.length).toBeGreaterThan(3);
    expect(items.every((i) => (i.type === 'message' ? i.content : i.type === 'function_call' ? i.arguments : i.output) === OMITTED_TEXT)).toBe(true);
  });
});
