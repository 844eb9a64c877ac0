// The README's "Testing your agent" example, as it is there (but for the stubbed weather service).
import { describe, expect, it } from 'vitest';
import { Agent, AgentSession, handoff, tool } from 'speechcharts';
import { FakeLLM, FakeTTS, ScriptedLLM, VirtualAudioOutput, VirtualClock, withMockTools } from 'speechcharts/testing';

async function fetchWeather(_city: string): Promise<string> {
  throw new Error('no network in tests: mock the lookup tool');
}

// ── the agent under test ──
class Billing extends Agent {
  constructor() { super({ id: 'billing', instructions: 'You handle billing questions.' }); }
  override async onEnter() { this.session.generateReply({ instructions: 'Greet the caller' }); }
}
const frontDesk = () => new Agent({
  id: 'front_desk',
  instructions: 'Answer weather questions; transfer billing questions.',
  tools: {
    lookup: tool({
      description: 'Weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      execute: async ({ city }: { city: string }) => fetchWeather(city),
    }),
    transfer: tool({ description: 'Transfer to billing', execute: async () => handoff({ agent: new Billing() }) }),
  },
});

// ── the test ──
// The agent's LLM, scripted: the answer is chosen by the last user message or the last tool output.
const llm = new FakeLLM([
  { input: 'Weather in Paris?', content: 'Let me check.', toolCalls: [{ name: 'lookup', args: { city: 'Paris' } }] },
  { input: 'sunny, 24°C', content: 'It is sunny and 24 degrees in Paris.' },
  { input: 'I have a billing question', toolCalls: [{ name: 'transfer', args: {} }] },
  { input: 'instructions:Greet the caller', content: 'Billing here, how can I help?' },
]);
// The judge: a real LLM in your suite; scripted here (it answers "PASS: ..." or "FAIL: ...").
const judge = new ScriptedLLM({ replies: [
  { when: (req) => JSON.stringify(req.history).includes('sunny'), reply: 'PASS: it gives the weather in Paris' },
  { reply: 'FAIL: it does not give the weather' },
] });

describe('front desk', () => {
  it('answers the weather with the lookup tool', async () => {
    const agent = frontDesk();
    const session = new AgentSession({ llm, agent }); // no tts, no audioOutput: a text-only session
    await session.start();
    await withMockTools(agent, { lookup: async () => 'sunny, 24°C' }, async () => {
      const result = await session.run({ userInput: 'Weather in Paris?' }).wait();
      result.expect.nextEvent().isMessage({ role: 'assistant' });
      result.expect.nextEvent().isFunctionCall({ name: 'lookup', args: { city: 'Paris' } });
      result.expect.nextEvent().isFunctionCallOutput({ output: 'sunny, 24°C' });
      await result.expect.nextEvent().isMessage({ role: 'assistant' }).judge(judge, { intent: 'gives the weather in Paris' });
      result.expect.noMoreEvents();
    });
  });

  it('hands billing questions over, with audio on virtual time', async () => {
    const clock = new VirtualClock();
    const session = new AgentSession({ llm, agent: frontDesk(), tts: new FakeTTS(), audioOutput: new VirtualAudioOutput(clock), clock });
    await session.start();
    const result = await clock.runUntil(session.run({ userInput: 'I have a billing question' }).wait());
    result.expect.containsAgentHandoff({ newAgentId: 'billing' });
    result.expect.at(-1).isMessage({ role: 'assistant' });
    expect(session.currentAgent.id).toBe('billing');
  });

  it('a failed expectation reads as the README shows', async () => {
    const agent = frontDesk();
    const session = new AgentSession({ llm, agent });
    await session.start();
    const restore = withMockTools(agent, { lookup: async () => 'sunny, 24°C' });
    const result = await session.run({ userInput: 'Weather in Paris?' }).wait().finally(restore);
    expect(() => result.expect.at(1).isFunctionCall({ name: 'lookup', args: { city: 'Rome' } })).toThrow(
      [
        `event [1]: expected a function_call named 'lookup' with args {"city":"Rome"}, got args.city "Paris" (expected "Rome")`,
        'Events of the run (user input "Weather in Paris?"):',
        '    [0] message assistant: "Let me check."',
        '>>> [1] function_call lookup({"city":"Paris"})',
        '    [2] function_call_output lookup: "sunny, 24°C"',
        '    [3] message assistant: "It is sunny and 24 degrees in Paris."',
      ].join('\n'),
    );
  });
});
