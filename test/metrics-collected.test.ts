import { describe, expect, it } from 'vitest';
import type { AgentMetrics } from '../src/index.js';
import { SESSION_EVENTS } from '../src/session-events.js';
import { makeSession } from './support/session-fixture.js';
import { scriptedVoice } from './support/voice-fixture.js';

// FakeTTS makes 50 ms of audio a character and hands its first frame at once; figures are on the virtual clock.
describe('metrics_collected', () => {
  it('is a session event', () => expect(SESSION_EVENTS).toContain('metrics_collected'));

  it('LLM ttft and duration, TTS ttfb and audio duration, on a scripted LLM (virtual time)', async () => {
    const { clock, session } = makeSession({ replies: [{ when: { userInput: 'hi' }, ttftMs: 300, chunkDelayMs: 100, reply: ['Hello ', 'there.'] }] });
    const metrics: AgentMetrics[] = [];
    session.on('metrics_collected', ({ metrics: m }) => metrics.push(m));
    await session.start();
    const h = session.generateReply({ userInput: 'hi' });
    await clock.runUntil(h.waitForPlayout());
    const llm = metrics.find((m) => m.type === 'llm_metrics');
    const tts = metrics.find((m) => m.type === 'tts_metrics');
    expect(llm).toEqual({ type: 'llm_metrics', speechId: h.id, step: 1, timestamp: 0, ttftMs: 300, durationMs: 400, completionChars: 12, toolCalls: 0, cancelled: false });
    expect(tts).toMatchObject({ type: 'tts_metrics', speechId: h.id, step: 1, timestamp: 300, ttfbMs: 0, audioDurationMs: 600, charactersCount: 12, cancelled: false });
    expect(metrics.some((m) => m.type === 'eou_metrics')).toBe(false); // not a voice turn
  });

  it('end of utterance for a voice turn: end of utterance delay, transcription delay, end to end (user stopped → first frame)', async () => {
    const { clock, session } = makeSession({ replies: [{ when: { userInput: 'What time is it?' }, ttftMs: 200, reply: 'Noon.' }] });
    const metrics: AgentMetrics[] = [];
    session.on('metrics_collected', ({ metrics: m }) => metrics.push(m));
    await session.start();
    const { v } = scriptedVoice(session, clock, {
      speeches: [{ startMs: 200, endMs: 1400 }],
      transcripts: [{ final: { text: 'What time is it?', afterEndMs: 150 } }],
    });
    await clock.runAll();
    const eou = metrics.find((m) => m.type === 'eou_metrics');
    // Stopped at 1.4 s, final at 1.55 s (committed then), LLM's first token 200 ms later, first frame at once.
    expect(eou).toEqual({ type: 'eou_metrics', speechId: 'speech_1', timestamp: 1550, endOfUtteranceDelayMs: 150, transcriptionDelayMs: 150, endToEndDelayMs: 350 });
    v.close();
  });
  it('end of utterance with the default endpointing: the commit waits the minimum delay after the user stopped', async () => {
    const { clock, session } = makeSession({ replies: [{ when: { userInput: 'What time is it?' }, ttftMs: 200, reply: 'Noon.' }] });
    const metrics: AgentMetrics[] = [];
    session.on('metrics_collected', ({ metrics: m }) => metrics.push(m));
    await session.start();
    const { v } = scriptedVoice(session, clock, {
      speeches: [{ startMs: 200, endMs: 1400 }],
      transcripts: [{ final: { text: 'What time is it?', afterEndMs: 150 } }],
      turn: { userAwayTimeout: null }, // minEndpointingDelay 500 ms
    });
    await clock.runAll();
    // Stopped at 1.4 s, final at 1.55 s, committed 500 ms after the stop (1.9 s). Preemptive generation
    // (default on) started the LLM at the final: its first token (1.75 s) is there at the commit, so
    // the first frame comes at once (without it: 200 ms later, end to end 700 ms).
    expect(metrics.find((m) => m.type === 'eou_metrics')).toEqual({ type: 'eou_metrics', speechId: 'speech_1', timestamp: 1900, endOfUtteranceDelayMs: 500, transcriptionDelayMs: 150, endToEndDelayMs: 500 });
    v.close();
  });
});
