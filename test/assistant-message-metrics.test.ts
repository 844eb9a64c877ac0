import { describe, expect, it } from 'vitest';
import { makeSession } from './support/session-fixture.js';
import { scriptedVoice } from './support/voice-fixture.js';

describe('each assistant message carries the figures of the step that said it', () => {
  it('LLM ttft and duration, TTS ttfb and audio duration; a voice turn adds its end-of-utterance figures', async () => {
    const { clock, session } = makeSession({ replies: [{ when: { userInput: 'What time is it?' }, ttftMs: 200, chunkDelayMs: 100, reply: ['It is ', 'noon.'] }] });
    await session.start();
    const { v } = scriptedVoice(session, clock, {
      speeches: [{ startMs: 200, endMs: 1400 }],
      transcripts: [{ final: { text: 'What time is it?', afterEndMs: 150 } }],
    });
    await clock.runAll();
    const messages = session.history.filter((i) => i.type === 'message');
    expect(messages.map((m) => [m.role, m.metrics])).toEqual([
      ['user', undefined],
      ['assistant', { llmTtftMs: 200, llmDurationMs: 300, ttsTtfbMs: 0, ttsAudioDurationMs: 550, endOfUtteranceDelayMs: 150, transcriptionDelayMs: 150, endToEndDelayMs: 350 }],
    ]);
    v.close();
  });

  it('an API reply (no voice turn) and a say(): LLM figures only for the LLM', async () => {
    const { clock, session } = makeSession({ replies: [{ when: { userInput: 'hi' }, ttftMs: 300, reply: 'Hello.' }] });
    await session.start();
    await clock.runUntil(session.say('Welcome.').waitForPlayout());
    await clock.runUntil(session.generateReply({ userInput: 'hi' }).waitForPlayout());
    const assistant = session.history.filter((i) => i.type === 'message' && i.role === 'assistant');
    expect(assistant.map((m) => m.type === 'message' && m.metrics)).toEqual([
      { ttsTtfbMs: 0, ttsAudioDurationMs: 400 },
      { llmTtftMs: 300, llmDurationMs: 300, ttsTtfbMs: 0, ttsAudioDurationMs: 300 },
    ]);
  });
});
