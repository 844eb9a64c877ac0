import { AssertionError } from 'node:assert';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, type LLMRequest } from '../src/index.js';
import { JUDGE_INSTRUCTIONS, ScriptedLLM, VERDICT_TOOL } from '../src/testing/index.js';
import { runSession } from './support/run-fixture.js';

/** The judge's question: the intent and the judged message. */
const question = (req: LLMRequest) => (req.history.at(-1) as { content: string }).content;

/** A scripted judge: passes a message that mentions 'sunny', fails any other, through the verdict tool. */
function scriptedJudge() {
  return new ScriptedLLM({
    replies: [
      { when: (req) => /Message:\n.*sunny/s.test(question(req)), reply: [{ type: 'toolCall', callId: 'v1', name: 'verdict', arguments: '{"passed":true,"reason":"it gives the weather"}' }] },
      { reply: [{ type: 'toolCall', callId: 'v2', name: 'verdict', arguments: '{"passed":false,"reason":"it does not give the weather"}' }] },
    ],
  });
}

async function weatherRun() {
  const { clock, session } = await runSession({ audio: false });
  return clock.runUntil(session.run({ userInput: 'Weather in Paris?' }).wait());
}

describe('EventAssert.judge', () => {
  it('passes when the judge’s verdict passes, and asks with the intent, the message and the verdict tool', async () => {
    const judge = scriptedJudge();
    const r = await weatherRun();
    const ev = r.expect.at(-1).isMessage({ role: 'assistant' });
    await expect(ev.judge(judge, { intent: 'gives the weather in Paris' })).resolves.toBe(ev);
    const req = judge.requests[0]!;
    expect(req.instructions).toBe(JUDGE_INSTRUCTIONS);
    expect(req.tools).toEqual([VERDICT_TOOL]);
    expect(question(req)).toBe('Check whether the following message fulfils the given intent.\n\nIntent:\ngives the weather in Paris\n\nMessage:\nIt is sunny in Paris.');
  });

  it('fails with an AssertionError holding the judge’s reason and the run’s events', async () => {
    const r = await weatherRun();
    const err = await r.expect.at(0).judge(scriptedJudge(), { intent: 'gives the weather in Paris' }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AssertionError);
    expect((err as Error).message).toMatch(/^event \[0\]: judged not to fulfil the intent "gives the weather in Paris": it does not give the weather\n/);
    expect((err as Error).message).toContain('>>> [0] message assistant: "Let me check."');
  });

  it('takes a text verdict (first line PASS or FAIL) from a judge without tool calls', async () => {
    const r = await weatherRun();
    const judge = (text: string) => new ScriptedLLM({ replies: [{ reply: text }] });
    await r.expect.at(-1).judge(judge('PASS: mentions the weather'), { intent: 'gives the weather' });
    await expect(r.expect.at(-1).judge(judge('\nFAIL - too vague\nno city named'), { intent: 'names the city' })).rejects.toThrow(/judged not to fulfil the intent "names the city": too vague no city named/);
  });

  it('no verdict is an AssertionError; a judge LLM error propagates as it is; a bad intent is an InvalidArgumentError', async () => {
    const r = await weatherRun();
    await expect(r.expect.at(-1).judge(new ScriptedLLM({ replies: [{ reply: 'Maybe?' }] }), { intent: 'x' })).rejects.toThrow(/the judge gave no verdict for the intent "x" \(it answered "Maybe\?"\)/);
    const down = new Error('judge down');
    await expect(r.expect.at(-1).judge(new ScriptedLLM({ replies: [{ reply: [], error: down }] }), { intent: 'x' })).rejects.toBe(down);
    await expect(r.expect.at(-1).judge(scriptedJudge(), { intent: '' })).rejects.toThrow(InvalidArgumentError);
  });

  it('judges other events by a description of them', async () => {
    const judge = new ScriptedLLM({ replies: [{ when: (req) => question(req).includes('Message:\na call of the function lookup with the arguments {"city":"Paris","days":1}'), reply: 'PASS: right city' }] });
    const r = await weatherRun();
    await r.expect.at(1).isFunctionCall().judge(judge, { intent: 'looks up Paris' });
  });
});
