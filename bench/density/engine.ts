/**
 * What the density bench asks of each engine (bench/density/speechcharts-engine.ts,
 * bench/density/agents-js-engine.ts), and the work both do: the same fixed reply after the same
 * fixed LLM delay, the same audio per character (bench/lib/scenario.ts: 50 ms a character, 24 kHz).
 */
import type { AudioFrame } from '@livekit/rtc-node';
import type { RtcAudioOutput } from '../../src/adapters/rtc-audio-output.js';
import { USER_SENTENCE } from './user-speech-loop.js';

/** What the user says, as the speechcharts side's fake STT reports it: the sentence the loop speaks. */
export const USER_TRANSCRIPT = USER_SENTENCE;
/** The agent's answer to every turn: 24 characters, 1.2 s of audio. */
export const REPLY = 'Sure, I can check that.';
/** The fake LLM's time to first token (ms): the whole reply then comes at once, in 3-character chunks. */
export const LLM_DELAY_MS = 300;

export interface EngineSessionOptions {
  /** The user's microphone track, as read from rtc-node (48 kHz mono, 10 ms frames). */
  mic: ReadableStream<AudioFrame>;
  /** The agent's voice: speechcharts' RtcAudioOutput over an rtc-node AudioSource, for both engines. */
  output: RtcAudioOutput;
  /** Frame length of the TTS audio (ms). */
  frameMs: number;
  onError: (where: string, e: unknown) => void;
}

export interface EngineSession {
  close(): Promise<void>;
}

export interface Engine {
  readonly name: 'speechcharts' | 'agents-js' | 'rtc-audio-only';
  readonly version: string;
  /** What runs per user stream: the VAD, its runtime, turn detection. */
  readonly describe: string;
  /** Once per process, before any session (loads the VAD model: agents-js's prewarm). */
  prepare(): Promise<void>;
  startSession(o: EngineSessionOptions): Promise<EngineSession>;
}
