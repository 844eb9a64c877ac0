/**
 * speechcharts on LiveKit Agents plugins: a LiveKit LLM, TTS, STT or VAD (`@livekit/agents` 1.9 and
 * its provider plugins, optional peer dependencies) as speechcharts' own ports. Only this entry
 * point imports `@livekit/agents`.
 *
 * Importing it sets up LiveKit's process-wide logger (level warn) unless the app already did:
 * plugins such as `deepgram.STT` read it in their constructor, and only LiveKit's worker sets it up.
 */
import { ensureLiveKitLogger } from './livekit-logger.js';

ensureLiveKitLogger();

export { fromLiveKitLLM, toChatContext, type FromLiveKitLLMOptions } from './from-livekit-llm.js';
export { LiveKitPluginError } from '../errors.js';
export { fromLiveKitTTS, type FromLiveKitTTSOptions } from './from-livekit-tts.js';
export { fromLiveKitSTT, type FromLiveKitSTTOptions } from './from-livekit-stt.js';
export { fromLiveKitVAD } from './from-livekit-vad.js';
