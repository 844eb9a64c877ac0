import { AssertionError } from 'node:assert';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, type RunResult } from '../src/index.js';
import { runSession } from './support/run-fixture.js';

/** A weather turn: [0] message, [1] function_call lookup, [2] function_call_output, [3] message. */
async function weatherRun(): Promise<RunResult> {
  const { clock, session } = await runSession({ audio: false });
  return clock.runUntil(session.run({ userInput: 'Weather in Paris?' }).wait());
}

/** A transfer turn: [0] function_call transfer, [1] function_call_output, [2] agent_handoff, [3] message. */
async function transferRun(): Promise<RunResult> {
  const { clock, session } = await runSession({ audio: false });
  return clock.runUntil(session.run({ userInput: 'Billing please' }).wait());
}

/** The AssertionError `fn` throws. */
function failure(fn: () => unknown): AssertionError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AssertionError);
    return e as AssertionError;
  }
  throw new Error('expected an AssertionError');
}

describe('RunAssert', () => {
  it('nextEvent walks the events in order; with a type it skips the others', async () => {
    const r = await weatherRun();
    expect(r.expect.nextEvent().event.type).toBe('message');
    const out = r.expect.nextEvent({ type: 'function_call_output' });
    expect(out.index).toBe(2);
    out.isFunctionCallOutput({ output: 'sunny in Paris', isError: false });
    r.expect.nextEvent().isMessage({ role: 'assistant' });
    r.expect.noMoreEvents();
  });

  it('at() takes any index, negative from the end, without moving the cursor', async () => {
    const r = await weatherRun();
    r.expect.at(1).isFunctionCall({ name: 'lookup' });
    r.expect.at(-1).isMessage({ role: 'assistant' });
    r.expect.nextEvent().isMessage(); // still at [0]
    expect(failure(() => r.expect.at(4)).message).toMatch(/^event \[4\]: out of range, the run has 4 event\(s\)/);
  });

  it('skipNext moves past n events, and fails when fewer are left', async () => {
    const r = await weatherRun();
    r.expect.skipNext().skipNext(2).nextEvent().isMessage();
    expect(failure(() => r.expect.skipNext()).message).toMatch(/^event \[4\]: cannot skip 1 event\(s\), the run has only 4 event\(s\)/);
  });

  it('skipNextEventIf skips only a matching next event', async () => {
    const r = await weatherRun();
    r.expect.skipNextEventIf({ type: 'function_call' }); // [0] is a message: stays
    r.expect.skipNextEventIf({ type: 'message', role: 'user' }); // not a user message: stays
    r.expect.skipNextEventIf({ type: 'message', role: 'assistant' }); // skipped
    r.expect.skipNextEventIf({ type: 'function_call', name: 'lookup', args: { city: 'Rome' } }); // other args: stays
    r.expect.skipNextEventIf({ type: 'function_call', name: 'lookup', args: { city: 'Paris' } }); // skipped
    r.expect.skipNextEventIf({ type: 'function_call_output' }).skipNextEventIf({ type: 'agent_handoff' });
    r.expect.nextEvent().isMessage();
    r.expect.skipNextEventIf({ type: 'message' }); // none left: nothing happens
    r.expect.noMoreEvents();
  });

  it('contains... finds an event anywhere, without moving the cursor', async () => {
    const r = await transferRun();
    expect(r.expect.containsAgentHandoff({ newAgentId: 'billing' }).index).toBe(2);
    expect(r.expect.containsAgentHandoff().event.item).toMatchObject({ oldAgentId: 'front_desk', newAgentId: 'billing' });
    expect(r.expect.containsMessage({ role: 'assistant' }).index).toBe(3);
    expect(r.expect.containsFunctionCall({ name: 'transfer' }).index).toBe(0);
    expect(r.expect.containsFunctionCallOutput({ isError: false }).index).toBe(1);
    r.expect.nextEvent().isFunctionCall({ name: 'transfer' }); // cursor still at [0]
    const m = failure(() => r.expect.containsAgentHandoff({ newAgentId: 'sales' })).message;
    expect(m).toMatch(/^expected an agent_handoff to 'sales' somewhere in the run, but none of events \[0\.\.3\] is one/);
  });
});

