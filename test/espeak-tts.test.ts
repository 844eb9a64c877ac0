import { once } from 'node:events';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { AudioFrame } from '../src/ports/audio-frame.js';
import { EspeakError, EspeakNotFoundError, EspeakTTS, espeakAvailable } from '../src/adapters/espeak-tts.js';
import { disposeRtc } from '../src/adapters/rtc-audio-output.js';

async function* textOf(...parts: string[]): AsyncGenerator<string> {
  for (const p of parts) yield p;
}

async function collect(tts: EspeakTTS, text: AsyncIterable<string>, signal = new AbortController().signal): Promise<AudioFrame[]> {
  const frames: AudioFrame[] = [];
  for await (const f of tts.synthesize(text, { signal })) frames.push(f);
  return frames;
}

const seconds = (frames: AudioFrame[]) => frames.reduce((s, f) => s + f.samplesPerChannel / f.sampleRate, 0);
const peak = (frames: AudioFrame[]) => frames.reduce((m, f) => f.data.reduce((a, v) => Math.max(a, Math.abs(v)), m), 0);

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}

afterAll(() => disposeRtc());

describe.skipIf(!espeakAvailable())('EspeakTTS (real espeak-ng)', () => {
  it('yields 20 ms mono frames at the requested rate, with a duration plausible for the text', async () => {
    const frames = await collect(new EspeakTTS(), textOf('Hello world. ', 'This is a short test.'));
    expect(frames.length).toBeGreaterThan(0);
    for (const f of frames) expect(f).toMatchObject({ sampleRate: 24000, channels: 1, samplesPerChannel: 480 });
    for (const f of frames) expect(f.data.length).toBe(480);
    // 33 characters at espeak's default 175 wpm: roughly 2 s of speech.
    expect(seconds(frames)).toBeGreaterThan(1);
    expect(seconds(frames)).toBeLessThan(5);
    expect(peak(frames)).toBeGreaterThan(1000);
  });

  it('resamples 22050 Hz to other rates with the same duration', async () => {
    const text = 'The quick brown fox jumps over the lazy dog.';
    const native = await collect(new EspeakTTS({ sampleRate: 22050 }), textOf(text));
    const at16k = await collect(new EspeakTTS({ sampleRate: 16000, frameMs: 10 }), textOf(text));
    const at48k = await collect(new EspeakTTS({ sampleRate: 48000 }), textOf(text));
    expect(native[0]).toMatchObject({ sampleRate: 22050, samplesPerChannel: 441 });
    expect(at16k[0]).toMatchObject({ sampleRate: 16000, samplesPerChannel: 160 });
    expect(at48k[0]).toMatchObject({ sampleRate: 48000, samplesPerChannel: 960 });
    expect(Math.abs(seconds(at16k) - seconds(native))).toBeLessThan(0.03);
    expect(Math.abs(seconds(at48k) - seconds(native))).toBeLessThan(0.03);
    expect(peak(at48k)).toBeGreaterThan(1000);
  });

  it('speaks each sentence as soon as it is complete, before the rest of the text arrives', async () => {
    let firstFrame!: () => void;
    const gotFirstFrame = new Promise<void>((r) => (firstFrame = r));
    let restRequested = false;
    async function* text() {
      yield 'Hello there. ';
      // Only continue once audio for the first sentence came out: buffering all text would deadlock.
      await gotFirstFrame;
      restRequested = true;
      yield 'And goodbye.';
    }
    const tts = new EspeakTTS();
    let sawFrameBeforeRest = false;
    let frames = 0;
    for await (const _ of tts.synthesize(text(), { signal: new AbortController().signal })) {
      if (frames++ === 0) {
        sawFrameBeforeRest = !restRequested;
        firstFrame();
      }
    }
    expect(sawFrameBeforeRest).toBe(true);
    expect(frames).toBeGreaterThan(50);
  });

  it('pads only the very last frame: total samples are a whole number of frames', async () => {
    const frames = await collect(new EspeakTTS({ sampleRate: 22050 }), textOf('One. Two. Three.'));
    const last = frames.at(-1)!;
    expect(last.samplesPerChannel).toBe(441);
    for (const f of frames) expect(f.samplesPerChannel).toBe(441);
  });

  it('ends the stream on abort and leaves no espeak process running', async () => {
    const children: ChildProcess[] = [];
    const tts = new EspeakTTS({ onSpawn: (c) => children.push(c) });
    const ac = new AbortController();
    const long = 'This sentence is rather long so that there is plenty of audio left to produce when the abort arrives. '.repeat(3);
    let n = 0;
    for await (const _ of tts.synthesize(textOf(long, 'More text that must never be spoken.'), { signal: ac.signal })) {
      if (++n === 3) ac.abort();
    }
    expect(n).toBe(3);
    expect(children.length).toBe(1);
    await exited(children[0]!);
  });

  it('kills a still-running espeak process at once on abort', async () => {
    // An espeak-ng stand-in that writes 10 frames' worth of audio and then hangs, like a stuck synthesis.
    const dir = mkdtempSync(join(tmpdir(), 'speechcharts-espeak-'));
    const stuck = join(dir, 'stuck-espeak');
    writeFileSync(stuck, '#!/bin/sh\nespeak-ng "$@" | head -c 9700\nexec sleep 30\n');
    chmodSync(stuck, 0o755);
    const children: ChildProcess[] = [];
    const tts = new EspeakTTS({ binary: stuck, sampleRate: 22050, onSpawn: (c) => children.push(c) });
    const ac = new AbortController();
    const it = tts.synthesize(textOf('Hello there, this is long enough.'), { signal: ac.signal })[Symbol.asyncIterator]();
    for (let i = 0; i < 10; i++) expect((await it.next()).done).toBe(false);
    const t0 = performance.now();
    // The 11th frame is never coming: the generator is waiting on the process when the abort lands.
    const next = it.next();
    ac.abort();
    expect((await next).done).toBe(true);
    await exited(children[0]!);
    expect(children[0]!.signalCode).toBe('SIGKILL');
    // Sanity bound only: the stand-in would otherwise live for 30 s.
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('throws EspeakError with espeak-ng’s message when it exits with an error', async () => {
    const err = await collect(new EspeakTTS({ voice: 'nosuchvoice' }), textOf('Hello.')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EspeakError);
    expect((err as EspeakError).exitCode).not.toBe(0);
    expect((err as Error).message).toMatch(/voice/i);
  });
});

describe('EspeakTTS without espeak-ng', () => {
  it('throws EspeakNotFoundError naming the binary', async () => {
    const err = await collect(new EspeakTTS({ binary: '/nonexistent/espeak-ng' }), textOf('Hello.')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EspeakNotFoundError);
    expect((err as Error).message).toContain('/nonexistent/espeak-ng');
  });

  it('espeakAvailable is false for a missing binary', () => {
    expect(espeakAvailable('/nonexistent/espeak-ng')).toBe(false);
  });
});
