import * as openai from '@livekit/agents-plugin-openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentSession, tool, type AgentMetrics } from '../src/index.js';
import { fromLiveKitLLM } from '../src/livekit/index.js';
import { OpenAIStandIn } from './support/openai-stand-in.js';
import { historyLines } from './support/session-fixture.js';

// The real OpenAI plugin (@livekit/agents-plugin-openai) against a local stand-in of the Chat
// Completions API: the tool call arrives in pieces on the wire and whole in the session.
let server: OpenAIStandIn;
beforeEach(async () => {
  server = await new OpenAIStandIn().start();
});
afterEach(() => server.stop());

describe('fromLiveKitLLM: tool calls', () => {
  it('a streamed tool call reaches the session whole, the tool runs, and the tool reply is requested with its output', async () => {
    server.chatScripts = [
      { text: ['Let me ', 'check.'], toolCalls: [{ id: 'call_w1', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' }] },
      { text: ['It is sunny ', 'in Paris.'] },
    ];
    const calls: unknown[] = [];
    const getWeather = tool({
      description: 'Weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } }, required: ['city'] },
      execute: (args: { city: string }) => {
        calls.push(args);
        return `sunny, 21 degrees in ${args.city}`;
      },
    });
    const llm = fromLiveKitLLM(new openai.LLM({ baseURL: server.baseURL, apiKey: 'test', model: 'gpt-4o-mini' }));
    const session = new AgentSession({ llm, instructions: 'You are a weather bot.', tools: { get_weather: getWeather } });
    const metrics: AgentMetrics[] = [];
    session.on('metrics_collected', ({ metrics: m }) => metrics.push(m));
    const errors: unknown[] = [];
    session.on('error', (e) => errors.push(e.error));
    await session.start();
    const h = session.generateReply({ userInput: 'Weather in Paris?' });
    await h.waitForPlayout();
    await session.close();

    expect(errors).toEqual([]);
    expect(calls).toEqual([{ city: 'Paris', unit: 'celsius' }]);
    expect(historyLines(session.history)).toEqual([
      'user:Weather in Paris?',
      'assistant:Let me check.',
      'call:get_weather({"city":"Paris","unit":"celsius"})',
      'output:get_weather:ok:sunny, 21 degrees in Paris',
      'assistant:It is sunny in Paris.',
    ]);

    // What went over the wire: the tool advertised as a function, then the tool reply asked with the call and its output.
    const [first, second] = server.requests.filter((r) => r.path === '/v1/chat/completions');
    expect(first!.body.stream).toBe(true);
    expect(first!.body.tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } }, required: ['city'] } } },
    ]);
    expect(first!.body.messages).toEqual([
      { role: 'system', content: 'You are a weather bot.' },
      { role: 'user', content: 'Weather in Paris?' },
    ]);
    const msgs = second!.body.messages!;
    const callMsg = msgs.find((m) => m.tool_calls);
    expect(callMsg!.tool_calls).toEqual([{ id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' } }]);
    expect(msgs.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_w1', content: 'sunny, 21 degrees in Paris' });

    // The session's LLM metrics, one per step, filled.
    const llmMetrics = metrics.filter((m) => m.type === 'llm_metrics');
    expect(llmMetrics.map((m) => [m.step, m.toolCalls, m.completionChars, m.cancelled])).toEqual([
      [1, 1, 'Let me check.'.length, false],
      [2, 0, 'It is sunny in Paris.'.length, false],
    ]);
    for (const m of llmMetrics) {
      expect(m.ttftMs).toBeGreaterThanOrEqual(0);
      expect(m.durationMs).toBeGreaterThanOrEqual(m.ttftMs);
    }
    const reply = session.history.at(-1)!;
    expect(reply.type === 'message' && reply.metrics?.llmTtftMs).toBeGreaterThanOrEqual(0);
  });
});
