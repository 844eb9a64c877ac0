import { describe, expect, it } from 'vitest';
import { decodeWav, encodeWav, parseWavHeader, WavFormatError } from '../src/adapters/wav.js';

function chunk(id: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'ascii');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body, body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

describe('wav', () => {
  it('round-trips mono samples', () => {
    const samples = Int16Array.from({ length: 1000 }, (_, i) => ((i * 97) % 65536) - 32768);
    const wav = encodeWav(samples, 24000, 1);
    expect(wav.length).toBe(44 + 2000);
    const back = decodeWav(wav);
    expect(back.sampleRate).toBe(24000);
    expect(back.channels).toBe(1);
    expect(Array.from(back.samples)).toEqual(Array.from(samples));
  });

  it('round-trips stereo samples', () => {
    const samples = Int16Array.from([1, -1, 32767, -32768, 0, 5]);
    const back = decodeWav(encodeWav(samples, 48000, 2));
    expect(back).toMatchObject({ sampleRate: 48000, channels: 2 });
    expect(Array.from(back.samples)).toEqual([1, -1, 32767, -32768, 0, 5]);
  });

  it('walks chunks: skips unknown (odd-sized, padded) chunks before data and ignores trailing ones', () => {
    const fmt = Buffer.alloc(16);
    fmt.writeUInt16LE(1, 0);
    fmt.writeUInt16LE(1, 2);
    fmt.writeUInt32LE(16000, 4);
    fmt.writeUInt32LE(32000, 8);
    fmt.writeUInt16LE(2, 12);
    fmt.writeUInt16LE(16, 14);
    const pcm = Buffer.alloc(6);
    pcm.writeInt16LE(100, 0);
    pcm.writeInt16LE(-200, 2);
    pcm.writeInt16LE(300, 4);
    const body = Buffer.concat([Buffer.from('WAVE'), chunk('fmt ', fmt), chunk('LIST', Buffer.from('odd')), chunk('data', pcm), chunk('junk', Buffer.from('xyzw'))]);
    const riff = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), body]);
    riff.writeUInt32LE(body.length, 4);
    const back = decodeWav(riff);
    expect(back.sampleRate).toBe(16000);
    expect(Array.from(back.samples)).toEqual([100, -200, 300]);
  });

  it('parses a streaming header incrementally and treats a placeholder data size as an upper bound', () => {
    const wav = encodeWav(Int16Array.from([7, 8, 9]), 22050, 1);
    wav.writeUInt32LE(0x7ffff000, 40); // what espeak-ng --stdout writes
    wav.writeUInt32LE(0x7ffff024, 4);
    expect(parseWavHeader(wav.subarray(0, 30))).toBeUndefined();
    expect(parseWavHeader(wav.subarray(0, 43))).toBeUndefined();
    expect(parseWavHeader(wav.subarray(0, 44))).toMatchObject({ sampleRate: 22050, channels: 1, bitsPerSample: 16, dataOffset: 44 });
    expect(Array.from(decodeWav(wav).samples)).toEqual([7, 8, 9]);
  });

  it('rejects what is not 16-bit PCM WAV with WavFormatError', () => {
    expect(() => decodeWav(Buffer.from('not a wav file at all'))).toThrow(WavFormatError);
    const float = encodeWav(new Int16Array(2), 8000, 1);
    float.writeUInt16LE(3, 20);
    expect(() => decodeWav(float)).toThrow(/format 3/);
    expect(() => decodeWav(encodeWav(new Int16Array(2), 8000, 1).subarray(0, 20))).toThrow(WavFormatError);
  });
});
