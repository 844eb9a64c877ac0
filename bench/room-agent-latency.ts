/**
 * Room agent, end of user speech → reply audible on the agent's published track, wall clock, through
 * rtc-node as `runInRoom` uses it offline: espeak-ng speech pushed into a real AudioSource behind the
 * user's LocalAudioTrack, read by the agent's AudioStream at 16 kHz, the real Silero VAD (LiveKit's
 * 550 ms minimum silence), a scripted STT (final 100 ms after the speech end), the user-turn machine
 * ('vad' mode, 500 ms endpointing), a scripted LLM and FakeTTS with no delay, the reply played through
 * RtcAudioOutput into the published LocalAudioTrack and read back by an AudioStream on it.
 * No server: the fake room of the tests stands in for it (test/support/fake-room.ts).
 *
 * Figures per turn: VAD speech end → turn committed (the configured silence and endpointing, plus
 * detection), commit → first audible frame read from the published track (engine + rtc-node path).
 *
 * Run: npx tsx bench/room-agent-latency.ts [turns=5]
 */
import { runInRoom } from '../src/adapters/room-agent.js';
import { disposeRtc } from '../src/adapters/rtc-audio-output.js';
import { realClock } from '../src/ports/clock.js';
import { FakeTTS, ScriptedLLM } from '../src/testing/index.js';
import { ScriptedSTT } from '../src/voice/stt.js';
import { FakeRoom, heardOnTrack } from '../test/support/fake-room.js';
import { userSpeech48k } from '../test/support/room-agent-fixture.js';

const turns = Number(process.argv[2] ?? 5);
const SAID = 'What time is it';
const audio = await userSpeech48k(SAID);
const toCommit: number[] = [];
const toAudible: number[] = [];

for (let i = 0; i < turns; i++) {
  const room = new FakeRoom();
  const alice = room.join('alice');
  let speechEnd = NaN;
  let committed = NaN;
  const agent = await runInRoom(room, {
    llm: new ScriptedLLM({ replies: [{ reply: 'It is noon.' }] }),
    tts: new FakeTTS({ msPerChar: 30 }),
    voice: {
      stt: new ScriptedSTT(realClock, [{ final: { text: SAID, afterEndMs: 100 } }]),
      onSpeech: (e) => {
        if (e.type === 'speechEnd') speechEnd = e.atMs;
      },
      onUserTurn: (a) => {
        if (a.type === 'userTurnCommitted') committed = a.atMs;
      },
    },
  });
  const heard = heardOnTrack(room.published[0]!.track, 1);
  // Taken when the first audible frame is read (the user's trailing silence may still be playing).
  const audible = heard.audible.then(() => realClock.now());
  const mic = room.publishMicrophone(alice);
  await mic.play(audio);
  const audibleAt = await audible;
  toCommit.push(committed - speechEnd);
  toAudible.push(audibleAt - committed);
  await agent.close();
  await room.closeAll();
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)]!.toFixed(1)} ms, min ${s[0]!.toFixed(1)}, max ${s.at(-1)!.toFixed(1)}`;
};
console.log(`room agent, ${turns} turns (one fresh room and agent each):`);
console.log(`  VAD speech end → turn committed:           ${stats(toCommit)}`);
console.log(`  turn committed → reply audible on track:   ${stats(toAudible)}`);
await disposeRtc();
