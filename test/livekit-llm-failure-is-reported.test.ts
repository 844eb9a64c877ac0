import * as openai from '@livekit/agents-plugin-openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentSession, LiveKitPluginError, SpeechFailedError } from '../src/index.js';
import { fromLiveKitLLM } from '../src/livekit/index.js';
import { OpenAIStandIn } from './support/openai-stand-in.js';

// LiveKit streams do not throw: a failed request ends the stream and the plugin emits `error`.
// The bridge turns that into a failed speech rather than a quiet empty reply.
let server: OpenAIStandIn;
beforeEach(async () => {
  server = await new OpenAIStandIn().start();
});
afterEach(() => server.stop());

describe('fromLiveKitLLM: failures', () => {
  it('a provider error fails the speech with a LiveKitPluginError naming the plugin', async () => {
    server.chatScripts = [{ status: 400 }];
    const llm = fromLiveKitLLM(new openai.LLM({ baseURL: server.baseURL, apiKey: 'test', model: 'gpt-4o-mini' }), { connOptions: { maxRetry: 0, retryIntervalMs: 0, timeoutMs: 5000 } });
    const session = new AgentSession({ llm });
    const errors: { error: Error; source: string }[] = [];
    session.on('error', (e) => errors.push(e));
    await session.start();
    const h = session.generateReply({ userInput: 'hi' });
    const failure = await h.waitForPlayout().then(
      () => undefined,
      (e: unknown) => e,
    );
    await session.close();
    expect(failure).toBeInstanceOf(SpeechFailedError);
    expect(errors.map((e) => e.source)).toEqual(['llm']);
    expect(errors[0]!.error).toBeInstanceOf(LiveKitPluginError);
    expect((errors[0]!.error as LiveKitPluginError).plugin).toBe('openai.LLM');
  });
});
