import { AutoSubscribe, type JobContext } from '@livekit/agents';
import { afterAll, expect, it, vi } from 'vitest';
import { disposeRtc } from '../src/adapters/rtc-audio-output.js';
import worker, { entry } from '../examples/livekit-worker.js';
import { FakeRoom, heardOnTrack } from './support/fake-room.js';

// The worker example's job, offline: its entry function gets a fake JobContext whose room is the
// fake room (real rtc-node tracks, rtc-node's events) and whose connect() resolves. The session
// answers chat on the published track, and ends (and ends the job) when the participant leaves.
// Everything past the room (server connection, dispatch, job processes) is not exercised here.

afterAll(() => {
  vi.unstubAllEnvs();
  return disposeRtc();
});
// No provider keys: the job runs on speechcharts' own stand-in models, offline.
vi.stubEnv('OPENAI_API_KEY', '');
vi.stubEnv('DEEPGRAM_API_KEY', '');

function fakeJobContext(room: FakeRoom) {
  const shutdowns: string[] = [];
  const callbacks: (() => Promise<void>)[] = [];
  const connects: unknown[][] = [];
  const ctx = {
    room,
    proc: { userData: {} as Record<string, unknown> },
    job: { participant: undefined },
    connect: async (...args: unknown[]) => {
      connects.push(args);
    },
    addShutdownCallback: (cb: () => Promise<void>) => callbacks.push(cb),
    shutdown: (reason: string) => shutdowns.push(reason),
  };
  return { ctx: ctx as unknown as JobContext, shutdowns, callbacks, connects, proc: ctx.proc };
}

it('the job connects, runs a session in the room that answers chat, and ends the job when the participant leaves', async () => {
  const room = new FakeRoom();
  const alice = room.join('alice');
  const job = fakeJobContext(room);
  // prewarm loads the VAD into the process; the job takes it.
  await worker.prewarm!(job.ctx.proc);
  expect(job.proc.userData.vad).toBeDefined();

  const running = entry(job.ctx);
  const published = await room.whenPublished();
  expect(job.connects).toEqual([[undefined, AutoSubscribe.AUDIO_ONLY]]);
  expect(job.proc.userData.vad).toBeUndefined();
  const heard = heardOnTrack(published.track, 300);
  await room.whenChatHandled();
  room.chat('alice', 'hello there');
  expect(await heard.audible).toBeGreaterThanOrEqual(300);

  room.leave(alice);
  expect(await running).toEqual({ reason: 'participant_disconnected', participant: 'alice' });
  expect(job.shutdowns).toEqual(['speechcharts session ended: participant_disconnected']);
  expect(published.unpublished).toBe(true);
  expect(room.agentListenerCount()).toBe(0);
  // The worker's shutdown runs the job's callbacks: closing an ended agent again is harmless.
  for (const cb of job.callbacks) await cb();
  await room.closeAll();
});
