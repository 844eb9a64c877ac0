import { afterAll, expect, it } from 'vitest';
import { runInRoom, RoomAgentError } from '../src/adapters/room-agent.js';
import { disposeRtc } from '../src/adapters/rtc-audio-output.js';
import { InvalidArgumentError } from '../src/errors.js';
import { FakeTTS, ScriptedLLM } from '../src/testing/index.js';
import { FakeRoom } from './support/fake-room.js';

// runInRoom refuses what it cannot run with a typed error naming the problem, and a failed start
// leaves nothing behind in the room: no listener, no chat handler (another agent may take 'lk.chat').

afterAll(() => disposeRtc());

const options = () => ({ llm: new ScriptedLLM({ replies: [] }), tts: new FakeTTS() });

it('bad options are InvalidArgumentError, naming the option', async () => {
  const room = new FakeRoom();
  await expect(runInRoom(room, { ...options(), tts: undefined as never })).rejects.toThrow(/options\.tts is required/);
  await expect(runInRoom(room, { ...options(), participantIdentity: '' })).rejects.toThrow(InvalidArgumentError);
  await expect(runInRoom(room, { ...options(), inputPolicy: { maxBytes: -1 } })).rejects.toThrow(InvalidArgumentError);
  await expect(runInRoom({} as never, options())).rejects.toThrow(/room must be an rtc-node Room/);
  // Session and voice options are checked by what takes them, before the room is touched.
  await expect(runInRoom(room, { ...options(), maxToolSteps: -1 })).rejects.toThrow(InvalidArgumentError);
  await expect(runInRoom(room, { ...options(), voice: { options: { minInterruptionDuration: -1 } } })).rejects.toThrow(/minInterruptionDuration must be a non-negative/);
  expect(room.agentListenerCount()).toBe(0);
  expect(room.published).toEqual([]);
});

it('a room that is not connected is RoomAgentError', async () => {
  const room = new FakeRoom();
  room.isConnected = false;
  await expect(runInRoom(room, options())).rejects.toThrow(RoomAgentError);
  expect(room.agentListenerCount()).toBe(0);
  expect(room.textHandlers.size).toBe(0);
});

it('a track that cannot be published is RoomAgentError, and the room is left as it was', async () => {
  const room = new FakeRoom();
  room.localParticipant.publishTrack = async () => {
    throw new Error('permission denied: cannot publish');
  };
  const errors: unknown[] = [];
  const p = runInRoom(room, { ...options(), onError: (e) => errors.push(e) });
  await expect(p).rejects.toThrow(/publishing the agent's voice failed: .*permission denied/);
  await expect(p).rejects.toBeInstanceOf(RoomAgentError);
  expect(room.agentListenerCount()).toBe(0);
  expect(room.textHandlers.size).toBe(0);
  expect(errors).toEqual([]);
});
