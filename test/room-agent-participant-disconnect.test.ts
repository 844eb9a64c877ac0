import { afterAll, expect, it } from 'vitest';
import { runInRoom } from '../src/adapters/room-agent.js';
import { disposeRtc } from '../src/adapters/rtc-audio-output.js';
import { FakeTTS, ScriptedLLM } from '../src/testing/index.js';
import { FakeRoom, heardOnTrack, openStreams } from './support/fake-room.js';

// The participant the agent serves leaves while the agent speaks: the agent ends by itself, and
// everything it took is released: session closed (the speech cut), its microphone stream
// cancelled, its voice track unpublished and closed, its room listeners and chat handler removed.
// Another participant leaving does not end it.

afterAll(() => disposeRtc());

const LONG = 'This is a long answer that the user will not wait to hear the end of, because they are leaving now.';

it('the served participant leaving closes the session and releases streams, tracks and listeners', async () => {
  const room = new FakeRoom();
  const alice = room.join('alice');
  const errors: unknown[] = [];
  const agent = await runInRoom(room, { llm: new ScriptedLLM({ replies: [] }), tts: new FakeTTS({ msPerChar: 30 }), onError: (e) => errors.push(e) });
  agent.session.on('error', ({ error }) => errors.push(error));
  const mic = room.publishMicrophone(alice);
  expect(openStreams(mic.track)).toBe(1);

  // Someone else comes and goes: not the served participant, nothing ends.
  const bob = room.join('bob');
  room.leave(bob);
  expect(agent.session.closed).toBe(false);

  const voiceTrack = room.published[0]!.track;
  const speaking = heardOnTrack(voiceTrack, 100);
  const h = agent.session.say(LONG);
  await speaking.audible;
  // A reader of the agent's voice track sees its end once the agent closes the track.
  const untilTrackEnds = heardOnTrack(voiceTrack, Infinity);

  room.leave(alice);
  const end = await agent.closed;
  expect(end).toEqual({ reason: 'participant_disconnected', participant: 'alice' });
  expect(agent.session.closed).toBe(true);
  expect(h.interrupted).toBe(true);
  await agent.voice.done;
  expect(openStreams(mic.track)).toBe(0);
  expect(room.published[0]!.unpublished).toBe(true);
  await untilTrackEnds.audible;
  expect(room.agentListenerCount()).toBe(0);
  expect(room.textHandlers.size).toBe(0);
  // close() after the end: the same result, nothing done twice.
  expect(await agent.close()).toBe(end);
  expect(errors).toEqual([]);
  await room.closeAll();
});
