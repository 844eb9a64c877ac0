/**
 * The simulated user of the density bench: one sentence of real speech (espeak-ng, synthesized once
 * per process), then silence, looped. Each session plays it into its own rtc-node microphone
 * (bench/density/mic.ts) at a phase of its own, so the sessions' turns do not all fall together.
 */
import { resampleLinear, synthesizeUserSpeech, DEFAULT_USER_VOICE } from '../../src/voice/user-audio-synth.js';

/** The rate of a WebRTC microphone track: what an rtc-node `AudioStream` of a participant delivers by default. */
export const MIC_RATE = 48000;
/** What the user says each cycle (about 2 s at espeak-ng's 165 words a minute). */
export const USER_SENTENCE = 'Could you check my order status please';

export interface UserSpeechLoop {
  /** Mono PCM at {@link MIC_RATE}: the speech, then silence. */
  samples: Int16Array;
  /** Length of the speech at the start of the loop (ms), leading and trailing silence of espeak-ng trimmed. */
  speechMs: number;
  /** One whole cycle (ms). */
  cycleMs: number;
  /** How the speech was made, for the report. */
  voice: string;
}

/**
 * Synthesizes {@link USER_SENTENCE} with espeak-ng and builds one cycle: the speech then `silenceMs`
 * of silence, at 48 kHz.
 * @example const loop = await prepareUserSpeechLoop({ silenceMs: 3000 }); // loop.cycleMs ≈ 5000
 */
export async function prepareUserSpeechLoop(o: { silenceMs: number }): Promise<UserSpeechLoop> {
  if (!(o.silenceMs >= 1000)) throw new RangeError(`prepareUserSpeechLoop: silenceMs must be at least 1000 (the VAD needs 550 ms to end a speech), got ${o.silenceMs}`);
  const pcm = await synthesizeUserSpeech(USER_SENTENCE, { voice: DEFAULT_USER_VOICE });
  const at48k = resampleLinear(pcm.samples, pcm.sampleRate, MIC_RATE);
  const speech = trimSilence(at48k, 200);
  const silence = Math.round((MIC_RATE * o.silenceMs) / 1000);
  const samples = new Int16Array(speech.length + silence);
  samples.set(speech, 0);
  return { samples, speechMs: (speech.length * 1000) / MIC_RATE, cycleMs: (samples.length * 1000) / MIC_RATE, voice: `espeak-ng ${DEFAULT_USER_VOICE}` };
}

const framed = new WeakMap<UserSpeechLoop, Map<number, Int16Array[]>>();

/**
 * The loop cut into frames once per process, each its own compact array: rtc-node reads a frame
 * from the start of its `data.buffer`, ignoring a view's offset.
 * @example const frames = framesOf(loop, 20); // 20 ms each
 */
export function framesOf(loop: UserSpeechLoop, frameMs: number): Int16Array[] {
  let byMs = framed.get(loop);
  if (!byMs) framed.set(loop, (byMs = new Map()));
  let frames = byMs.get(frameMs);
  if (!frames) {
    const per = (MIC_RATE * frameMs) / 1000;
    frames = [];
    for (let at = 0; at + per <= loop.samples.length; at += per) frames.push(loop.samples.slice(at, at + per));
    byMs.set(frameMs, frames);
  }
  return frames;
}

/** Drops leading and trailing samples under `threshold` (espeak-ng pads its output with silence). */
function trimSilence(s: Int16Array, threshold: number): Int16Array {
  let a = 0;
  let b = s.length;
  while (a < b && Math.abs(s[a]!) < threshold) a++;
  while (b > a && Math.abs(s[b - 1]!) < threshold) b--;
  return s.slice(a, b);
}
