import { afterAll, expect, it } from 'vitest';
import { runInRoom } from '../src/adapters/room-agent.js';
import type { RoomInputRefusal } from '../src/adapters/room-input-policy.js';
import { disposeRtc } from '../src/adapters/rtc-audio-output.js';
import { FakeTTS, ScriptedLLM } from '../src/testing/index.js';
import { FakeRoom, heardOnTrack } from './support/fake-room.js';
import { assistantSaid, itemAdded, lines } from './support/room-agent-fixture.js';

// Chat text ('lk.chat') goes through the room input policy: an allowed participant gets a spoken
// reply on the agent's published track; a participant not on the allow-list gets nothing.

afterAll(() => disposeRtc());

it('lk.chat from an allowed participant is answered on the published track; from a disallowed one it is refused', async () => {
  const room = new FakeRoom();
  room.join('alice');
  room.join('bob');
  const refusals: RoomInputRefusal[] = [];
  const errors: unknown[] = [];
  const llm = new ScriptedLLM({ replies: [{ when: { userInput: 'hello' }, reply: 'Hi Alice.' }] });
  const agent = await runInRoom(room, {
    llm,
    tts: new FakeTTS({ msPerChar: 30 }),
    inputPolicy: { allowedIdentities: ['alice'] },
    onRefused: (r) => refusals.push(r),
    onError: (e) => errors.push(e),
  });
  const { session } = agent;
  session.on('error', ({ error }) => errors.push(error));
  expect(room.published).toHaveLength(1);
  const heard = heardOnTrack(room.published[0]!.track, 200);

  // The refusal is decided as the stream opens: bob's words are never read, no speech is made.
  const bobReader = room.chat('bob', 'hello');
  expect(refusals.map((r) => [r.sender, r.reason])).toEqual([['bob', 'not-allowed']]);
  expect(bobReader.closed).toBe(true);
  expect(session.pendingSpeeches).toEqual([]);

  const reply = itemAdded(session, assistantSaid('Hi Alice.'));
  room.chat('alice', 'hello');
  await reply;
  expect(await heard.audible).toBeGreaterThanOrEqual(200);
  expect(lines(session)).toEqual(['user: hello', 'assistant: Hi Alice.']);
  expect(llm.requests).toHaveLength(1);

  const end = await agent.close();
  expect(end).toEqual({ reason: 'closed', participant: 'alice' });
  expect(room.agentListenerCount()).toBe(0);
  expect(room.textHandlers.size).toBe(0);
  expect(room.published[0]!.unpublished).toBe(true);
  expect(errors).toEqual([]);
  await room.closeAll();
});
