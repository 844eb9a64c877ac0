import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Agent, tool } from '../src/index.js';
import { checkAgent, formatAgentCheck } from '../src/testing/index.js';
import deadlocking from '../examples/agent-check/deadlocking-agent.js';
import fixed from '../examples/agent-check/fixed-agent.js';
import { makeSession } from './support/session-fixture.js';

function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('the model check of your agent (checkAgent, speechcharts check --agent)', () => {
  it('finds the deadlock of a tool that awaits its own speech, with the shortest path to it', () => {
    const r = checkAgent({ agents: [deadlocking] });
    expect(r.ok).toBe(false);
    const cycle = r.findings.find((f) => f.property === 'the wait-for graph has no cycle')!;
    expect(cycle.message).toBe('deadlock: speech_1 → call_1_1 → speech_1');
    expect(cycle.path.map((e) => e.type)).toEqual(['START', 'REPLY', 'TOOL_CALL', 'TOOL_AWAIT_SPEECH', 'STEP_DONE']);
    expect(formatAgentCheck(r).join('\n')).toContain('✗ the wait-for graph has no cycle');
  });

  it('passes the fixed agent (awaits its preamble, says a status line)', () => {
    const r = checkAgent({ agents: [fixed] });
    expect(r.findings).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.states).toBeGreaterThan(1_000);
  });

  it('the deadlock it reports is real: on the runtime the speech never ends until an interrupt', async () => {
    const { clock, session } = makeSession({
      session: { agent: deadlocking },
      replies: [{ when: { userInput: 'book it' }, reply: ['One moment.', { type: 'toolCall', callId: 'c1', name: 'confirm_booking', arguments: '{}' }] }],
    });
    await session.start();
    const h = session.generateReply({ userInput: 'book it' });
    await clock.runAll();
    expect(h.state).toEqual({ active: 'awaitingTools' });
    await clock.runUntil(session.interrupt()); // only an interrupt ends it
    expect(h.outcome).toBe('interrupted');
  });

  it('explores handoffs and tasks that tools declare, across several agents', () => {
    const transfer = tool({ description: 't', behavior: { handsOff: true }, execute: async () => 'x' });
    const collect = tool({ description: 'c', behavior: { runsTask: true, awaitsPlayout: true }, execute: async () => 'x' });
    const r = checkAgent({ agents: [new Agent({ id: 'greeter', instructions: 'g', tools: { transfer } }), new Agent({ id: 'booking', instructions: 'b', tools: { collect } })], speeches: 1 });
    expect(r.ok).toBe(true);
    expect(r.bounds.agentTransitions).toBe(1);
    expect(r.tools.map((t) => t.name)).toEqual(['transfer', 'collect']);
  });

  it('on the command line: exit 1 and the path for the deadlock, exit 0 for the fixed agent, exit 2 for a bad module', async () => {
    const bad = await cli(['check', '--agent', 'examples/agent-check/deadlocking-agent.ts']);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('shortest path (5 events): START → REPLY → TOOL_CALL(name=confirm_booking) → TOOL_AWAIT_SPEECH(speech=0,tool=0) → STEP_DONE');
    const good = await cli(['check', '--agent', 'examples/agent-check/fixed-agent.ts']);
    expect(good.code).toBe(0);
    expect(good.out).toContain('✓ no deadlock');
    const missing = await cli(['check', '--agent', 'examples/agent-check/nope.ts']);
    expect(missing.code).toBe(2);
    const help = await cli(['check', '--help']);
    expect(help.out).toContain('What is not:');
  }, 120_000);
});
