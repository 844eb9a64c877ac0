import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScenarioError, parseScenario } from '../src/scenario/scenario-schema.js';

/** A small valid scenario with agents, a handoff and a task. */
const withAgents = () => ({
  name: 'agents',
  agents: {
    front: { instructions: 'FRONT', tools: ['transfer'] },
    desk: { instructions: 'DESK', tools: ['ask'], onEnter: { say: 'Desk here.' } },
    ask_name: { task: true, instructions: 'ASK', tools: ['done'], onEnter: { generateReply: true } },
  } as Record<string, Record<string, unknown>>,
  tools: {
    transfer: { handoff: 'desk' },
    ask: { runTask: 'ask_name' },
    done: { completeWith: 'Ada' },
  } as Record<string, Record<string, unknown>>,
  replies: [
    { when: { agent: 'front', userInput: 'go' }, text: 'Sure.', toolCalls: [{ name: 'transfer' }] },
    { when: { agent: 'desk', userInput: 'name?' }, toolCalls: [{ name: 'ask' }] },
    { when: { agent: 'ask_name', afterHandoff: true }, text: 'Your name?' },
    { when: { agent: 'ask_name' }, toolCalls: [{ name: 'done' }] },
    { when: { afterTool: 'done' }, text: 'Thanks.' },
    { when: { agent: 'desk', afterTool: 'ask' }, text: 'Hello {{output}}.' },
  ] as Record<string, unknown>[],
  inputs: [{ atMs: 0, userInput: 'go' }],
});

function issues(json: unknown): string[] {
  try {
    parseScenario(json);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).issues.map((i) => `${i.path} ${i.message}`);
  }
  throw new Error('expected parseScenario to throw');
}

describe('parseScenario with agents', () => {
  it('reads agents, the start agent, handoff / runTask / complete tools and per-agent replies', () => {
    const s = parseScenario(withAgents());
    expect(s.startAgent).toBe('front'); // the first agent that is not a task
    expect(s.agents).toEqual({
      front: { instructions: 'FRONT', tools: ['transfer'], task: false },
      desk: { instructions: 'DESK', tools: ['ask'], task: false, onEnter: { say: 'Desk here.' } },
      ask_name: { instructions: 'ASK', tools: ['done'], task: true, onEnter: { generateReply: {} } },
    });
    expect(s.tools.transfer!.handoff).toEqual({ agent: 'desk' });
    expect(s.tools.ask!.runTask).toBe('ask_name');
    expect(s.tools.done!.complete).toEqual({ with: 'value', value: 'Ada' });
    expect(s.replies.map((r) => r.when)).toEqual([
      { agent: 'front', userInput: 'go' },
      { agent: 'desk', userInput: 'name?' },
      { agent: 'ask_name', afterHandoff: true },
      { agent: 'ask_name' },
      { afterTool: 'done' },
      { agent: 'desk', afterTool: 'ask' },
    ]);
    // A handoff with `returns` keeps it, even when it is null.
    const j = withAgents();
    j.tools.transfer = { handoff: { agent: 'desk', returns: null } };
    j.replies.push({ when: { afterTool: 'transfer' }, text: 'Through.' });
    expect(parseScenario(j).tools.transfer!.handoff).toEqual({ agent: 'desk', returns: null });
  });

  it('accepts the example', () => {
    const s = parseScenario(JSON.parse(readFileSync('examples/handoff-during-tool.json', 'utf8')));
    expect(Object.keys(s.agents!)).toEqual(['greeter', 'booking', 'phone_task']);
    expect(s.tools.save_phone!.complete).toEqual({ with: 'arguments' });
  });

  it('names every problem of agents and agent tools by field path', () => {
    const j = withAgents();
    j.agents.front!.tools = ['transfer', 'nope', 'transfer'];
    j.agents.desk!.onEnter = { say: 'a', generateReply: true };
    j.agents.ask_name!.tools = ['done', 'transfer'];
    j.agents.ask_name!.colour = 'red';
    j.tools.transfer = { handoff: 'ask_name', result: 'x' };
    j.tools.ask = { runTask: 'desk' };
    j.tools.other = { complete: 'yes' };
    j.tools.both = { handoff: 'desk', runTask: 'ask_name' };
    j.agents.desk!.tools = ['ask', 'done'];
    j.replies[0]!.when = { agent: 'nobody', userInput: 'go' };
    j.replies[4]!.text = 'Thanks {{name}}.';
    (j as Record<string, unknown>).startAgent = 'ask_name';
    (j as Record<string, unknown>).session = { instructions: 'global' };
    expect(issues(j)).toEqual(
      expect.arrayContaining([
        'agents.front.tools[1] names "nope", which is not a tool of this scenario (tools: transfer, ask, done, other, both)',
        'agents.front.tools[2] names "transfer" twice',
        'agents.desk.onEnter must have exactly one of "say" or "generateReply"',
        'agents.ask_name.colour is not a known field; known: instructions, tools, task, onEnter, allowInterruptions, note',
        'tools.transfer has "result" and "handoff": a handoff returns its "returns"',
        'tools.transfer.handoff names "ask_name", a task: run a task with "runTask" (it returns a value), hand off to an agent',
        'tools.ask.runTask names "desk", which is not a task: give it "task": true',
        'tools.other.complete must be true (complete the task with the call\'s arguments), got "yes"; use "completeWith" for a fixed value',
        'tools.both has "handoff" and "runTask": give it one of them',
        'tools.done completes a task, but agent "desk" (not a task) offers it: only tasks may offer a "complete" tool',
        'replies[0].when.agent names "nobody", which is not an agent of this scenario (agents: front, desk, ask_name)',
        'replies[4].text has {{name}}: the only placeholder is {{output}} or {{output.field}} (the tool\'s output)',
        'startAgent names "ask_name", a task: a task is entered by a tool\'s "runTask", not first',
        'session.instructions does not apply with "agents": give each agent its "instructions"',
      ]),
    );
  });

  it('refuses agent features in a scenario without agents, and a reply an entering agent would lack', () => {
    expect(
      issues({
        tools: { t: { handoff: 'x' } },
        replies: [{ when: { afterHandoff: true }, text: 'a' }, { when: { agent: 'x', userInput: 'go' }, text: 'Got {{output}}' }],
        inputs: [{ atMs: 0, userInput: 'go' }],
      }),
    ).toEqual(
      expect.arrayContaining([
        'tools.t "handoff" needs "agents" (the scenario has none)',
        'replies[0].when.afterHandoff needs "agents": there is no handoff without them',
        'replies[1].when.agent needs "agents" to name one of',
        'replies[1].text has {{output}}, which needs when.afterTool (it is that tool\'s output)',
      ]),
    );
    const j = withAgents();
    j.replies.splice(2, 2);
    j.replies.push({ when: { agent: 'ask_name', userInput: 'Ada' }, toolCalls: [{ name: 'done' }] });
    expect(issues(j)).toEqual([
      'agents.ask_name.onEnter.generateReply has no reply: add a reply with when { "afterHandoff": true, "agent": "ask_name" }, or a default reply without "when"',
    ]);
  });
});
