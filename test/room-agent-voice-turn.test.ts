import { afterAll, expect, it } from 'vitest';
import { runInRoom, type RoomAgentEvent } from '../src/adapters/room-agent.js';
import { disposeRtc } from '../src/adapters/rtc-audio-output.js';
import { realClock } from '../src/ports/clock.js';
import { FakeTTS, ScriptedLLM } from '../src/testing/index.js';
import { ScriptedSTT } from '../src/voice/stt.js';
import type { UserTurnActivity } from '../src/voice/user-turn.js';
import type { UserSpeechEvent } from '../src/voice/user-audio-input.js';
import { FakeRoom, heardOnTrack } from './support/fake-room.js';
import { assistantSaid, itemAdded, lines, userSpeech48k } from './support/room-agent-fixture.js';

// The user's speech arrives on the microphone track the agent subscribed to: espeak-ng audio pushed
// into a real rtc-node AudioSource, carried by a real LocalAudioTrack, read by the agent's real
// AudioStream at 16 kHz, heard by the real Silero VAD; the STT is scripted. It runs in real time
// (the track plays in real time); the test waits on events only.

afterAll(() => disposeRtc());

const SAID = 'What time is it';

it('speech on the subscribed microphone becomes a committed user turn, and the reply is published', async () => {
  const room = new FakeRoom();
  const alice = room.join('alice');
  const events: RoomAgentEvent[] = [];
  const turns: UserTurnActivity[] = [];
  const speech: UserSpeechEvent[] = [];
  const errors: unknown[] = [];
  const stt = new ScriptedSTT(realClock, [{ final: { text: SAID, afterEndMs: 100 } }]);
  const agent = await runInRoom(room, {
    llm: new ScriptedLLM({ replies: [{ when: { userInput: SAID }, reply: 'It is noon.' }] }),
    tts: new FakeTTS({ msPerChar: 30 }),
    voice: { stt, onUserTurn: (a) => turns.push(a), onSpeech: (e) => speech.push(e) },
    onEvent: (e) => events.push(e),
    onError: (e) => errors.push(e),
  });
  agent.session.on('error', ({ error }) => errors.push(error));
  const audio = await userSpeech48k(SAID);

  const mic = room.publishMicrophone(alice);
  expect(events).toEqual([
    { type: 'participantLinked', identity: 'alice' },
    { type: 'microphoneOpened', identity: 'alice', trackSid: mic.publication.sid },
  ]);
  const heard = heardOnTrack(room.published[0]!.track, 200);
  const reply = itemAdded(agent.session, assistantSaid('It is noon.'));
  const playing = mic.play(audio);
  await reply;
  await playing;

  expect(speech.map((e) => e.type)).toEqual(['speechStart', 'speechEnd']);
  const committed = turns.filter((a) => a.type === 'userTurnCommitted');
  expect(committed).toMatchObject([{ text: SAID }]);
  expect(lines(agent.session)).toEqual([`user: ${SAID}`, 'assistant: It is noon.']);
  expect(await heard.audible).toBeGreaterThanOrEqual(200);

  await agent.close();
  expect(errors).toEqual([]);
  await room.closeAll();
});
