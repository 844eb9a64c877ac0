import * as deepgram from '@livekit/agents-plugin-deepgram';
import * as openai from '@livekit/agents-plugin-openai';
import * as silero from '@livekit/agents-plugin-silero';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { disposeRtc } from '../src/adapters/rtc-audio-output.js';
import { AgentSession, realClock, type AudioFrame } from '../src/index.js';
import { fromLiveKitLLM, fromLiveKitSTT, fromLiveKitVAD } from '../src/livekit/index.js';
import { pcmFrames } from '../src/voice/user-audio-input.js';
import { mixTrack, resampleLinear, synthesizeUserSpeech } from '../src/voice/user-audio-synth.js';
import { attachVoiceInput } from '../src/voice/voice-input.js';
import { DeepgramStandIn } from './support/deepgram-stand-in.js';
import { OpenAIStandIn } from './support/openai-stand-in.js';

// The bridges together, on the wall clock: espeak-ng speech → the voice input with LiveKit's Silero
// VAD and the Deepgram plugin (stand-in server) → a committed user turn → the OpenAI plugin (stand-in)
// asked with the transcript. Nothing sleeps: the test awaits the servers' and the session's events.
let openaiServer: OpenAIStandIn;
let deepgramServer: DeepgramStandIn;
beforeEach(async () => {
  openaiServer = await new OpenAIStandIn().start();
  deepgramServer = await new DeepgramStandIn().start();
});
afterEach(async () => {
  await openaiServer.stop();
  await deepgramServer.stop();
});
afterAll(() => disposeRtc());

async function* frames(samples: Int16Array): AsyncIterable<AudioFrame> {
  yield* pcmFrames(samples, 16000, 1, 20);
}

describe('speechcharts/livekit: a voice turn', () => {
  it('VAD and STT plugins carry the user turn, the LLM plugin answers it', async () => {
    const said = 'Actually, never mind, do something else!';
    const speech = await synthesizeUserSpeech(said);
    const speech16k = resampleLinear(speech.samples, speech.sampleRate, 16000);
    const track = mixTrack([{ atMs: 400, samples: speech16k }], 16000, 400 + (speech16k.length / 16) + 1500);

    openaiServer.chatScripts = [{ text: ['Sure, something else then.'] }];
    const session = new AgentSession({ llm: fromLiveKitLLM(new openai.LLM({ baseURL: openaiServer.baseURL, apiKey: 'test', model: 'gpt-4o-mini' })) });
    const errors: unknown[] = [];
    session.on('error', (e) => errors.push(e.error));
    await session.start();
    const vadEvents: string[] = [];
    const transcribed: { transcript: string; isFinal: boolean; language: string }[] = [];
    session.on('user_input_transcribed', (e) => transcribed.push(e));
    const replied = new Promise<void>((resolve) => session.on('conversation_item_added', ({ item }) => item.type === 'message' && item.role === 'assistant' && resolve()));

    // Deepgram's side: when the VAD hears the speech start, the stand-in transcribes it.
    const voice = attachVoiceInput(session, {
      clock: realClock,
      source: frames(track),
      vad: fromLiveKitVAD(await silero.VAD.load()),
      stt: fromLiveKitSTT(new deepgram.STT({ apiKey: 'test', baseUrl: deepgramServer.baseUrl }), { onError: (e) => errors.push(e) }),
      onSpeech: (ev) => {
        vadEvents.push(ev.type);
        if (ev.type !== 'speechStart') return;
        void deepgramServer.nextConnection(0).then((c) => {
          c.speechStarted(0.4);
          c.results({ transcript: 'Actually, never', start: 0.4, duration: 0.6, isFinal: false, speechFinal: false, confidence: 0.8 });
          c.results({ transcript: said, start: 0.4, duration: 2, isFinal: true, speechFinal: true, confidence: 0.95 });
        });
      },
      onError: (e) => errors.push(e),
    });
    await replied;
    voice.close();
    await session.close();

    expect(errors).toEqual([]);
    expect(vadEvents).toEqual(['speechStart', 'speechEnd']);
    expect(transcribed).toEqual([
      { transcript: 'Actually, never', isFinal: false, language: 'en-US' },
      { transcript: said, isFinal: true, language: 'en-US' },
    ]);
    const request = openaiServer.requests.find((r) => r.path === '/v1/chat/completions')!;
    expect(request.body.messages).toEqual([{ role: 'user', content: said }]);
    expect(session.history.map((i) => (i.type === 'message' ? `${i.role}:${i.content}` : i.type))).toEqual([`user:${said}`, 'assistant:Sure, something else then.']);
  });
});
