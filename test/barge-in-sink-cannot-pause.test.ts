import { describe, expect, it } from 'vitest';
import { AgentSession } from '../src/index.js';
import type { AudioOutput } from '../src/ports/audio-output.js';
import { FakeTTS, ScriptedLLM, VirtualAudioOutput, VirtualClock } from '../src/testing/index.js';
import { LONG, scriptedVoice } from './support/voice-fixture.js';

// LiveKit pauses only when the audio output can pause; otherwise a barge-in interrupts at once.
describe('a sink that cannot pause', () => {
  it('long speech without words interrupts the agent at the minimum duration; the timeout then reports a false interruption, not resumed', async () => {
    const clock = new VirtualClock();
    const out = new VirtualAudioOutput(clock);
    const sink: AudioOutput = {
      captureFrame: (f) => out.captureFrame(f),
      flush: () => out.flush(),
      clearBuffer: () => out.clearBuffer(),
      waitForPlayout: () => out.waitForPlayout(),
    };
    const session = new AgentSession({ llm: new ScriptedLLM({ clock, replies: [] }), tts: new FakeTTS({ msPerChar: 50 }), audioOutput: sink, clock });
    expect(session.canPauseAudio).toBe(false);
    await session.start();
    const { v, kinds, falseInterruptions } = scriptedVoice(session, clock, { speeches: [{ startMs: 1000, endMs: 2000 }] });
    const h = session.say(LONG);
    await clock.advance(1500);
    expect(h.paused).toBe(false);
    expect(h.interrupted).toBe(true);
    expect(out.segments[0]).toMatchObject({ interrupted: true, endedAt: 1500 });
    await clock.advance(500 + 2000);
    expect(kinds()).toEqual(['interrupted@1500', 'falseInterruption@4000']);
    expect(falseInterruptions).toEqual([{ resumed: false, speechId: h.id, atMs: 4000 }]);
    v.close();
  });
});
