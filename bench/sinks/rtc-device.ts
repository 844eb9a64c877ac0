import type { AudioFrame, AudioOutput } from '../../src/index.js';
import type { Device } from '../lib/seed-harness.js';

/** The slice of src/adapters/rtc-audio-output.ts the bench uses (imported dynamically: rtc-node is native). */
interface RtcOutputLike extends AudioOutput {
  readonly source: { captureFrame(frame: never): Promise<void> };
  close(): Promise<void>;
}

/**
 * The rtc-node device of the bench: speechcharts' `RtcAudioOutput` over a real rtc-node `AudioSource`
 * (real-time pacing by the native queue), used as is by both engines.
 *
 * Two things are added at the `AudioSource` boundary, for both engines alike:
 * - native captures are serialized. rtc-node 1.1 fails a `captureFrame` issued while another is still
 *   in flight ("InvalidState - failed to capture frame"), and `clearQueue()` settles the in-flight one
 *   only 3–5 ms later; `RtcAudioOutput.captureFrame` returns at the clear without waiting for it, so a
 *   reply that starts right after an interrupt fails its first frame. (Reported; the fix belongs in
 *   RtcAudioOutput: chain each native capture on the previous one.)
 * - `onFrameIssued` reports when a frame is actually handed to the native source, which is when the
 *   next reply becomes audible.
 */
export function rtcDevice(RtcAudioOutput: new (o: { sampleRate: number; channels: number }) => RtcOutputLike, sampleRate: number): Device & {
  onFrameIssued: ((t: number) => void) | undefined;
} {
  const output = new RtcAudioOutput({ sampleRate, channels: 1 });
  const source = output.source as { captureFrame(frame: AudioFrame): Promise<void> };
  const native = source.captureFrame.bind(source);
  let last: Promise<unknown> = Promise.resolve();
  const device = {
    output: output as AudioOutput,
    close: () => output.close(),
    onFrameIssued: undefined as ((t: number) => void) | undefined,
  };
  source.captureFrame = (frame: AudioFrame) => {
    const p = last.then(() => {
      device.onFrameIssued?.(performance.now());
      return native(frame);
    });
    last = p.catch(() => {});
    return p;
  };
  return device;
}
