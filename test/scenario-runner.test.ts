import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario, startScenario, type ScenarioResult } from '../src/scenario/run-scenario.js';
import { parseScenario, type Scenario } from '../src/scenario/scenario-schema.js';
import { FakeTTS, VirtualAudioOutput, VirtualClock } from '../src/testing/index.js';
import { historyLines } from './support/session-fixture.js';

const examples = readdirSync('examples').filter((f) => f.endsWith('.json'));

function load(file: string): Scenario {
  return parseScenario(JSON.parse(readFileSync(`examples/${file}`, 'utf8')));
}

/** Runs a scenario on fakes and virtual time (FakeTTS: 20 characters a second). */
async function run(scenario: Scenario): Promise<{ result: ScenarioResult; lines: string[]; clock: VirtualClock; audio: VirtualAudioOutput }> {
  const clock = new VirtualClock();
  const audio = new VirtualAudioOutput(clock);
  const lines: string[] = [];
  const result = await clock.runUntil(runScenario(scenario, { tts: new FakeTTS({ msPerChar: 50 }), audioOutput: audio, clock, onLine: (l) => lines.push(l) }), {
    what: `scenario ${scenario.name}`,
  });
  return { result, lines, clock, audio };
}

describe('every example runs to completion on fakes', () => {
  it.each(examples)('%s', async (file) => {
    const { result } = await run(load(file));
    expect(result.status).toBe('completed');
    expect(result.stuck).toEqual([]);
    expect(result.speeches.every((s) => s.outcome !== undefined)).toBe(true);
    expect(result.trace.length).toBeGreaterThan(10);
  });
});

describe('examples/tool-preamble-interrupt.json (the seed)', () => {
  it('aborts the tool, rejects its wait at once, cuts the preamble and plays the next reply', async () => {
    const { result, audio, lines } = await run(load('tool-preamble-interrupt.json'));
    expect(result.status).toBe('completed');
    expect(result.errors).toEqual([]);

    const [tool] = result.tools;
    expect(tool).toMatchObject({ name: 'slow_tool', waitOutcome: 'rejected', waitError: 'SpeechInterruptedError', outcome: 'aborted' });
    expect(tool!.waitSettledAt).toBe(1400); // the interrupt's own moment: no time passes
    expect(result.speeches.map((s) => [s.id, s.outcome])).toEqual([
      ['speech_1', 'interrupted'],
      ['speech_2', 'done'],
    ]);

    const [f] = result.figures;
    expect(f).toMatchObject({ atMs: 1400, force: true, refused: false, interrupted: ['speech_1'], toolWaitSettledMs: 0, audioCutMs: 0, interruptResolvedMs: 0, nextSpeechId: 'speech_2' });
    // The next reply is heard after its scripted time to first token, not after a timeout.
    expect(f!.nextReplyAudibleMs).toBe(150);

    expect(historyLines(result.history)).toEqual([
      'user:Please run the slow tool for me',
      'assistant:Sure, let me run that [interrupted]',
      'call:slow_tool({})',
      'output:slow_tool:error:error: the tool was aborted because the user interrupted the speech',
      'user:Actually, never mind, do something else!',
      'assistant:Okay, something else then. What would you like?',
    ]);
    // The preamble started at 200 ms (ttft) and was cut 1.2 s in; the reply played out whole.
    expect(audio.segments.map((s) => s.interrupted)).toEqual([true, false]);
    expect(audio.segments[0]!.playbackPosition).toBeCloseTo(1.2, 5);
    expect(result.segments[0]).toMatchObject({ speechId: 'speech_1', startMs: 200, endMs: 1400, interrupted: true });

    expect(lines.some((l) => /^\+ +1400\.0 ms {2}tool_call_1 +slow_tool: waitForPlayout\(\) rejected SpeechInterruptedError$/.test(l))).toBe(true);
    expect(lines.some((l) => l.includes('speech_1      interrupted'))).toBe(true);
  });

  it('gives the timeline a lane per actor, the interrupt mark and the figures', async () => {
    const { result } = await run(load('tool-preamble-interrupt.json'));
    const t = result.timeline;
    expect(t.lanes.map((l) => l.id)).toEqual(['agent', 'scheduler', 'audio', 'speech_1', 'tool_call_1', 'speech_2']);
    expect(t.marks).toContainEqual({ atMs: 1400, kind: 'interrupt', label: 'interrupt (force) + “Actually, never mind, do something else!”' });
    expect(t.spans).toContainEqual({ lane: 'speech_1', state: 'interrupted', kind: 'interrupted', startMs: 1400, endMs: t.endMs, final: true });
    expect(t.spans).toContainEqual(expect.objectContaining({ lane: 'tool_call_1', state: 'active.awaitingPlayout', kind: 'awaitingPlayout', endMs: 1400 }));
    expect(t.figures.map((f) => f.ms)).toEqual([0, 0, 150]);
    // Spans of one lane follow each other without gaps.
    for (const lane of t.lanes) {
      const spans = t.spans.filter((s) => s.lane === lane.id);
      for (let i = 1; i < spans.length; i++) expect(spans[i]!.startMs).toBe(spans[i - 1]!.endMs);
    }
  });
});

