import { describe, expect, it } from 'vitest';
import { AgentSession, type AudioOutput } from '../src/index.js';
import { FakeTTS, ScriptedLLM, VirtualAudioOutput, VirtualClock } from '../src/testing/index.js';
import { SegmentSplittingPause, withPause } from '../src/voice/pausable-output.js';
import { attachVoiceInput, scheduleScriptedSpeech } from '../src/voice/voice-input.js';

// withPause() over an output that cannot pause (e.g. a recorder in front of a device): the hold
// splits the segment in two on the inner output, the session still sees one.

const TEXT = 'word '.repeat(20).trim().padEnd(100, '.'); // 5 s of FakeTTS audio

function bareOutput(clock: VirtualClock) {
  const device = new VirtualAudioOutput(clock);
  // Only the four required methods: no pause of its own.
  const bare: AudioOutput = {
    captureFrame: (f) => device.captureFrame(f),
    flush: () => device.flush(),
    clearBuffer: () => device.clearBuffer(),
    waitForPlayout: () => device.waitForPlayout(),
  };
  return { device, bare };
}

function sessionOn(audioOutput: AudioOutput, clock: VirtualClock) {
  return new AgentSession({ llm: new ScriptedLLM({ clock, replies: [] }), tts: new FakeTTS({ msPerChar: 50 }), audioOutput, clock });
}

describe('withPause', () => {
  it('returns an output that can pause as it is', () => {
    const device = new VirtualAudioOutput(new VirtualClock());
    expect(withPause(device)).toBe(device);
    expect(withPause(bareOutput(new VirtualClock()).bare)).toBeInstanceOf(SegmentSplittingPause);
  });

  it('a false interruption on a device without pause: two inner segments with the hold between, one whole segment for the session', async () => {
    const clock = new VirtualClock();
    const { device, bare } = bareOutput(clock);
    const session = sessionOn(withPause(bare), clock);
    await session.start();
    const voice = attachVoiceInput(session, { clock });
    scheduleScriptedSpeech(clock, [{ startMs: 1000, endMs: 2500 }], voice.speech);
    const h = session.say(TEXT);
    await clock.runUntil(h.waitForPlayout());
    // Held at 1.5 s; the device played its 200 ms buffer; resumed at 4.5 s.
    expect(device.segments).toMatchObject([
      { startedAt: 0, endedAt: 1700, playbackPosition: 1.7, interrupted: false },
      { startedAt: 4500, endedAt: 7800, interrupted: false },
    ]);
    expect(device.segments[1]!.playbackPosition).toBeCloseTo(3.3, 9);
    expect(session.history).toMatchObject([{ role: 'assistant', content: TEXT }]);
    voice.close();
  });

  it('an interrupt while held reports what was heard before the hold', async () => {
    const clock = new VirtualClock();
    const { device, bare } = bareOutput(clock);
    const session = sessionOn(withPause(bare), clock);
    await session.start();
    const voice = attachVoiceInput(session, { clock });
    scheduleScriptedSpeech(clock, [{ startMs: 1000, endMs: 2500 }], voice.speech);
    const h = session.say(TEXT);
    await clock.advance(3000);
    expect(h.paused).toBe(true);
    await clock.runUntil(session.interrupt());
    expect(device.segments).toMatchObject([{ endedAt: 1700, playbackPosition: 1.7 }]);
    // 1.7 s heard at 20 characters a second.
    expect(session.history).toMatchObject([{ role: 'assistant', content: TEXT.slice(0, 34), interrupted: true }]);
    voice.close();
  });

  it('frames captured while paused wait, and a clear releases them', async () => {
    const clock = new VirtualClock();
    const { device, bare } = bareOutput(clock);
    const out = new SegmentSplittingPause(bare);
    const frame = { data: new Int16Array(480), sampleRate: 24000, channels: 1, samplesPerChannel: 480 };
    await out.captureFrame(frame);
    out.pause();
    let released = false;
    const waiting = out.captureFrame(frame).then(() => (released = true));
    await clock.advance(100);
    expect(released).toBe(false);
    const result = out.waitForPlayout();
    out.clearBuffer();
    await waiting;
    expect(await result).toEqual({ playbackPosition: 0.02, interrupted: true });
    expect(device.segments).toHaveLength(1);
  });
});
