import { DisconnectReason } from '@livekit/rtc-node';
import { afterAll, expect, it } from 'vitest';
import { runInRoom, type RoomAgentEvent } from '../src/adapters/room-agent.js';
import { disposeRtc } from '../src/adapters/rtc-audio-output.js';
import { FakeTTS, ScriptedLLM } from '../src/testing/index.js';
import { FakeRoom, heardOnTrack, openStreams } from './support/fake-room.js';

// The room connection ends (room deleted, agent removed, network gone): the agent ends by itself.
// The track went with the connection, so it is not unpublished, but it is closed, as is everything else.

afterAll(() => disposeRtc());

const LONG = 'This answer is cut short because the whole room is going away while it plays.';

it('a room disconnect while the agent speaks closes everything, with no unpublish on the dead connection', async () => {
  const room = new FakeRoom();
  const alice = room.join('alice');
  const errors: unknown[] = [];
  const events: RoomAgentEvent[] = [];
  const agent = await runInRoom(room, { llm: new ScriptedLLM({ replies: [] }), tts: new FakeTTS({ msPerChar: 30 }), onError: (e) => errors.push(e), onEvent: (e) => events.push(e) });
  agent.session.on('error', ({ error }) => errors.push(error));
  const mic = room.publishMicrophone(alice);
  const voiceTrack = room.published[0]!.track;
  const speaking = heardOnTrack(voiceTrack, 100);
  const h = agent.session.say(LONG);
  await speaking.audible;
  const untilTrackEnds = heardOnTrack(voiceTrack, Infinity);

  room.disconnect(DisconnectReason.ROOM_DELETED);
  expect(await agent.closed).toEqual({ reason: 'room_disconnected', participant: 'alice' });
  expect(agent.session.closed).toBe(true);
  expect(h.interrupted).toBe(true);
  await agent.voice.done;
  expect(openStreams(mic.track)).toBe(0);
  expect(room.published[0]!.unpublished).toBe(false);
  await untilTrackEnds.audible;
  expect(room.agentListenerCount()).toBe(0);
  expect(room.textHandlers.size).toBe(0);
  expect(events.at(-1)).toEqual({ type: 'closed', reason: 'room_disconnected', participant: 'alice' });
  expect(errors).toEqual([]);
  await room.closeAll();
});

it('a room that disconnects before anyone joined ends the agent too, serving nobody', async () => {
  const room = new FakeRoom();
  const errors: unknown[] = [];
  const agent = await runInRoom(room, { llm: new ScriptedLLM({ replies: [] }), tts: new FakeTTS(), onError: (e) => errors.push(e) });
  expect(agent.participant).toBeUndefined();
  room.disconnect(DisconnectReason.CLIENT_INITIATED);
  expect(await agent.closed).toEqual({ reason: 'room_disconnected', participant: undefined });
  await agent.voice.done;
  expect(room.agentListenerCount()).toBe(0);
  // Joining afterwards links nobody.
  room.join('late');
  expect(agent.participant).toBeUndefined();
  expect(errors).toEqual([]);
});
