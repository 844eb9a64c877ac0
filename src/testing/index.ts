/** Fakes for testing agents built on speechcharts: virtual time, a scripted LLM, a fake TTS, a virtual audio device. */
export { VirtualClock, VirtualClockStallError } from './virtual-clock.js';
export { VirtualAudioOutput, type VirtualSegment } from './virtual-audio-output.js';
export { FakeTTS, type FakeTTSOptions } from './fake-tts.js';
export { ScriptedLLM, NoScriptedReplyError, type ScriptedReply, type ReplyMatch } from './scripted-llm.js';
