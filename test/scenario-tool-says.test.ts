import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/scenario/run-scenario.js';
import { ScenarioError, parseScenario } from '../src/scenario/scenario-schema.js';
import { FakeTTS, VirtualAudioOutput, VirtualClock } from '../src/testing/index.js';
import { historyLines } from './support/session-fixture.js';

// A scenario tool with `say` speaks a status line while it runs and awaits it: the way users write
// "please hold on" in LiveKit. It must be heard before the tool reply, and nothing may hang.

const raw = JSON.parse(readFileSync('examples/tool-says-hold-on.json', 'utf8'));

describe('a scenario tool that says a status line while it works', () => {
  it('is heard right after the preamble, before the tool reply; the tool returns', async () => {
    const clock = new VirtualClock();
    const result = await clock.runUntil(
      runScenario(parseScenario(raw), { tts: new FakeTTS({ msPerChar: 50 }), audioOutput: new VirtualAudioOutput(clock), clock }),
      { what: 'the tool-says-hold-on scenario' },
    );
    expect(result.status).toBe('completed');
    expect(historyLines(result.history)).toEqual([
      'user:Where is my order?',
      'assistant:Let me look that up.',
      'assistant:This can take a few seconds, please hold on.',
      'call:check_order({"order":"A-1042"})',
      'output:check_order:ok:{"status":"shipped","eta":"tomorrow"}',
      'assistant:Your order has shipped and arrives tomorrow.',
    ]);
    expect(result.tools).toMatchObject([{ name: 'check_order', waitOutcome: 'resolved', saySpeechId: 'speech_2', sayOutcome: 'played', outcome: 'returned' }]);
  });

  it('refuses an empty or non-string say, naming the field', () => {
    const bad = (say: unknown) => () => parseScenario({ ...raw, tools: { check_order: { ...raw.tools.check_order, say } } });
    expect(bad('  ')).toThrow(ScenarioError);
    expect(bad('  ')).toThrow(/tools\.check_order\.say must be a non-empty string/);
    expect(bad(42)).toThrow(/tools\.check_order\.say/);
  });
});
