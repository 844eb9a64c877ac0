/**
 * One block of PCM audio: signed 16-bit, interleaved channels.
 * `@livekit/rtc-node`'s `AudioFrame` fits this shape, so its frames pass through unchanged.
 */
export interface AudioFrame {
  data: Int16Array;
  sampleRate: number;
  channels: number;
  samplesPerChannel: number;
}

/**
 * Duration of a frame in seconds.
 * @example frameDuration({ data, sampleRate: 24000, channels: 1, samplesPerChannel: 480 }) // 0.02
 */
export function frameDuration(frame: AudioFrame): number {
  return frame.samplesPerChannel / frame.sampleRate;
}

/**
 * Builds a frame from samples, validating that the sizes agree.
 * @example createAudioFrame(new Int16Array(480), 24000, 1)
 */
export function createAudioFrame(data: Int16Array, sampleRate: number, channels: number): AudioFrame {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`createAudioFrame: sampleRate must be a positive integer, got ${sampleRate}`);
  if (!Number.isInteger(channels) || channels <= 0) throw new RangeError(`createAudioFrame: channels must be a positive integer, got ${channels}`);
  if (data.length % channels !== 0) throw new RangeError(`createAudioFrame: data length ${data.length} is not a multiple of channels ${channels}`);
  return { data, sampleRate, channels, samplesPerChannel: data.length / channels };
}
