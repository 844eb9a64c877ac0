import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScenarioError, parseScenario } from '../src/scenario/scenario-schema.js';

const minimal = () => ({
  name: 't',
  tools: { slow_tool: { durationMs: 100, waitForPlayout: true } },
  replies: [
    { when: { userInput: 'go' }, text: 'Sure.', toolCalls: [{ name: 'slow_tool' }] },
    { when: { afterTool: 'slow_tool' }, text: 'Done.' },
    { when: { userInput: 'stop' }, text: 'Okay.' },
  ],
  inputs: [
    { atMs: 0, userInput: 'go' },
    { atMs: 500, interrupt: true, force: true, userInput: 'stop' },
  ],
});

/** The ScenarioError thrown for `json`, with its message. */
function errorOf(json: unknown): ScenarioError {
  try {
    parseScenario(json);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return e as ScenarioError;
  }
  throw new Error('expected parseScenario to throw');
}

describe('parseScenario', () => {
  it('accepts a scenario and fills in the defaults', () => {
    const s = parseScenario(minimal());
    expect(s.maxDurationMs).toBe(30_000);
    expect(s.tools.slow_tool).toMatchObject({ durationMs: 100, waitForPlayout: true, ignoreAbort: false, result: 'done' });
    expect(s.replies[0]).toMatchObject({ ttftMs: 150, chunkDelayMs: 20, toolCalls: [{ name: 'slow_tool', arguments: '{}' }] });
    expect(s.inputs[1]).toEqual({ atMs: 500, interrupt: true, force: true, userInput: 'stop' });
  });

  it('sorts inputs by time and maps priority names', () => {
    const j = minimal();
    j.inputs = [{ atMs: 900, say: 'late', priority: 'high' } as never, { atMs: 0, userInput: 'go' }];
    const s = parseScenario(j);
    expect(s.inputs.map((i) => i.atMs)).toEqual([0, 900]);
    expect(s.inputs[1]!.priority).toBe(10);
  });

  it.each(readdirSync('examples').filter((f) => f.endsWith('.json')))('accepts examples/%s', (f) => {
    expect(() => parseScenario(JSON.parse(readFileSync(`examples/${f}`, 'utf8')))).not.toThrow();
  });

  it('names the field of a bad number, with its index', () => {
    const j = minimal();
    j.inputs.push({ atMs: -5, userInput: 'go' });
    const e = errorOf(j);
    expect(e.message).toBe('inputs[2].atMs must be a non-negative number, got -5');
    expect(e.issues).toEqual([{ path: 'inputs[2].atMs', message: 'must be a non-negative number, got -5' }]);
  });

  it('names a missing required field', () => {
    const j = minimal();
    j.inputs[0] = { userInput: 'go' } as never;
    expect(errorOf(j).message).toMatch(/^inputs\[0\]\.atMs is required/);
  });

  it('rejects unknown fields and suggests the nearest known one', () => {
    const j = minimal() as Record<string, unknown>;
    (j.inputs as Record<string, unknown>[])[1]!.atMS = 3;
    j.replys = [];
    const e = errorOf(j);
    expect(e.message).toContain('inputs[1].atMS is not a known field (did you mean "atMs"?)');
    expect(e.message).toContain('replys is not a known field (did you mean "replies"?)');
  });

  it('names a tool call of a tool the scenario does not have', () => {
    const j = minimal();
    j.replies[0]!.toolCalls = [{ name: 'fast_tool' }];
    expect(errorOf(j).message).toContain('replies[0].toolCalls[0].name names "fast_tool", which is not a tool of this scenario (tools: slow_tool)');
  });

  it('requires a reply for the step after a tool call', () => {
    const j = minimal();
    j.replies.splice(1, 1);
    expect(errorOf(j).message).toContain('replies[0].toolCalls[0].name calls slow_tool');
  });

  it('requires a reply for every user input', () => {
    const j = minimal();
    j.inputs[1]!.userInput = 'Stop!';
    expect(errorOf(j).message).toContain('inputs[1].userInput "Stop!" has no reply');
  });

  it('rejects force without interrupt, and an input that does nothing', () => {
    const j = minimal();
    j.inputs.push({ atMs: 10, force: true } as never);
    const e = errorOf(j);
    expect(e.issues.map((i) => i.path)).toEqual(['inputs[2].force', 'inputs[2]']);
    expect(e.message).toContain('inputs[2].force only applies with "interrupt": true');
    expect(e.message).toContain('inputs[2] does nothing');
  });

  it('rejects an input with both userInput and say', () => {
    const j = minimal();
    j.inputs[0] = { atMs: 0, userInput: 'go', say: 'hi' } as never;
    expect(errorOf(j).message).toContain('inputs[0] has both "userInput" and "say"');
  });

  it('names bad types in tools and replies', () => {
    const j = minimal() as { tools: Record<string, unknown>; replies: Record<string, unknown>[] };
    j.tools.slow_tool = { durationMs: '100', waitForPlayout: 'yes', throws: { type: 'Oops', message: 'x' } };
    j.replies[0]!.ttftMs = -1;
    const e = errorOf(j);
    expect(e.message).toContain('tools.slow_tool.durationMs must be a non-negative number, got "100"');
    expect(e.message).toContain('tools.slow_tool.waitForPlayout must be true or false, got "yes"');
    expect(e.message).toContain('tools.slow_tool.throws.type must be "ToolError" or "Error", got "Oops"');
    expect(e.message).toContain('replies[0].ttftMs must be a non-negative number, got -1');
  });

  it('names a bad priority and a bad when', () => {
    const j = minimal();
    j.inputs[0] = { atMs: 0, userInput: 'go', priority: 'urgent' } as never;
    (j.replies[2] as Record<string, unknown>).when = { userInput: 'stop', afterTool: 'slow_tool' };
    const e = errorOf(j);
    expect(e.message).toContain('inputs[0].priority must be a number or "low", "normal" or "high", got "urgent"');
    expect(e.message).toContain('replies[2].when must have exactly one of "userInput" or "afterTool"');
  });

  it('lists every problem at once, and says where they come from', () => {
    const e = (() => {
      try {
        parseScenario({ replies: 'none', inputs: [{ atMs: 'soon' }] }, { source: 'my.json' });
      } catch (err) {
        return err as ScenarioError;
      }
      throw new Error('expected a throw');
    })();
    expect(e.message).toMatch(/^my\.json: \d+ problems:/);
    expect(e.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['replies', 'inputs[0].atMs']));
  });

  it('rejects what is not an object', () => {
    expect(errorOf([]).message).toBe('a scenario must be a JSON object, got an array');
    expect(errorOf(null).message).toBe('a scenario must be a JSON object, got null');
  });
});
