import * as openai from '@livekit/agents-plugin-openai';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { disposeRtc } from '../src/adapters/rtc-audio-output.js';
import { AgentSession, type AgentMetrics } from '../src/index.js';
import { fromLiveKitLLM, fromLiveKitTTS } from '../src/livekit/index.js';
import { realClock } from '../src/ports/clock.js';
import { VirtualAudioOutput } from '../src/testing/index.js';
import { OpenAIStandIn } from './support/openai-stand-in.js';

// A whole voice reply on the real OpenAI plugins (LLM and TTS) against the stand-in: the session's
// LLM and TTS metrics are filled from what the plugins delivered.
let server: OpenAIStandIn;
beforeEach(async () => {
  server = await new OpenAIStandIn().start();
});
afterEach(() => server.stop());
afterAll(() => disposeRtc());

describe('speechcharts/livekit in a voice session', () => {
  it('a reply plays whole, with LLM ttft/duration and TTS ttfb/audio duration filled', async () => {
    server.chatScripts = [{ text: ['Hello there, ', 'nice to meet you.'] }];
    const llm = fromLiveKitLLM(new openai.LLM({ baseURL: server.baseURL, apiKey: 'test', model: 'gpt-4o-mini' }));
    const tts = fromLiveKitTTS(new openai.TTS({ baseURL: server.baseURL, apiKey: 'test' }));
    const session = new AgentSession({ llm, tts, audioOutput: new VirtualAudioOutput(realClock) });
    const metrics: AgentMetrics[] = [];
    session.on('metrics_collected', ({ metrics: m }) => metrics.push(m));
    const errors: unknown[] = [];
    session.on('error', (e) => errors.push(e.error));
    await session.start();
    await session.generateReply({ userInput: 'Hi!' }).waitForPlayout();
    await session.close();
    expect(errors).toEqual([]);

    const inputs = server.requests.filter((r) => r.path === '/v1/audio/speech').map((r) => String(r.body.input));
    expect(inputs.join(' ')).toBe('Hello there, nice to meet you.');
    // What the plugin delivered: 10 ms a character, in whole 100 ms frames per request.
    const audioMs = inputs.reduce((ms, t) => ms + Math.floor((t.length * 10) / 100) * 100, 0);
    const llmM = metrics.find((m) => m.type === 'llm_metrics');
    const ttsM = metrics.find((m) => m.type === 'tts_metrics');
    expect(llmM).toMatchObject({ step: 1, completionChars: 'Hello there, nice to meet you.'.length, toolCalls: 0, cancelled: false });
    expect(ttsM).toMatchObject({ step: 1, audioDurationMs: audioMs, cancelled: false });
    if (llmM?.type !== 'llm_metrics' || ttsM?.type !== 'tts_metrics') throw new Error('metrics missing');
    expect(llmM.ttftMs).toBeGreaterThanOrEqual(0);
    expect(llmM.durationMs).toBeGreaterThanOrEqual(llmM.ttftMs);
    expect(ttsM.ttfbMs).toBeGreaterThanOrEqual(0);
    const reply = session.history.at(-1)!;
    expect(reply.type === 'message' && reply.metrics).toMatchObject({ ttsAudioDurationMs: audioMs });
  });
});
