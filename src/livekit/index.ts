/**
 * speechcharts on LiveKit Agents plugins: a LiveKit LLM, TTS, STT or VAD (`@livekit/agents` 1.9 and
 * its provider plugins, optional peer dependencies) as speechcharts' own ports. Only this entry
 * point imports `@livekit/agents`.
 */
export { fromLiveKitLLM, toChatContext, type FromLiveKitLLMOptions } from './from-livekit-llm.js';
export { LiveKitPluginError } from '../errors.js';
export { fromLiveKitTTS, type FromLiveKitTTSOptions } from './from-livekit-tts.js';
