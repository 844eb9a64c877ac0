import { afterAll, expect, it } from 'vitest';
import { runInRoom, type RoomAgentEvent } from '../src/adapters/room-agent.js';
import { disposeRtc } from '../src/adapters/rtc-audio-output.js';
import { realClock } from '../src/ports/clock.js';
import { FakeTTS, ScriptedLLM } from '../src/testing/index.js';
import { ScriptedSTT } from '../src/voice/stt.js';
import type { UserTurnActivity } from '../src/voice/user-turn.js';
import { FakeRoom, openStreams } from './support/fake-room.js';
import { assistantSaid, itemAdded, lines, userSpeech48k } from './support/room-agent-fixture.js';

// The user's microphone track goes away (unpublished: rtc-node unsubscribes it first) and a new one
// is published later, this time not auto-subscribed: the agent lets go of the old stream, asks for
// the new track, and hears the user on it as before; the session and the user turn carry on.
// Real audio through real rtc-node tracks, in real time; the test waits on events only.

afterAll(() => disposeRtc());

it('a microphone unpublished and published again: the old stream is released, the new track is subscribed and heard', async () => {
  const room = new FakeRoom();
  const alice = room.join('alice');
  const events: RoomAgentEvent[] = [];
  const turns: UserTurnActivity[] = [];
  const errors: unknown[] = [];
  const stt = new ScriptedSTT(realClock, [{ final: { text: 'What time is it', afterEndMs: 100 } }, { final: { text: 'And the date', afterEndMs: 100 } }]);
  const agent = await runInRoom(room, {
    llm: new ScriptedLLM({
      replies: [
        { when: { userInput: 'What time is it' }, reply: 'It is noon.' },
        { when: { userInput: 'And the date' }, reply: 'The first of May.' },
      ],
    }),
    tts: new FakeTTS({ msPerChar: 30 }),
    voice: { stt, onUserTurn: (a) => turns.push(a) },
    onEvent: (e) => events.push(e),
    onError: (e) => errors.push(e),
  });
  agent.session.on('error', ({ error }) => errors.push(error));
  const [first, second] = await Promise.all([userSpeech48k('What time is it'), userSpeech48k('And the date')]);

  const mic1 = room.publishMicrophone(alice);
  let reply = itemAdded(agent.session, assistantSaid('It is noon.'));
  await mic1.play(first);
  await reply;

  // Unpublished: the agent cancels its stream on the unsubscription, in that call (the fake leaves the track open).
  expect(openStreams(mic1.track)).toBe(1);
  room.unpublishMicrophone(alice, mic1);
  expect(events.at(-1)).toEqual({ type: 'microphoneClosed', identity: 'alice', trackSid: mic1.publication.sid });
  expect(openStreams(mic1.track)).toBe(0);
  await mic1.close();

  // Published again without auto-subscribe: the agent asks for it.
  const mic2 = room.publishMicrophone(alice, { autoSubscribe: false });
  expect(mic2.publication.subscribeRequests).toEqual([true]);
  expect(events.at(-1)).toEqual({ type: 'microphoneOpened', identity: 'alice', trackSid: mic2.publication.sid });
  reply = itemAdded(agent.session, assistantSaid('The first of May.'));
  await mic2.play(second);
  await reply;

  expect(turns.filter((a) => a.type === 'userTurnCommitted').map((a) => (a as { text: string }).text)).toEqual(['What time is it', 'And the date']);
  expect(lines(agent.session)).toEqual(['user: What time is it', 'assistant: It is noon.', 'user: And the date', 'assistant: The first of May.']);
  expect(events.map((e) => e.type)).toEqual(['participantLinked', 'microphoneOpened', 'microphoneClosed', 'microphoneOpened']);

  await agent.close();
  expect(openStreams(mic2.track)).toBe(0);
  expect(errors).toEqual([]);
  await room.closeAll();
});
