import { SpeechchartsError } from '../errors.js';

/** Bytes that are not a 16-bit PCM RIFF/WAVE file this module can read. */
export class WavFormatError extends SpeechchartsError {}

/** What a WAV header says about the PCM that follows it. */
export interface WavHeader {
  /** 1 = PCM (WAVE_FORMAT_EXTENSIBLE is reported as 1 when its subformat is PCM). */
  audioFormat: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Byte offset of the first PCM byte (just past the 'data' chunk header). */
  dataOffset: number;
  /**
   * Declared size of the 'data' chunk in bytes. Streaming writers (espeak-ng --stdout) put a
   * placeholder here, so treat it as an upper bound, not as the amount that will arrive.
   */
  dataLength: number;
}

/** Decoded 16-bit PCM, channels interleaved. */
export interface DecodedWav {
  samples: Int16Array;
  sampleRate: number;
  channels: number;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

function tag(buf: Uint8Array, at: number): string {
  return String.fromCharCode(buf[at]!, buf[at + 1]!, buf[at + 2]!, buf[at + 3]!);
}

/**
 * Parses a RIFF/WAVE header by walking its chunks up to 'data'. Returns `undefined` while `buf`
 * is too short to hold the whole header, so it can be called again as more bytes arrive.
 * Throws {@link WavFormatError} when the bytes are not a 16-bit PCM WAV.
 * @example const h = parseWavHeader(firstBytes); if (h) pcm = firstBytes.subarray(h.dataOffset);
 */
export function parseWavHeader(buf: Uint8Array): WavHeader | undefined {
  if (buf.length < 12) return undefined;
  if (tag(buf, 0) !== 'RIFF' || tag(buf, 8) !== 'WAVE') throw new WavFormatError('not a RIFF/WAVE stream');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let fmt: Omit<WavHeader, 'dataOffset' | 'dataLength'> | undefined;
  let at = 12;
  while (at + 8 <= buf.length) {
    const id = tag(buf, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'data') {
      if (!fmt) throw new WavFormatError("WAV 'data' chunk comes before its 'fmt ' chunk");
      return { ...fmt, dataOffset: body, dataLength: size };
    }
    if (body + size > buf.length) return undefined;
    if (id === 'fmt ') {
      if (size < 16) throw new WavFormatError(`WAV 'fmt ' chunk too short (${size} bytes)`);
      let audioFormat = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      const bitsPerSample = view.getUint16(body + 14, true);
      // WAVE_FORMAT_EXTENSIBLE keeps the real format in the first two bytes of its subformat GUID.
      if (audioFormat === WAVE_FORMAT_EXTENSIBLE && size >= 26) audioFormat = view.getUint16(body + 24, true);
      if (audioFormat !== WAVE_FORMAT_PCM) throw new WavFormatError(`unsupported WAV audio format ${audioFormat} (only PCM)`);
      if (bitsPerSample !== 16) throw new WavFormatError(`unsupported WAV sample size ${bitsPerSample} bits (only 16)`);
      if (channels < 1 || sampleRate < 1) throw new WavFormatError(`invalid WAV format: ${channels} channels at ${sampleRate} Hz`);
      fmt = { audioFormat, channels, sampleRate, bitsPerSample };
    }
    // Chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
    at = body + size + (size % 2);
  }
  return undefined;
}

/**
 * Reads little-endian 16-bit PCM into a fresh (aligned) Int16Array.
 * @example pcmToInt16(Buffer.from([1, 0, 255, 255])) // Int16Array [1, -1]
 */
export function pcmToInt16(bytes: Uint8Array): Int16Array {
  const n = bytes.length >> 1;
  const out = new Int16Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, n * 2);
  for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

/**
 * Encodes interleaved 16-bit samples as a canonical 44-byte-header PCM WAV file.
 * @example await fs.writeFile('out.wav', encodeWav(samples, 24000, 1));
 */
export function encodeWav(samples: Int16Array, sampleRate: number, channels: number): Buffer {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`encodeWav: sampleRate must be a positive integer, got ${sampleRate}`);
  if (!Number.isInteger(channels) || channels <= 0) throw new RangeError(`encodeWav: channels must be a positive integer, got ${channels}`);
  if (samples.length % channels !== 0) throw new RangeError(`encodeWav: ${samples.length} samples is not a multiple of ${channels} channels`);
  const dataBytes = samples.length * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(WAVE_FORMAT_PCM, 20);
  buf.writeUInt16LE(channels, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * channels * 2, 28);
  buf.writeUInt16LE(channels * 2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) buf.writeInt16LE(samples[i]!, 44 + i * 2);
  return buf;
}

/**
 * Decodes a 16-bit PCM WAV file. A 'data' size larger than the file (a streaming placeholder)
 * is clamped to what is there.
 * @example const { samples, sampleRate } = decodeWav(await fs.readFile('out.wav'));
 */
export function decodeWav(buf: Uint8Array): DecodedWav {
  const h = parseWavHeader(buf);
  if (!h) throw new WavFormatError('truncated WAV: no complete header and data chunk');
  const end = Math.min(buf.length, h.dataOffset + h.dataLength);
  const frameBytes = 2 * h.channels;
  const usable = end - h.dataOffset - ((end - h.dataOffset) % frameBytes);
  return { samples: pcmToInt16(buf.subarray(h.dataOffset, h.dataOffset + usable)), sampleRate: h.sampleRate, channels: h.channels };
}
