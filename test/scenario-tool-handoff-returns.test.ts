import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/scenario/run-scenario.js';
import { parseScenario } from '../src/scenario/scenario-schema.js';
import { FakeTTS, VirtualAudioOutput, VirtualClock } from '../src/testing/index.js';
import { historyLines } from './support/session-fixture.js';

describe('a scenario tool whose handoff has "returns"', () => {
  it('lets the current agent reply to the output, then hands off and the new agent says its onEnter line', async () => {
    const scenario = parseScenario({
      name: 'handoff-returns',
      agents: {
        front: { instructions: 'FRONT', tools: ['transfer'] },
        desk: { instructions: 'DESK', onEnter: { say: 'Desk here.' } },
      },
      tools: { transfer: { handoff: { agent: 'desk', returns: 'transferring' } } },
      replies: [
        { when: { agent: 'front', userInput: 'go' }, text: 'One moment.', toolCalls: [{ name: 'transfer' }] },
        { when: { agent: 'front', afterTool: 'transfer' }, text: 'You are through: {{output}}.' },
      ],
      inputs: [{ atMs: 0, userInput: 'go' }],
    });
    const clock = new VirtualClock();
    const result = await clock.runUntil(runScenario(scenario, { tts: new FakeTTS({ msPerChar: 50 }), audioOutput: new VirtualAudioOutput(clock), clock }), { what: 'handoff-returns' });
    expect(result.status).toBe('completed');
    expect(historyLines(result.history)).toEqual([
      'user:go',
      'assistant:One moment.',
      'call:transfer({})',
      'output:transfer:ok:transferring',
      // The handoff waits for the old agent's reply to its output (its step plays whole), then the new agent speaks.
      'assistant:You are through: transferring.',
      'handoff:front>desk',
      'assistant:Desk here.',
    ]);
    expect(result.handoffs.map((h) => h.newAgentId)).toEqual(['front', 'desk']);
  });
});
