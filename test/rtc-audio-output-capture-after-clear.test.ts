import { afterAll, describe, expect, it } from 'vitest';
import { createAudioFrame } from '../src/ports/audio-frame.js';
import { RtcAudioOutput, disposeRtc } from '../src/adapters/rtc-audio-output.js';

afterAll(() => disposeRtc());

const frame = (ms: number) => createAudioFrame(new Int16Array((24000 * ms) / 1000).fill(800), 24000, 1);

// Found by the side-by-side bench: after clearBuffer(), the next segment's first capture used to
// reach rtc-node while the cleared capture was still in flight, and rtc-node rejected it.
describe('RtcAudioOutput after clearBuffer()', () => {
  it('captures the next segment at once, without an InvalidState rejection', async () => {
    const out = new RtcAudioOutput({ sampleRate: 24000, queueSizeMs: 100 });
    try {
      for (let i = 0; i < 15; i++) {
        const pending = out.captureFrame(frame(100)); // fills the queue: this one waits for room
        const first = out.waitForPlayout();
        out.clearBuffer();
        await pending;
        expect((await first).interrupted).toBe(true);
        await out.captureFrame(frame(20)); // the next segment
        out.flush();
        const r = await out.waitForPlayout();
        expect(r).toMatchObject({ interrupted: false });
        expect(r.playbackPosition).toBeCloseTo(0.02, 3);
      }
    } finally {
      await out.close();
    }
  });
});
