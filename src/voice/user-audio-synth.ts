import { spawn } from 'node:child_process';
import { ESPEAK_VOICE, speakableText } from '../adapters/espeak-tts.js';
import { InvalidArgumentError } from '../errors.js';
import { decodeWav } from '../adapters/wav.js';

/** Mono 16-bit PCM. */
export interface Pcm {
  samples: Int16Array;
  sampleRate: number;
}

/** The voice user turns are spoken in by default: not the agent's ('en-us'). */
export const DEFAULT_USER_VOICE = 'en-us+f3';

/**
 * Speaks `text` with espeak-ng (mono, 22050 Hz), for a simulated user.
 * @example const { samples, sampleRate } = await synthesizeUserSpeech('Actually, never mind', { voice: 'en-us+f3' });
 */
export async function synthesizeUserSpeech(text: string, o: { voice?: string; speed?: number; binary?: string } = {}): Promise<Pcm> {
  const args = userSpeechArgs(text, o);
  const wav = await new Promise<Buffer>((resolve, reject) => {
    const child = spawn(o.binary ?? 'espeak-ng', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`espeak-ng exited with ${code}: ${err.trim()}`))));
  });
  const d = decodeWav(wav);
  if (d.channels !== 1) throw new Error(`espeak-ng wrote ${d.channels} channels, expected 1`);
  return { samples: d.samples, sampleRate: d.sampleRate };
}

/**
 * espeak-ng's arguments for a user turn: the voice checked, `--` before the text so text starting
 * with `-` is spoken rather than read as an option (`-f/etc/hostname` would read a file into the
 * recording), control characters removed.
 * @example userSpeechArgs('-f/etc/hostname') // [..., '--', '-f/etc/hostname']
 */
export function userSpeechArgs(text: string, o: { voice?: string; speed?: number } = {}): string[] {
  if (typeof text !== 'string' || text.trim() === '') throw new InvalidArgumentError('synthesizeUserSpeech: text must be a non-empty string');
  const voice = o.voice ?? DEFAULT_USER_VOICE;
  if (typeof voice !== 'string' || !ESPEAK_VOICE.test(voice)) throw new InvalidArgumentError(`synthesizeUserSpeech: invalid voice name ${JSON.stringify(voice)}`);
  const speed = o.speed ?? 165;
  if (!Number.isFinite(speed) || speed <= 0) throw new InvalidArgumentError(`synthesizeUserSpeech: speed must be a positive number, got ${String(speed)}`);
  return ['--stdout', '-v', voice, '-s', String(Math.round(speed)), '--', speakableText(text)];
}

/** A small deterministic generator (no Math.random: recordings must be reproducible). */
function noiseSource(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s / 0x100000000) * 2 - 1;
  };
}

/**
 * A cough-like burst: a breathy, falling-pitch vocal sound with a fast attack and a decay. A voice
 * activity detector hears it as (wordless) speech, which plain white noise is not: the kind of sound
 * that makes a false interruption.
 * @example const cough = coughNoise(800, 22050);
 */
export function coughNoise(durationMs: number, sampleRate: number, o: { seed?: number; peak?: number } = {}): Int16Array {
  if (!(durationMs > 0) || !Number.isInteger(sampleRate) || sampleRate <= 0) throw new InvalidArgumentError('coughNoise: durationMs and sampleRate must be positive');
  const n = Math.round((sampleRate * durationMs) / 1000);
  const out = new Float64Array(n);
  const rnd = noiseSource(o.seed ?? 7);
  // Resonators at the formants of an open vowel (F1..F3), fed by a glottal pulse train plus breath.
  const formants = [[700, 130], [1220, 90], [2600, 160]] as const;
  const state = formants.map(() => [0, 0]);
  const T = durationMs / 1000;
  let phase = 0;
  let peak = 1e-9;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const f0 = 135 * (1 - 0.25 * (t / T));
    phase += f0 / sampleRate;
    if (phase >= 1) phase -= 1;
    const src = 0.85 * 8 * ((phase < 0.05 ? 1 : 0) - 0.05) + 0.15 * rnd();
    let y = 0;
    formants.forEach(([fc, bw], k) => {
      const r = Math.exp((-Math.PI * bw) / sampleRate);
      const s = state[k]!;
      const v = src * (1 - r) + 2 * r * Math.cos((2 * Math.PI * fc) / sampleRate) * s[0]! - r * r * s[1]!;
      s[1] = s[0]!;
      s[0] = v;
      y += v;
    });
    const env = Math.min(1, t / 0.015) * Math.exp((-1.2 * t) / T) * Math.min(1, (T - t) / (0.12 * T));
    out[i] = y * env;
    peak = Math.max(peak, Math.abs(out[i]!));
  }
  const gain = (o.peak ?? 20000) / peak;
  return Int16Array.from(out, (v) => Math.round(v * gain));
}

/**
 * White noise (a click, a rustle): a VAD should not take it for speech.
 * @example const burst = whiteNoise(300, 16000, 8000);
 */
export function whiteNoise(durationMs: number, sampleRate: number, amplitude = 8000, seed = 3): Int16Array {
  const rnd = noiseSource(seed);
  return Int16Array.from({ length: Math.round((sampleRate * durationMs) / 1000) }, () => Math.round(rnd() * amplitude));
}

/**
 * Mixes clips into one silent track at their start times (ms), clipping at 16 bits.
 * @example const track = mixTrack([{ atMs: 1500, samples: speech }], 22050, 6000);
 */
export function mixTrack(clips: readonly { atMs: number; samples: Int16Array }[], sampleRate: number, minDurationMs = 0): Int16Array {
  let n = Math.round((sampleRate * minDurationMs) / 1000);
  for (const c of clips) n = Math.max(n, Math.round((sampleRate * c.atMs) / 1000) + c.samples.length);
  const acc = new Float64Array(n);
  for (const c of clips) {
    const at = Math.round((sampleRate * c.atMs) / 1000);
    for (let i = 0; i < c.samples.length; i++) acc[at + i]! += c.samples[i]!;
  }
  return Int16Array.from(acc, (v) => Math.max(-32768, Math.min(32767, Math.round(v))));
}

/**
 * Resamples by linear interpolation (for mixing clips of different rates into one track; the input
 * path itself uses rtc-node's resampler).
 * @example const at22k = resampleLinear(samples16k, 16000, 22050);
 */
export function resampleLinear(samples: Int16Array, from: number, to: number): Int16Array {
  if (from === to) return samples;
  const n = Math.round((samples.length * to) / from);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const x = (i * from) / to;
    const k = Math.floor(x);
    const a = samples[k] ?? 0;
    const b = samples[k + 1] ?? a;
    out[i] = Math.round(a + (b - a) * (x - k));
  }
  return out;
}
