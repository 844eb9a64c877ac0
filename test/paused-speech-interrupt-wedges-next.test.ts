import { describe, expect, it } from 'vitest';
import { makeSession } from './support/session-fixture.js';

// Found by the model's progress property (test/model-invariants.test.ts), shortest path:
//   START → REPLY → REPLY → PAUSE → INTERRUPT_SPEECH(speech=0) → TEXT_CHUNK → STEP_DONE
// A speech paused before its first audio frame, then interrupted (or failed), leaves the audio
// output paused: `stopAudio` returns early when no segment is open, so `clearBuffer()` (which ends
// a pause) is never called, and no `resume()` either. The next speech plays into a paused output;
// its playout never completes and it holds the floor for ever.
describe('a speech interrupted while paused before any audio', () => {
  it('does not leave the audio output paused for the next speech', async () => {
    const { clock, session, audioOutput } = makeSession({
      replies: [
        { when: { userInput: 'first' }, reply: 'First answer.', ttftMs: 500 },
        { when: { userInput: 'second' }, reply: 'Second answer.' },
      ],
    });
    await session.start();
    const first = session.generateReply({ userInput: 'first' });
    await clock.advance(100); // generating; no frame yet
    expect(first.pause()).toBe(true);
    first.interrupt();
    expect(first.interrupted).toBe(true);
    expect(audioOutput.isPaused).toBe(false); // fails: the output is still paused
    const second = session.generateReply({ userInput: 'second' });
    await clock.runUntil(second.waitForPlayout(), { maxMs: 60_000, what: 'the next reply' });
    expect(session.agentState).toBe('listening');
  });
});
