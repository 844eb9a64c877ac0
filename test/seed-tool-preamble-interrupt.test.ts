import { describe, expect, it } from 'vitest';
import { SpeechInterruptedError } from '../src/index.js';
import { FIRST_INPUT, PREAMBLE, SECOND_INPUT, seedSession } from './support/seed-fixture.js';

// The seed bug (livekit/agents #5359): a tool awaiting its preamble's playout is interrupted by
// API input; it must be released at once, and the session must serve the next input at once.
describe('seed: API input interrupts a tool waiting for its preamble', () => {
  it('rejects the wait inside the interrupt, records the error output, and serves the next turns', async () => {
    const { clock, session, probe, audioOutput } = seedSession({ extraReplies: [{ when: { userInput: 'One more thing' }, reply: 'Sure.' }] });
    const errors: Error[] = [];
    session.on('error', ({ error }) => errors.push(error));
    await session.start();
    const first = session.generateReply({ userInput: FIRST_INPUT });
    await clock.advance(100 + 800); // 0.8 s into the 1.7 s preamble
    expect(session.agentState).toBe('speaking');
    expect(probe.signal?.aborted).toBe(false);
    expect(probe.waitError).toBeUndefined();

    let macrotaskRan = false;
    setImmediate(() => (macrotaskRan = true));
    const interruptedAt = clock.now();
    const stopped = session.interrupt({ force: true });
    // Inside the call: the machines moved and the tool's signal fired.
    expect(first.interrupted).toBe(true);
    expect(probe.signal?.aborted).toBe(true);
    const second = session.generateReply({ userInput: SECOND_INPUT });
    // The tool's wait rejected in the microtasks right after the call, before any macrotask.
    await Promise.resolve();
    await Promise.resolve();
    expect(probe.waitError).toBeInstanceOf(SpeechInterruptedError);
    expect(macrotaskRan).toBe(false);
    expect(probe.waitResolved).toBe(false);

    await clock.runUntil(stopped, { what: 'session.interrupt()' });
    expect(clock.now()).toBe(interruptedAt); // audio stopped with no time passing: no timeout anywhere
    await clock.runUntil(second.waitForPlayout(), { what: 'the new reply' });
    expect(second.done()).toBe(true);

    const third = session.generateReply({ userInput: 'One more thing' });
    expect(third.done()).toBe(false);
    await clock.runUntil(third.waitForPlayout(), { what: 'the third reply' });
    expect(session.agentState).toBe('listening');
    expect(errors).toEqual([]);

    const items = session.history.map((i) =>
      i.type === 'message' ? `${i.role}:${i.content}${i.interrupted ? ' [interrupted]' : ''}` : i.type === 'function_call' ? `call:${i.name}` : `output:${i.isError}:${i.output}`,
    );
    expect(items).toEqual([
      `user:${FIRST_INPUT}`,
      'assistant:Sure, let me run [interrupted]',
      'call:slow_tool',
      'output:true:error: the tool was aborted because the user interrupted the speech',
      `user:${SECOND_INPUT}`,
      'assistant:Okay, something else then.',
      'user:One more thing',
      'assistant:Sure.',
    ]);
    expect(PREAMBLE.startsWith('Sure, let me run')).toBe(true); // 0.8 s at 20 characters a second
    // The heard preamble matches what the device played: 0.8 s of 1.7 s.
    expect(audioOutput.segments[0]).toMatchObject({ interrupted: true, playbackPosition: 0.8 });
    expect(audioOutput.segments[1]).toMatchObject({ interrupted: false });
    expect(probe.executed).toBe(1);
  });
});
