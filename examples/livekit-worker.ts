/**
 * A speechcharts session as a LiveKit Agents worker: LiveKit dispatches a job per room, the job
 * connects, and `runInRoom` runs a speechcharts session there (the agent's voice published, the
 * user's microphone heard, chat answered) until the user leaves or the room closes.
 *
 *   LIVEKIT_URL=wss://… LIVEKIT_API_KEY=… LIVEKIT_API_SECRET=… npx tsx examples/livekit-worker.ts dev
 *   (`start` for production, best compiled: npm run build && node dist/examples/livekit-worker.js start)
 *
 * Models: OPENAI_API_KEY (LLM and TTS) and DEEPGRAM_API_KEY (STT) switch on the LiveKit plugins;
 * without them it runs on speechcharts' own stand-ins (see makeModels). The VAD is LiveKit's Silero plugin.
 *
 * In your project, import from 'speechcharts', 'speechcharts/adapters' and 'speechcharts/livekit' instead of '../src/…'.
 * See the README, "Deploy on LiveKit workers".
 */
import { fileURLToPath } from 'node:url';
import { AutoSubscribe, cli, defineAgent, ServerOptions, type JobContext, type JobProcess } from '@livekit/agents';
import * as deepgram from '@livekit/agents-plugin-deepgram';
import * as openai from '@livekit/agents-plugin-openai';
import * as silero from '@livekit/agents-plugin-silero';
import type { LLM, TTS } from '../src/index.js';
import { createDefaultTTS } from '../src/adapters/default-tts.js';
import { runInRoom, type RoomAgentEnd } from '../src/adapters/room-agent.js';
import type { RoomInputPolicyOptions } from '../src/adapters/room-input-policy.js';
import type { STT } from '../src/voice/stt.js';
import type { VAD } from '../src/voice/vad.js';
import { fromLiveKitLLM, fromLiveKitSTT, fromLiveKitTTS, fromLiveKitVAD } from '../src/livekit/index.js';

/** The models one session runs on. */
export interface WorkerModels {
  llm: LLM;
  tts: TTS;
  /** Without one, the user's voice still interrupts (VAD) but brings no words: answer chat only. */
  stt?: STT;
  vad: VAD;
}

/**
 * The models of one session, from the environment, through the LiveKit plugin bridge
 * ('speechcharts/livekit'): with OPENAI_API_KEY the OpenAI LLM (OPENAI_MODEL, default gpt-4o-mini)
 * and TTS (OPENAI_TTS_VOICE, default alloy); with DEEPGRAM_API_KEY Deepgram's streaming STT
 * (DEEPGRAM_MODEL, default the plugin's). Without a key, speechcharts' own stand-ins: a toy LLM that
 * answers "You said: …", espeak-ng (or the built-in voice), and no STT (voice then only interrupts:
 * answer by chat). The VAD is LiveKit's Silero plugin through `fromLiveKitVAD`, loaded by prewarm.
 */
export async function makeModels(proc: JobProcess, env: Record<string, string | undefined> = process.env): Promise<WorkerModels> {
  const sileroVAD = (proc.userData.vad as silero.VAD | undefined) ?? (await silero.VAD.load());
  // A process serves one job (agents-js' default executor): the prewarmed VAD is this session's alone.
  proc.userData.vad = undefined;
  const vad = fromLiveKitVAD(sileroVAD);
  const openaiKey = env.OPENAI_API_KEY?.trim();
  const deepgramKey = env.DEEPGRAM_API_KEY?.trim();
  return {
    llm: openaiKey ? fromLiveKitLLM(new openai.LLM({ apiKey: openaiKey, model: env.OPENAI_MODEL ?? 'gpt-4o-mini' })) : echoLLM,
    tts: openaiKey ? fromLiveKitTTS(new openai.TTS({ apiKey: openaiKey, ...(env.OPENAI_TTS_VOICE ? { voice: env.OPENAI_TTS_VOICE as openai.TTSVoices } : {}) })) : createDefaultTTS(),
    ...(deepgramKey ? { stt: fromLiveKitSTT(new deepgram.STT({ apiKey: deepgramKey, ...(env.DEEPGRAM_MODEL ? { model: env.DEEPGRAM_MODEL } : {}) })) } : {}),
    vad,
  };
}

/** A stand-in LLM that needs no key. */
const echoLLM: LLM = {
  async *chat({ history }) {
    const last = [...history].reverse().find((i) => i.type === 'message' && i.role === 'user');
    yield { type: 'text', text: last && last.type === 'message' ? `You said: ${last.content}` : 'Hello! Say something, or type in the chat.' };
  },
};

/** Who may talk to the agent by text: SPEECHCHARTS_ALLOW_IDENTITIES=alice,bob (default: everyone in the room). */
export function inputPolicyFromEnv(env: Record<string, string | undefined>): RoomInputPolicyOptions {
  const ids = env.SPEECHCHARTS_ALLOW_IDENTITIES?.split(',').map((s) => s.trim()).filter(Boolean);
  return ids?.length ? { allowedIdentities: ids } : {};
}

/**
 * The job: connect, run a speechcharts session in the room until the participant leaves or the
 * room goes, then end the job. Exported so it can be tested with a fake job context.
 */
export async function entry(ctx: JobContext): Promise<RoomAgentEnd> {
  await ctx.connect(undefined, AutoSubscribe.AUDIO_ONLY);
  const models = await makeModels(ctx.proc);
  const agent = await runInRoom(ctx.room, {
    llm: models.llm,
    tts: models.tts,
    instructions: 'You are a helpful voice assistant. Keep answers short.',
    voice: { vad: models.vad, ...(models.stt ? { stt: models.stt } : {}) },
    inputPolicy: inputPolicyFromEnv(process.env),
    // A job dispatched for one participant serves that one; otherwise the first who joins.
    ...(ctx.job.participant?.identity ? { participantIdentity: ctx.job.participant.identity } : {}),
  });
  // The worker shutting the job down (drain, SIGTERM) closes the session first.
  ctx.addShutdownCallback(async () => {
    await agent.close();
  });
  const end = await agent.closed;
  ctx.shutdown(`speechcharts session ended: ${end.reason}`);
  return end;
}

export default defineAgent({
  // Runs once per job process, before its job: the VAD model is loaded ahead of the user's first word.
  prewarm: async (proc: JobProcess) => {
    proc.userData.vad = await silero.VAD.load();
  },
  entry: async (ctx: JobContext) => {
    await entry(ctx);
  },
});

// Only when run as a program: the job processes import this file for its default export.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  cli.runApp(
    new ServerOptions({
      agent: fileURLToPath(import.meta.url),
      // Starting a job process (imports, tsx, loading the Silero model in prewarm) took over agents-js'
      // 10 s default on the loaded 2-core development machine; a process that misses it is killed.
      initializeProcessTimeout: 60_000,
    }),
  );
}
