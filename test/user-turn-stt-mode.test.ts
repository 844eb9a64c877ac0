import { describe, expect, it } from 'vitest';
import type { SpeechEvent, SpeechEventType, STT } from '../src/voice/stt.js';
import { attachVoiceInput, scheduleScriptedSpeech } from '../src/voice/voice-input.js';
import { makeSession } from './support/session-fixture.js';

// 'stt' turn detection: the STT's end of speech (with its final transcript) ends the turn, after
// the minimum endpointing delay from the VAD's end of speech; the VAD's silence alone does not.

/** An STT whose events the test sends by hand. */
class HandSTT implements STT {
  private readonly listeners = new Set<(ev: SpeechEvent) => void>();
  constructor(private readonly now: () => number) {}
  speechStarted(): void {}
  speechEnded(): void {}
  onEvent(l: (ev: SpeechEvent) => void) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  close(): void {}
  send(type: SpeechEventType, text?: string): void {
    const ev: SpeechEvent = { type, atMs: this.now(), alternatives: text === undefined ? [] : [{ text, language: 'en', confidence: 0.9, startMs: 0, endMs: this.now() }] };
    for (const l of [...this.listeners]) l(ev);
  }
}

async function setup(turnDetection: 'stt' | 'vad') {
  const { clock, session } = makeSession({ replies: [{ when: { userInput: 'Hello there' }, reply: 'Okay.' }] });
  await session.start();
  const stt = new HandSTT(() => clock.now());
  const commits: number[] = [];
  const voice = attachVoiceInput(session, { clock, stt, turn: { turnDetection }, onUserTurn: (a) => a.type === 'userTurnCommitted' && commits.push(a.atMs), onError: (e) => { throw e; } });
  scheduleScriptedSpeech(clock, [{ startMs: 0, endMs: 1000 }], voice.speech);
  clock.setTimeout(() => stt.send('start_of_speech'), 100);
  clock.setTimeout(() => stt.send('final_transcript', 'Hello there'), 1100);
  return { clock, stt, commits, voice };
}

describe("turn detection 'stt'", () => {
  it("waits for the STT's end of speech: none, no commit; it comes at 2000 ms, the turn is committed then", async () => {
    const { clock, stt, commits, voice } = await setup('stt');
    await clock.advance(1999);
    expect(commits).toEqual([]);
    stt.send('end_of_speech');
    await clock.advance(1);
    expect(commits).toEqual([1999]);
    voice.close();
  });

  it('an end of speech before the minimum delay is over still waits for it (500 ms after the VAD end)', async () => {
    const { clock, stt, commits, voice } = await setup('stt');
    clock.setTimeout(() => stt.send('end_of_speech'), 1150);
    await clock.advance(3000);
    expect(commits).toEqual([1500]);
    voice.close();
  });

  it("the same speech in 'vad' mode is committed at the minimum delay without the STT's end of speech", async () => {
    const { clock, commits, voice } = await setup('vad');
    await clock.advance(3000);
    expect(commits).toEqual([1500]);
    voice.close();
  });
});