describe('examples/uninterruptible-announcement.json', () => {
  it('refuses the plain interrupt, plays the announcement to its end, then the queued reply', async () => {
    const { result, audio } = await run(load('uninterruptible-announcement.json'));
    expect(result.figures).toEqual([expect.objectContaining({ refused: true, interrupted: [], nextSpeechId: 'speech_2' })]);
    expect(result.inputs[1]!.refused).toBe(true);
    expect(result.speeches.map((s) => [s.id, s.source, s.outcome])).toEqual([
      ['speech_1', 'say', 'done'],
      ['speech_2', 'generate_reply', 'done'],
    ]);
    expect(audio.segments.map((s) => s.interrupted)).toEqual([false, false]);
    expect(historyLines(result.history)).toEqual([
      'assistant:Attention please. This call may be recorded for quality purposes.',
      'user:Hello? Can I ask something?',
      'assistant:Of course, go ahead.',
    ]);
    expect(result.timeline.marks[1]).toMatchObject({ kind: 'input', label: expect.stringMatching(/^interrupt refused/) });
  });
});

describe('examples/priority-say.json', () => {
  it('gives the floor to the high-priority say before the queued reply, interrupting nothing', async () => {
    const { result } = await run(load('priority-say.json'));
    const byEnd = [...result.speeches].sort((a, b) => a.doneAt! - b.doneAt!);
    expect(byEnd.map((s) => [s.id, s.source, s.outcome])).toEqual([
      ['speech_1', 'generate_reply', 'done'],
      ['speech_3', 'say', 'done'],
      ['speech_2', 'generate_reply', 'done'],
    ]);
    expect(result.segments.map((s) => s.speechId)).toEqual(['speech_1', 'speech_3', 'speech_2']);
    expect(result.segments.every((s) => !s.interrupted)).toBe(true);
    expect(result.figures).toEqual([]);
  });
});

describe('examples/tool-failure.json', () => {
  it('records a ToolError message and a generic internal error, and answers from them', async () => {
    const { result } = await run(load('tool-failure.json'));
    expect(result.tools.map((t) => [t.name, t.outcome])).toEqual([
      ['check_calendar', 'threw'],
      ['book_table', 'threw'],
    ]);
    expect(historyLines(result.history)).toEqual([
      'user:Book a table for two at eight',
      'assistant:Let me check that for you.',
      'call:check_calendar({"day":"today"})',
      'call:book_table({"people":2,"time":"20:00"})',
      'output:check_calendar:error:An internal error occurred',
      'output:book_table:error:the restaurant is fully booked at 8 pm',
      'assistant:Sorry, they are fully booked at eight. Shall I try nine?',
    ]);
    // The plain Error's details go to the error event, not to the LLM. Called at 270 ms (ttft 150,
    // five text chunks then the call, 20 ms apart), it failed 300 ms later.
    expect(result.errors).toEqual([{ atMs: 570, source: 'tool', message: 'calendar service returned HTTP 503' }]);
    expect(result.speeches).toEqual([expect.objectContaining({ id: 'speech_1', outcome: 'done' })]);
  });
});

