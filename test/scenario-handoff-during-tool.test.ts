import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderTimelineSvg } from '../src/cli/timeline-svg.js';
import { runScenario, type ScenarioResult } from '../src/scenario/run-scenario.js';
import { parseScenario } from '../src/scenario/scenario-schema.js';
import { FakeTTS, VirtualAudioOutput, VirtualClock } from '../src/testing/index.js';
import { historyLines } from './support/session-fixture.js';

/** examples/handoff-during-tool.json on fakes and virtual time (FakeTTS: 20 characters a second). */
async function run(): Promise<{ result: ScenarioResult; lines: string[] }> {
  const scenario = parseScenario(JSON.parse(readFileSync('examples/handoff-during-tool.json', 'utf8')));
  const clock = new VirtualClock();
  const lines: string[] = [];
  const result = await clock.runUntil(
    runScenario(scenario, { tts: new FakeTTS({ msPerChar: 50 }), audioOutput: new VirtualAudioOutput(clock), clock, onLine: (l) => lines.push(l) }),
    { what: 'the handoff example' },
  );
  return { result, lines };
}

describe('examples/handoff-during-tool.json', () => {
  it('does not hand off when the preamble is interrupted, hands off when asked again, and the task returns the collected number', async () => {
    const { result } = await run();
    expect(result.status).toBe('completed');
    expect(result.errors).toEqual([]);
    expect(result.stuck).toEqual([]);

    expect(historyLines(result.history)).toEqual([
      'user:Hi, I would like to book a table.',
      'assistant:Of course. Let me transfer [interrupted]',
      'call:transfer_to_booking({})',
      // The tool had returned its handoff, but the step that asked for it did not play whole.
      'output:transfer_to_booking:error:error: the agent handoff was interrupted and did not happen',
      'user:Wait, is the booking desk open on Fridays?',
      'assistant:Yes, it is open every day of the week.',
      'user:Great, please put me through.',
      'assistant:Transferring you now.',
      'call:transfer_to_booking({})',
      // A handoff without `returns`: no tool reply, the booking agent speaks first.
      'output:transfer_to_booking:ok:',
      'handoff:greeter>booking',
      'assistant:Booking desk here. For which day and time would you like a table?',
      'user:Friday at eight, for two people.',
      'assistant:Friday at eight for two. I just need a phone number for the booking.',
      'handoff:booking>phone_task',
      'assistant:What number can we reach you on?',
      'user:It is 555 0142.',
      'assistant:Thank you.',
      'call:save_phone({"phone":"555 0142"})',
      'output:save_phone:ok:saved',
      'assistant:Let me hand you back to the booking desk.',
      'handoff:phone_task>booking',
      // The booking agent's tool gets the task's result; its reply speaks the number the user gave.
      'call:collect_phone({})',
      'output:collect_phone:ok:{"phone":"555 0142"}',
      'assistant:You are all set: a table for two on Friday at eight. We will text the confirmation to 555 0142.',
    ]);

    // The agent_handoff events: the first agent's entry, then the three moves.
    expect(result.handoffs.map((h) => `${h.oldAgentId ?? '-'}>${h.newAgentId}`)).toEqual(['->greeter', 'greeter>booking', 'booking>phone_task', 'phone_task>booking']);
    const [, toBooking, toTask, back] = result.handoffs;
    // Each handoff happens when the speech that led to it played whole: never during the interrupted preamble.
    const speech3 = result.speeches.find((s) => s.id === 'speech_3')!;
    expect(toBooking!.atMs).toBe(speech3.doneAt);
    expect(toTask!.atMs).toBeGreaterThan(toBooking!.atMs);
    expect(back!.atMs).toBe(result.speeches.find((s) => s.id === 'speech_7')!.doneAt);

    // The tools: two transfers that returned a handoff (only the second applied), the task run, the task's completion.
    expect(result.tools.map((t) => [t.name, t.outcome, t.handoffTo ?? t.task?.name ?? t.completedWith])).toEqual([
      ['transfer_to_booking', 'returned', 'booking'],
      ['transfer_to_booking', 'returned', 'booking'],
      ['collect_phone', 'returned', 'phone_task'],
      ['save_phone', 'returned', { phone: '555 0142' }],
    ]);
    // run() resolved when the task had handed back, with the value the task completed with.
    expect(result.tools[2]!.task).toMatchObject({ name: 'phone_task', settledAt: back!.atMs, result: { phone: '555 0142' } });
    expect(result.tools[2]!.task!.startedAt).toBeLessThan(toTask!.atMs);
    expect(result.speeches.map((s) => s.outcome)).toEqual(['interrupted', 'done', 'done', 'done', 'done', 'done', 'done']);
  });

  it("gives each agent's activity a lane and marks each handoff on the timeline", async () => {
    const { result, lines } = await run();
    const t = result.timeline;
    expect(t.lanes.filter((l) => l.kind === 'activity').map((l) => l.label)).toEqual(['agent greeter (agent_1)', 'agent booking (agent_3)', 'agent phone_task (agent_4)']);
    // The booking agent steps aside while its tool runs the task, then speaks again.
    expect(t.spans.filter((s) => s.lane === 'agent_3:booking').map((s) => s.state)).toEqual(['entering', 'active', 'pausing', 'paused', 'active', 'done']);
    expect(t.marks.filter((m) => m.kind === 'handoff')).toEqual(result.handoffs.slice(1).map((h) => ({ atMs: h.atMs, kind: 'handoff', label: `handoff ${h.oldAgentId} → ${h.newAgentId}` })));
    const svg = renderTimelineSvg(t);
    expect(svg).toContain('>handoff greeter → booking</text>');
    expect(svg).toContain('>agent booking (agent_3)</text>');
    expect(svg).toMatch(/<line [^>]*stroke="#7c3aed" stroke-width="2"\/>/);
    // The live view says what the tools did for the agents.
    expect(lines.some((l) => /transfer_to_booking: body returned after 0\.0 ms: handoff\(\{ agent: booking \}\), applied once its step played whole$/.test(l))).toBe(true);
    expect(lines.some((l) => l.endsWith('collect_phone: phone_task.run() resolved {"phone":"555 0142"}'))).toBe(true);
    expect(lines.some((l) => /agents +handoff greeter → booking$/.test(l))).toBe(true);
  });
});
