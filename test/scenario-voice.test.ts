import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { disposeRtc } from '../src/adapters/rtc-audio-output.js';
import { startScenario } from '../src/scenario/run-scenario.js';
import { parseScenario } from '../src/scenario/scenario-schema.js';
import { FakeTTS, VirtualAudioOutput, VirtualClock } from '../src/testing/index.js';
import { renderTimelineSvg } from '../src/cli/timeline-svg.js';
import type { BargeInActivity } from '../src/voice/barge-in.js';
import { attachScenarioVoice, parseScenarioVoice, parseUserAudio, prepareUserAudio } from '../src/voice/scenario-voice.js';
import { FIRST_INPUT, SECOND_INPUT, seedSession } from './support/seed-fixture.js';
import { historyLines, makeSession } from './support/session-fixture.js';

// User audio turns end to end on virtual time: espeak-ng speech and a synthesized cough mixed into
// the microphone track, resampled by rtc-node, heard by the real Silero VAD, into the barge-in
// machine of a session on FakeTTS + VirtualAudioOutput. The model runs on real threads, so each
// test awaits its analysis of the whole track before moving virtual time.

afterAll(() => disposeRtc());

const LONG = 'Here is the long answer about the weather this week, with all the details you could want, and more.';

describe('scenario user audio on the real VAD (virtual time)', () => {
  it('a cough during agent speech: paused, then resumed where it stopped; nothing interrupted', async () => {
    const { clock, session, audioOutput, errors } = makeSession();
    await session.start();
    const turns = parseUserAudio([{ atMs: 1500, noise: { durationMs: 800 } }], 'userAudio', (p, m) => {
      throw new Error(`${p} ${m}`);
    });
    const prepared = await prepareUserAudio(turns);
    const activity: BargeInActivity[] = [];
    const h = session.say(LONG);
    const voice = attachScenarioVoice(session, prepared, { clock, onActivity: (a) => activity.push(a) });
    await voice.input!.analyzed;
    await clock.runUntil(h.waitForPlayout());
    await clock.runUntil(voice.done);
    const [paused, resumed] = activity;
    expect(activity.map((a) => a.type)).toEqual(['paused', 'resumed', 'falseInterruption']);
    // Held about 0.5 s after the cough began; resumed 2 s after the VAD saw it end.
    expect(paused!.atMs).toBeGreaterThanOrEqual(2000);
    expect(paused!.atMs).toBeLessThan(2150);
    const held = resumed!.atMs - paused!.atMs;
    expect(held).toBeGreaterThan(2500);
    expect(held).toBeLessThan(3200);
    const full = LONG.length * 50;
    expect(audioOutput.segments).toMatchObject([{ interrupted: false }]);
    expect(audioOutput.segments[0]!.playbackPosition * 1000).toBeCloseTo(full, 6);
    expect(clock.now()).toBeCloseTo(full + held, 6);
    expect(historyLines(session.history)).toEqual([`assistant:${LONG}`]);
    expect(voice.pending()).toBe(false);
    expect(errors).toEqual([]);
    voice.close();
  });

  it('the seed by voice: the user talks over the tool preamble; the tool is aborted and the new turn answered', async () => {
    const { clock, session, probe, audioOutput } = seedSession();
    const errors: Error[] = [];
    session.on('error', ({ error }) => errors.push(error));
    await session.start();
    const turns = parseUserAudio(
      [{ atMs: 400, text: SECOND_INPUT, transcript: { interim: [{ afterMs: 700, text: 'Actually' }], final: SECOND_INPUT, finalAfterEndMs: 300 } }],
      'userAudio',
      (p, m) => {
        throw new Error(`${p} ${m}`);
      },
    );
    const prepared = await prepareUserAudio(turns);
    const first = session.generateReply({ userInput: FIRST_INPUT });
    const activity: BargeInActivity[] = [];
    const voice = attachScenarioVoice(session, prepared, { clock, onActivity: (a) => activity.push(a) });
    await voice.input!.analyzed;
    await clock.runUntil(voice.done);
    await clock.runAll();
    expect(first.interrupted).toBe(true);
    expect(probe.signal?.aborted).toBe(true);
    expect(probe.waitResolved).toBe(false);
    expect(activity.map((a) => a.type)).toEqual(['paused', 'interrupted', 'userTurnCommitted']);
    const [paused, interrupted] = activity;
    // Held at the minimum duration, cut at the first word: the audio stopped when it was held.
    expect(interrupted!.atMs - paused!.atMs).toBeGreaterThan(0);
    expect(audioOutput.segments[0]).toMatchObject({ interrupted: true, endedAt: interrupted!.atMs });
    expect(historyLines(session.history).slice(2)).toEqual([
      'call:slow_tool({})',
      'output:slow_tool:error:error: the tool was aborted because the user interrupted the speech',
      `user:${SECOND_INPUT}`,
      'assistant:Okay, something else then.',
    ]);
    expect(errors).toEqual([]);
    voice.close();
  });

  it('validates user audio turns and voice settings, naming each bad field', () => {
    const issues: string[] = [];
    const issue = (p: string, m: string) => issues.push(`${p} ${m}`);
    parseUserAudio([{ atMs: -1, text: 'hi' }, { atMs: 0 }, { atMs: 5, noise: { durationMs: 0 } }, { atMs: 5, text: 'x', tone: 1 }], 'userAudio', issue);
    parseScenarioVoice({ bargeIn: { minInterruptionDuration: 'long' }, vad: { minSilence: 3 } }, 'voice', issue);
    expect(issues).toEqual([
      'userAudio[0].atMs is required (a non-negative number of milliseconds)',
      'userAudio[1] needs exactly one of "text" (words the user says) or "noise" (a wordless sound)',
      'userAudio[2].noise must be { "durationMs": number ≥ 1, "kind"?: "cough" | "white" }',
      'userAudio[3].tone is not a known field; known: atMs, text, voice, speed, noise, transcript, note',
      'voice.bargeIn.minInterruptionDuration must be a non-negative number',
      'voice.vad.minSilence is not a known field; known: activationThreshold, deactivationThreshold, minSpeechDuration, minSilenceDuration',
    ]);
  });
});