describe('the runner', () => {
  const base = () => load('tool-preamble-interrupt.json');

  it('reports a tool that ignores its abort: its late result is discarded, and the run waits for it', async () => {
    const s = base();
    s.tools.slow_tool = { ...s.tools.slow_tool!, ignoreAbort: true, durationMs: 3000 };
    const { result } = await run(s);
    expect(result.status).toBe('completed');
    expect(result.tools[0]).toMatchObject({ waitOutcome: 'rejected', outcome: 'returned', endedAt: 4400 });
    expect(result.discarded).toEqual([{ atMs: 4400, speechId: 'speech_1', callId: 'call_1', name: 'slow_tool', outcome: 'result' }]);
    // The abort output stands; the tool ran once.
    expect(historyLines(result.history)[3]).toBe('output:slow_tool:error:error: the tool was aborted because the user interrupted the speech');
    expect(result.durationMs).toBeGreaterThanOrEqual(4400);
  });

  it('reports a run still busy at maxDurationMs as timed out, naming what is stuck', async () => {
    const s = base();
    s.inputs = s.inputs.slice(0, 1); // no interrupt: the tool works past the deadline
    s.tools.slow_tool = { ...s.tools.slow_tool!, durationMs: 60_000, ignoreAbort: true };
    s.maxDurationMs = 5000;
    const { result, clock } = await run(s);
    expect(result.status).toBe('timedOut');
    // Even a tool that ignores its abort is ended with the run: no timer stays behind.
    expect(clock.nextTimerIn()).toBeUndefined();
    expect(result.durationMs).toBe(5000);
    expect(result.stuck).toEqual(expect.arrayContaining(['speech_1 in active.awaitingTools', 'tool slow_tool (call_1) still running']));
    expect(result.timeline.subtitle).toMatch(/TIMED OUT/);
  });

  it('serves live input while running, and ends on stop()', async () => {
    const clock = new VirtualClock();
    const s = base();
    s.inputs = s.inputs.slice(0, 1);
    const r = startScenario(s, {
      tts: new FakeTTS({ msPerChar: 50 }),
      audioOutput: new VirtualAudioOutput(clock),
      clock,
      live: true,
      fallbackReply: (text) => `You said ${text}`,
    });
    await clock.advance(1000);
    r.inject({ interrupt: true, force: false, userInput: 'hello from the room' });
    await clock.advance(5000);
    expect(r.session.agentState).toBe('listening'); // idle, but a live run keeps going
    r.stop();
    const result = await clock.runUntil(r.result);
    expect(result.status).toBe('stopped');
    expect(result.inputs[1]).toMatchObject({ live: true, atMs: 1000, interrupted: ['speech_1'], speechId: 'speech_2' });
    expect(historyLines(result.history).slice(-2)).toEqual(['user:hello from the room', 'assistant:You said hello from the room']);
    expect(result.figures[0]).toMatchObject({ toolWaitSettledMs: 0, audioCutMs: 0 });
  });

  it('passes inspection events on to the caller and leaves no timer behind', async () => {
    const clock = new VirtualClock();
    const seen = new Set<string>();
    const result = await clock.runUntil(
      runScenario(base(), {
        tts: new FakeTTS({ msPerChar: 50 }),
        audioOutput: new VirtualAudioOutput(clock),
        clock,
        inspect: (ev) => seen.add(ev.type),
        onProgress: () => {},
      }),
    );
    expect(result.status).toBe('completed');
    expect(seen).toContain('@xstate.snapshot');
    expect(clock.nextTimerIn()).toBeUndefined();
  });
});
