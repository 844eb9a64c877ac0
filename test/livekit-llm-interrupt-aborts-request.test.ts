import * as openai from '@livekit/agents-plugin-openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentSession, type AgentMetrics } from '../src/index.js';
import { fromLiveKitLLM } from '../src/livekit/index.js';
import { OpenAIStandIn } from './support/openai-stand-in.js';
import { historyLines } from './support/session-fixture.js';

// An interrupt must end the provider's request (tokens stop being billed), not just stop reading
// it: the stand-in holds its stream open, and the test waits for the connection to close.
let server: OpenAIStandIn;
beforeEach(async () => {
  server = await new OpenAIStandIn().start();
});
afterEach(() => server.stop());

describe('fromLiveKitLLM: interrupt', () => {
  it("interrupting the speech closes the plugin's HTTP request at the server", async () => {
    server.chatScripts = [{ text: ['Once upon a time,'], hold: true }];
    const llm = fromLiveKitLLM(new openai.LLM({ baseURL: server.baseURL, apiKey: 'test', model: 'gpt-4o-mini' }));
    const session = new AgentSession({ llm });
    const metrics: AgentMetrics[] = [];
    session.on('metrics_collected', ({ metrics: m }) => metrics.push(m));
    await session.start();
    const speaking = new Promise<void>((resolve) => session.on('agent_state_changed', (e) => e.newState === 'speaking' && resolve()));
    const h = session.generateReply({ userInput: 'Tell me a long story.' });
    const req = await server.nextRequest('/v1/chat/completions', 0);
    await speaking; // the first text arrived: the request is streaming
    expect(req.closedAt).toBeUndefined();

    h.interrupt();
    const closed = await server.closedOf(req);
    expect(closed.completed).toBe(false); // the client hung up mid-stream
    await h.waitForPlayout().catch(() => {});
    await session.close();

    expect(historyLines(session.history)).toEqual(['user:Tell me a long story.', 'assistant:Once upon a time, [interrupted]']);
    const m = metrics.find((x) => x.type === 'llm_metrics');
    expect(m).toMatchObject({ type: 'llm_metrics', step: 1, cancelled: true, completionChars: 'Once upon a time,'.length });
    expect(m!.type === 'llm_metrics' && m!.ttftMs).toBeGreaterThanOrEqual(0);
  });

  it('session.interrupt() closes it too, and a request the signal aborted before it started is never sent', async () => {
    server.chatScripts = [{ text: ['Hmm, '], hold: true }];
    const llm = fromLiveKitLLM(new openai.LLM({ baseURL: server.baseURL, apiKey: 'test', model: 'gpt-4o-mini' }));
    const session = new AgentSession({ llm });
    await session.start();
    session.generateReply({ userInput: 'Think about it.' });
    const req = await server.nextRequest('/v1/chat/completions', 0);
    await session.interrupt({ force: true });
    expect((await server.closedOf(req)).completed).toBe(false);
    await session.close();

    const aborted = new AbortController();
    aborted.abort();
    const chunks: unknown[] = [];
    for await (const c of llm.chat({ history: [{ type: 'message', id: 'u', role: 'user', content: 'x' }], tools: [], signal: aborted.signal })) chunks.push(c);
    expect(chunks).toEqual([]);
    expect(server.requests.length).toBe(1);
  });
});
