import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/errors.js';
import { makeSession } from './support/session-fixture.js';
import { turnSession } from './support/turn-fixture.js';

// 'manual' turn detection (push-to-talk): nothing is committed until session.commitUserTurn();
// session.clearUserTurn() forgets what was said.

describe("turn detection 'manual'", () => {
  it('nothing is committed by silence; commitUserTurn() commits at once', async () => {
    const { clock, session, commits, voice } = await turnSession({ speeches: [{ startMs: 0, endMs: 1000 }], transcripts: [{ final: { text: 'Hello', afterEndMs: 100 } }], turn: { turnDetection: 'manual' } });
    await clock.advance(10_000);
    expect(commits()).toEqual([]);
    session.commitUserTurn();
    await clock.advance(0);
    expect(commits()).toEqual(['Hello@10000']);
    voice.close();
  });

  it('a commit asked while the user speaks waits for the end of speech and the final transcript', async () => {
    const { clock, session, commits, voice } = await turnSession({ speeches: [{ startMs: 0, endMs: 1000 }], transcripts: [{ final: { text: 'Hello', afterEndMs: 300 } }], turn: { turnDetection: 'manual' } });
    await clock.advance(900);
    session.commitUserTurn(); // the button released before the VAD heard the end
    await clock.advance(1000);
    expect(commits()).toEqual(['Hello@1300']);
    voice.close();
  });

  it('clearUserTurn() forgets the turn: only what is said next is committed', async () => {
    const { clock, session, commits, voice } = await turnSession({
      speeches: [
        { startMs: 0, endMs: 1000 },
        { startMs: 3000, endMs: 4000 },
      ],
      transcripts: [{ final: { text: 'Hello there', afterEndMs: 100 } }, { final: { text: 'Yes', afterEndMs: 100 } }],
      turn: { turnDetection: 'manual' },
    });
    await clock.advance(2000);
    session.clearUserTurn();
    await clock.advance(3000);
    session.commitUserTurn();
    await clock.advance(0);
    expect(commits()).toEqual(['Yes@5000']);
    voice.close();
  });

  it('the voice input has the same controls; without a voice input the session says so', async () => {
    const { session } = makeSession();
    await session.start();
    expect(() => session.commitUserTurn()).toThrow(InvalidArgumentError);
    expect(() => session.clearUserTurn()).toThrow(/no voice input is attached/);
  });
});
