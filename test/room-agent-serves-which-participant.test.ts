import { ParticipantKind } from '@livekit/rtc-node';
import { afterAll, expect, it } from 'vitest';
import { runInRoom, type RoomAgentEvent } from '../src/adapters/room-agent.js';
import { disposeRtc } from '../src/adapters/rtc-audio-output.js';
import { FakeTTS, ScriptedLLM } from '../src/testing/index.js';
import { FakeRoom } from './support/fake-room.js';

// Which participant the agent serves (listens to, and ends with): by default the first user-like one
// (standard, SIP or connector, as LiveKit's RoomIO), never another agent, a recorder, or an avatar
// publishing on this agent's behalf; with participantIdentity, that one only, whenever it joins.

afterAll(() => disposeRtc());

const options = () => ({ llm: new ScriptedLLM({ replies: [] }), tts: new FakeTTS() });

it('by default: skips agents, egress and this agent\'s avatar, and serves the first user', async () => {
  const room = new FakeRoom();
  room.join('other-agent', ParticipantKind.AGENT);
  room.join('recorder', ParticipantKind.EGRESS);
  const events: RoomAgentEvent[] = [];
  const agent = await runInRoom(room, { ...options(), onEvent: (e) => events.push(e) });
  expect(agent.participant).toBeUndefined();
  room.join('avatar', ParticipantKind.AGENT, { 'lk.publish_on_behalf': 'agent' });
  room.join('phone-caller', ParticipantKind.SIP);
  expect(agent.participant).toBe('phone-caller');
  room.join('alice');
  expect(agent.participant).toBe('phone-caller');
  expect(events).toEqual([{ type: 'participantLinked', identity: 'phone-caller' }]);
  await agent.close();
});

it('with participantIdentity: waits for that one, ignores the others (their tracks and their leaving)', async () => {
  const room = new FakeRoom();
  const alice = room.join('alice');
  const events: RoomAgentEvent[] = [];
  const agent = await runInRoom(room, { ...options(), participantIdentity: 'bob', onEvent: (e) => events.push(e) });
  room.publishMicrophone(alice);
  expect(agent.participant).toBeUndefined();
  const bob = room.join('bob');
  const mic = room.publishMicrophone(bob);
  room.leave(alice);
  expect(agent.session.closed).toBe(false);
  expect(events).toEqual([
    { type: 'participantLinked', identity: 'bob' },
    { type: 'microphoneOpened', identity: 'bob', trackSid: mic.publication.sid },
  ]);
  room.leave(bob);
  expect(await agent.closed).toEqual({ reason: 'participant_disconnected', participant: 'bob' });
  await room.closeAll();
});