describe('the voice examples through the scenario runner (virtual time, FakeTTS, real VAD)', () => {
  async function runExample(file: string) {
    const scenario = parseScenario(JSON.parse(readFileSync(file, 'utf8')), { source: file });
    const userAudio = await prepareUserAudio(scenario.userAudio, scenario.voice?.userVoice ? { userVoice: scenario.voice.userVoice } : {});
    const clock = new VirtualClock();
    const audioOutput = new VirtualAudioOutput(clock);
    const run = startScenario(scenario, { tts: new FakeTTS({ msPerChar: 50 }), audioOutput, clock, userAudio });
    await run.voiceReady;
    const result = await clock.runUntil(run.result, { maxMs: scenario.maxDurationMs + 5000 });
    return { result, audioOutput };
  }

  it('voice-cough-false-interruption: held and resumed, the speech done, the barge-in lane on the timeline', async () => {
    const { result, audioOutput } = await runExample('examples/voice-cough-false-interruption.json');
    expect(result.status).toBe('completed');
    expect(result.bargeIn.map((a) => a.type)).toEqual(['paused', 'resumed', 'falseInterruption']);
    expect(result.speeches.map((s) => s.outcome)).toEqual(['done']);
    expect(audioOutput.segments).toMatchObject([{ interrupted: false }]);
    expect(result.userSpeech.map((e) => e.type)).toEqual(['speechStart', 'speechEnd']);
    expect(result.timeline.lanes.map((l) => l.id)).toEqual(expect.arrayContaining(['bargeIn', 'user', 'speech_1']));
    expect(result.timeline.spans.filter((sp) => sp.lane === 'bargeIn').map((sp) => sp.state)).toEqual([
      'idle',
      'userSpeaking.measuring',
      'holding.userSpeaking',
      'holding.awaitingWords',
      'idle',
      'closed',
    ]);
    expect(result.timeline.spans.some((sp) => sp.lane === 'audio' && sp.kind === 'paused')).toBe(true);
    expect(renderTimelineSvg(result.timeline)).toContain('>barge-in policy</text>');
    expect(result.errors).toEqual([]);
  });

  it('voice-barge-in-tool-preamble: the preamble held then cut by the first words, the tool aborted at once, the turn answered', async () => {
    const { result } = await runExample('examples/voice-barge-in-tool-preamble.json');
    expect(result.status).toBe('completed');
    expect(result.bargeIn.map((a) => a.type)).toEqual(['paused', 'interrupted', 'userTurnCommitted']);
    expect(result.tools).toMatchObject([{ name: 'slow_tool', outcome: 'aborted', waitOutcome: 'rejected' }]);
    const f = result.figures.find((x) => x.interrupted.includes('speech_1'))!;
    expect(f.toolWaitSettledMs).toBe(0); // in the same virtual instant as the interrupt
    expect(f.audioCutMs).toBe(0);
    expect(f.nextSpeechId).toBe('speech_2');
    expect(result.timeline.marks.some((m) => m.kind === 'interrupt' && m.label.startsWith('barge-in'))).toBe(true);
    expect(result.history.map((i) => (i.type === 'message' ? `${i.role}${i.interrupted ? '!' : ''}` : i.type))).toEqual([
      'user',
      'assistant!',
      'function_call',
      'function_call_output',
      'user',
      'assistant',
    ]);
    expect(result.errors).toEqual([]);
  });
});