describe('EventAssert', () => {
  it('isFunctionCall matches args as a deep subset of the parsed arguments', async () => {
    const r = await weatherRun();
    const call = r.expect.at(1);
    call.isFunctionCall({ args: {} }).isFunctionCall({ args: { city: 'Paris' } }).isFunctionCall({ name: 'lookup', args: { city: 'Paris', days: 1 } });
    expect(failure(() => call.isFunctionCall({ args: { city: 'Rome' } })).message).toMatch(/^event \[1\]: expected a function_call with args \{"city":"Rome"\}, got args\.city "Paris" \(expected "Rome"\)/);
    expect(failure(() => call.isFunctionCall({ args: { country: 'FR' } })).message).toMatch(/got no args\.country \(expected "FR"\)/);
  });

  it('each is... fails on another type or another field, naming the index and what was expected', async () => {
    const r = await transferRun();
    expect(failure(() => r.expect.at(0).isMessage()).message).toMatch(/^event \[0\]: expected a message, got function_call transfer\(\{\}\)/);
    expect(failure(() => r.expect.at(3).isMessage({ role: 'user' })).message).toMatch(/^event \[3\]: expected a message with role 'user', got a message with role 'assistant'/);
    expect(failure(() => r.expect.at(0).isFunctionCall({ name: 'lookup' })).message).toMatch(/expected a function_call named 'lookup', got a function_call named 'transfer'/);
    expect(failure(() => r.expect.at(1).isFunctionCallOutput({ isError: true })).message).toMatch(/^event \[1\]: expected a function_call_output with isError true, got isError false/);
    expect(failure(() => r.expect.at(1).isFunctionCallOutput({ output: 'done' })).message).toMatch(/expected a function_call_output with output "done", got output ""/);
    expect(failure(() => r.expect.at(2).isAgentHandoff({ newAgentId: 'sales' })).message).toMatch(/^event \[2\]: expected an agent_handoff to 'sales', got an agent_handoff to 'billing'/);
  });

  it('a failure lists the run’s events, pointing at the one in question', async () => {
    const r = await transferRun();
    const m = failure(() => r.expect.nextEvent().isMessage()).message;
    expect(m).toBe(
      [
        'event [0]: expected a message, got function_call transfer({})',
        'Events of the run (user input "Billing please"):',
        '>>> [0] function_call transfer({})',
        '    [1] function_call_output transfer: ""',
        '    [2] agent_handoff front_desk -> billing',
        '    [3] message assistant: "Billing here, how can I help?"',
      ].join('\n'),
    );
  });

  it('nextEvent with none left and noMoreEvents with some left fail with the index', async () => {
    const r = await weatherRun();
    expect(failure(() => r.expect.noMoreEvents()).message).toMatch(/^event \[0\]: expected no more events, got message assistant: "Let me check\."/);
    r.expect.skipNext(4);
    expect(failure(() => r.expect.nextEvent()).message).toMatch(/^event \[4\]: expected another event, but the run has only 4 event\(s\)/);
    const r2 = await weatherRun();
    r2.expect.skipNext(3);
    expect(failure(() => r2.expect.nextEvent({ type: 'agent_handoff' })).message).toMatch(/^event \[3\]: expected another agent_handoff event, but only 1 event\(s\) are left/);
  });

  it('bad options are InvalidArgumentErrors, not failed expectations', async () => {
    const r = await weatherRun();
    expect(() => r.expect.at(0).isMessage({ rol: 'user' } as never)).toThrow(InvalidArgumentError);
    expect(() => r.expect.at(1).isFunctionCall({ args: 'city' as never })).toThrow(/option 'args' must be an object/);
    expect(() => r.expect.nextEvent({ type: 'tool' as never })).toThrow(/type must be one of message, function_call, function_call_output, agent_handoff/);
    expect(() => r.expect.at(1.5)).toThrow(InvalidArgumentError);
  });
});
