/**
 * Embedding AgentSession in your own agent: bring your LLM (any async stream of text and tool
 * calls), a TTS and an audio output. Here: a toy LLM, espeak-ng (or the built-in voice), and
 * rtc-node's AudioSource played in real time (publish `audioOutput.source` in a LiveKit room to be heard).
 *
 *   npx tsx examples/embed-session.ts
 *
 * In your project, import from 'speechcharts' instead of '../src/index.js'.
 */
import { AgentSession, SpeechInterruptedError, tool, type LLM } from '../src/index.js';
import { createDefaultTTS } from '../src/adapters/default-tts.js';
import { RtcAudioOutput, disposeRtc } from '../src/adapters/rtc-audio-output.js';

// Your LLM: anything that streams { type: 'text' } and { type: 'toolCall' } chunks.
const llm: LLM = {
  async *chat({ history }) {
    const last = history[history.length - 1];
    if (last?.type === 'function_call_output') {
      yield { type: 'text', text: `It is ${last.output}.` };
    } else if (last?.type === 'message' && last.content.includes('time')) {
      yield { type: 'text', text: 'Let me look at the clock. ' };
      yield { type: 'toolCall', callId: `call_${history.length}`, name: 'get_time', arguments: '{}' };
    } else {
      yield { type: 'text', text: 'Once upon a time, there was a voice agent that never waited five seconds for anything.' };
    }
  },
};

const getTime = tool({
  description: 'The current time.',
  async execute(_args, { ctx }) {
    await ctx.waitForPlayout(); // the preamble has been heard; rejects SpeechInterruptedError at once on interrupt
    return new Date().toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' });
  },
});

const tts = createDefaultTTS(); // espeak-ng, or the synthetic voice (it says so)
const audioOutput = new RtcAudioOutput({ sampleRate: tts.sampleRate });
const session = new AgentSession({ llm, tts, audioOutput, tools: { get_time: getTime } });
session.on('agent_state_changed', ({ newState }) => console.log(`agent: ${newState}`));
session.on('conversation_item_added', ({ item }) => item.type === 'message' && console.log(`${item.role}: ${item.content}${item.interrupted ? ' [interrupted]' : ''}`));
await session.start();

// A turn with a tool that waits for its preamble.
await session.generateReply({ userInput: 'What time is it?' }).waitForPlayout();

// A turn interrupted through the API after one second.
const story = session.generateReply({ userInput: 'Tell me a story' });
story.waitForPlayout().catch((e: unknown) => console.log(e instanceof SpeechInterruptedError ? 'story: interrupted' : e));
await new Promise((r) => setTimeout(r, 1000));
const t0 = performance.now();
await session.interrupt({ force: true }); // resolves once the audio has stopped
console.log(`interrupt → audio stopped in ${(performance.now() - t0).toFixed(2)} ms`);

await session.close();
await audioOutput.close();
await disposeRtc(); // rtc-node keeps the process alive until its native runtime is released
