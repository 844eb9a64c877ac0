import { describe, expect, it } from 'vitest';
import { VirtualAudioOutput, VirtualClock } from '../src/testing/index.js';

// Found by the generated runtime tests (test/model-generated-runtime.test.ts), e.g.
//   REPLY → START → STEP_DONE → SAY → SAY → PAUSE → TEXT_CHUNK → INTERRUPT(force=true)
// where the model says nothing was heard and the runtime recorded 'assistant:s2.1  [interrupted]'.
// `clearBuffer()` sets `paused = false` before `update()`, so the time spent paused is counted as
// played: the reported playback position (and the heard text of an interrupted speech) includes
// audio that never played.
describe('VirtualAudioOutput.clearBuffer() while paused', () => {
  it('reports only what played before the pause', async () => {
    const clock = new VirtualClock();
    const out = new VirtualAudioOutput(clock);
    const frame = { data: new Int16Array(2400), sampleRate: 24000, channels: 1, samplesPerChannel: 2400 }; // 100 ms
    out.pause();
    await out.captureFrame(frame);
    await clock.advance(1000); // (reading playbackPosition here would accrue the pause and hide the bug)
    const report = out.waitForPlayout();
    out.clearBuffer();
    await expect(report).resolves.toEqual({ playbackPosition: 0, interrupted: true }); // fails: 0.1
  });
});
