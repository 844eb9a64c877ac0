import { describe, expect, it } from 'vitest';
import { AgentSession, InvalidArgumentError, tool } from '../src/index.js';
import { FakeTTS, ScriptedLLM, VirtualAudioOutput, VirtualClock } from '../src/testing/index.js';
import { makeSession } from './support/session-fixture.js';

const parts = () => {
  const clock = new VirtualClock();
  return { llm: new ScriptedLLM({ replies: [] }), tts: new FakeTTS(), audioOutput: new VirtualAudioOutput(clock) };
};

describe('bad arguments get a typed error naming what was wrong', () => {
  it('new AgentSession', () => {
    const bad: [unknown, RegExp][] = [
      [undefined, /options must be an object/],
      [{ ...parts(), llm: {} }, /llm must have a chat/],
      [{ ...parts(), tts: null }, /tts must have a synthesize/],
      [{ ...parts(), audioOutput: { captureFrame() {} } }, /audioOutput\.flush must be a function/],
      [{ ...parts(), tools: { x: { description: 'd', execute() {} } } }, /tools\.x was not created with tool\(\)/],
      [{ ...parts(), tools: { 'bad name!': tool({ description: 'd', execute() {} }) } }, /tool name 'bad name!'/],
      [{ ...parts(), maxToolSteps: -1 }, /maxToolSteps must be a non-negative integer/],
      [{ ...parts(), maxToolSteps: 1.5 }, /maxToolSteps/],
      [{ ...parts(), instructions: 42 }, /instructions must be a string/],
      [{ ...parts(), allowInterruptions: 'yes' }, /allowInterruptions must be a boolean/],
      [{ ...parts(), inspect: 5 }, /inspect must be an XState inspection observer/],
    ];
    for (const [o, msg] of bad) {
      expect(() => new AgentSession(o as never), String(msg)).toThrow(InvalidArgumentError);
      expect(() => new AgentSession(o as never)).toThrow(msg);
    }
  });

  it('say, generateReply, interrupt, on', async () => {
    const { session } = makeSession();
    expect(() => session.say(42 as never)).toThrow(/text must be a string or an AsyncIterable<string>, got number/);
    expect(() => session.say('x', { priority: 'high' } as never)).toThrow(/option 'priority' must be a number, got string/);
    expect(() => session.say('x', { priority: Number.NaN })).toThrow(/'priority' must be a finite number/);
    expect(() => session.say('x', { allowInterruption: false } as never)).toThrow(/unknown option 'allowInterruption'/);
    expect(() => session.generateReply({ userInput: 5 } as never)).toThrow(/option 'userInput' must be a string, got number/);
    expect(() => session.generateReply('hi' as never)).toThrow(/options must be an object, got string/);
    await expect(session.interrupt({ force: 'yes' } as never)).rejects.toThrow(/option 'force' must be a boolean/);
    expect(() => session.on('close', 'nope' as never)).toThrow(/listener for 'close' must be a function/);
    for (const e of [() => session.say(42 as never), () => session.generateReply('x' as never)]) expect(e).toThrow(InvalidArgumentError);
  });

  it('speech handle methods', async () => {
    const { session, clock } = makeSession();
    await session.start();
    const h = session.say('hello');
    expect(() => h.interrupt(null as never)).toThrow(InvalidArgumentError);
    expect(() => h.waitIfNotInterrupted('x' as never)).toThrow(/expected a promise/);
    expect(() => h.addDoneCallback(3 as never)).toThrow(/callback must be a function/);
    await clock.runAll();
  });

  it('tool()', () => {
    expect(() => tool(null as never)).toThrow(/expected a definition object/);
    expect(() => tool({ description: 3, execute() {} } as never)).toThrow(/description must be a string/);
    expect(() => tool({ description: 'd' } as never)).toThrow(/execute must be a function/);
    expect(() => tool({ description: 'd', parameters: 'x', execute() {} } as never)).toThrow(/parameters must be a JSON Schema object/);
    expect(() => tool({ description: 'd', parameters: { type: 'nonsense' }, execute() {} })).toThrow(/not a valid JSON Schema/);
  });

  it('the LLM yielding a malformed chunk fails that speech with a clear error', async () => {
    const { session, clock, errors } = makeSession({ replies: [{ reply: [{ type: 'audio' } as never] }] });
    await session.start();
    await expect(clock.runUntil(session.generateReply().waitForPlayout())).rejects.toThrow(/unknown LLM chunk type "audio"/);
    expect(errors[0]?.source).toBe('llm');
  });
});
