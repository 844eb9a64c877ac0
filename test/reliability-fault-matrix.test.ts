import { describe, expect, it } from 'vitest';
import {
  AgentSession,
  InterruptionRefusedError,
  InvalidArgumentError,
  SessionClosedError,
  SpeechFailedError,
  SpeechInterruptedError,
  createAudioFrame,
  tool,
} from '../src/index.js';
import { FakeTTS, ScriptedLLM, VirtualAudioOutput, VirtualClock, type ScriptedReply } from '../src/testing/index.js';
import { FailingCaptureOutput, FlakyTTS, WatchedSession, type ToolBehaviour } from './support/reliability.js';

// The fault matrix: each fault is injected into the same conversation (a preamble with a tool that
// awaits its playout), then the session must serve the next input and close cleanly, and the
// invariants hold: 0 lost user inputs, 0 unsettled handles, waits or tool runs, typed errors only.
// Unhandled rejections fail the run (vitest). Virtual time only.

const PREAMBLE = 'Let me check that for you, one moment please.'; // 46 chars: 2.3 s of audio
const call = (name: string, callId = 'call_1') => ({ type: 'toolCall' as const, callId, name, arguments: '{}' });

function conversation(o: { tool?: ToolBehaviour; first?: Partial<ScriptedReply>; tts?: ConstructorParameters<typeof WatchedSession>[1]['tts']; audioOutput?: (c: VirtualClock) => VirtualAudioOutput } = {}) {
  const clock = new VirtualClock();
  const w = new WatchedSession(clock, {
    tools: { lookup: o.tool ?? 'waits' },
    workMs: 3000,
    ...(o.tts ? { tts: o.tts } : {}),
    ...(o.audioOutput ? { audioOutput: o.audioOutput(clock) } : {}),
    replies: [
      { when: { userInput: 'first' }, reply: [PREAMBLE, call('lookup')], ttftMs: 100, ...(o.first ?? {}) },
      { when: { afterTool: 'lookup' }, reply: 'Here is what I found.' },
      { when: { userInput: /^next/ }, reply: 'Sure, next one.', ttftMs: 50 },
    ],
  });
  return { clock, w, session: w.session };
}

/** The recovery every fault must allow: a new input is served in full, then close() needs no time. */
async function recoverAndClose(c: ReturnType<typeof conversation>, o: { expectErrors?: boolean } = {}) {
  const { clock, w, session } = c;
  const next = w.reply('next please');
  await clock.runUntil(next.waitForPlayout(), { what: 'the reply after the fault' });
  expect(next.outcome).toBe('done');
  const t0 = clock.now();
  await clock.runUntil(session.close(), { what: 'close()' });
  expect(clock.now()).toBe(t0);
  await w.settle();
  expect(w.violations(o)).toEqual([]);
}

describe('fault matrix', () => {
  it('LLM stream error mid-step: the speech fails typed, the waiting tool is released, the next input is served', async () => {
    const c = conversation({ first: { reply: [PREAMBLE, call('lookup'), ' and more'], chunkDelayMs: 800, error: new Error('LLM stream reset') } });
    await c.session.start();
    const h = c.w.reply('first');
    await c.clock.runUntil(h.waitForPlayout().catch(() => {}));
    expect(h.outcome).toBe('failed');
    await expect(h.waitForPlayout()).rejects.toBeInstanceOf(SpeechFailedError);
    const ex = c.w.executions[0]!;
    expect(ex.signal.aborted).toBe(true);
    expect(ex.waitError).toBeInstanceOf(SpeechFailedError);
    expect(c.w.errors.map((e) => [e.source, e.error.message])).toEqual([['llm', 'LLM stream reset']]);
    await recoverAndClose(c, { expectErrors: true });
  });

  it('LLM that throws before its first chunk: the speech fails, the user input is still in history', async () => {
    const c = conversation({ first: { reply: [], error: new Error('LLM unavailable') } });
    await c.session.start();
    const h = c.w.reply('first');
    await c.clock.runUntil(h.waitForPlayout().catch(() => {}));
    expect(h.outcome).toBe('failed');
    expect(c.w.userMessages()).toEqual(['first']);
    await recoverAndClose(c, { expectErrors: true });
  });

  it('TTS error mid-step: the speech fails at once with the TTS error, the next reply plays', async () => {
    const c = conversation({ tts: new FlakyTTS({ failOnCall: 1, frames: 20, error: new Error('TTS quota exceeded') }) });
    await c.session.start();
    const h = c.w.reply('first');
    await c.clock.runUntil(h.waitForPlayout().catch(() => {}));
    expect(h.outcome).toBe('failed');
    expect(c.w.errors.map((e) => e.source)).toEqual(['tts']);
    expect(c.w.executions[0]?.waitError).toBeInstanceOf(SpeechFailedError);
    await recoverAndClose(c, { expectErrors: true });
  });

  it('audio sink captureFrame rejects: the speech fails as audio_output, the next reply plays', async () => {
    const c = conversation({ audioOutput: (clock) => new FailingCaptureOutput(clock, 30, new Error('device unplugged')) });
    await c.session.start();
    const h = c.w.reply('first');
    await c.clock.runUntil(h.waitForPlayout().catch(() => {}));
    expect(h.outcome).toBe('failed');
    expect(c.w.errors.map((e) => e.source)).toEqual(['audio_output']);
    await recoverAndClose(c, { expectErrors: true });
  });

  it('tool throws ToolError: its message is the output, the reply goes on to its tool step', async () => {
    const c = conversation({ tool: 'toolError' });
    await c.session.start();
    const h = c.w.reply('first');
    await c.clock.runUntil(h.waitForPlayout());
    const out = c.session.history.find((i) => i.type === 'function_call_output');
    expect(out).toMatchObject({ isError: true, output: 'lookup refused' });
    expect(c.session.history.at(-1)).toMatchObject({ role: 'assistant', content: 'Here is what I found.' });
    await recoverAndClose(c);
  });

  it('tool throws a plain error: generic output for the LLM, details on the error event', async () => {
    const c = conversation({ tool: 'crashes' });
    await c.session.start();
    await c.clock.runUntil(c.w.reply('first').waitForPlayout());
    expect(c.session.history.find((i) => i.type === 'function_call_output')).toMatchObject({ isError: true, output: 'An internal error occurred' });
    expect(c.w.errors.map((e) => [e.source, e.error.message])).toEqual([['tool', 'lookup crashed']]);
    await recoverAndClose(c, { expectErrors: true });
  });

  it('tool ignores its signal and never settles: interrupt settles the speech and records the abort at once', async () => {
    const c = conversation({ tool: 'hangs' });
    await c.session.start();
    const h = c.w.reply('first');
    await c.clock.advance(5000); // preamble played; the tool still hangs
    expect(h.state).toEqual({ active: 'awaitingTools' });
    const t0 = c.clock.now();
    const stopped = c.session.interrupt();
    expect(h.interrupted).toBe(true);
    expect(c.w.executions[0]?.signal.aborted).toBe(true);
    await c.clock.runUntil(stopped);
    expect(c.clock.now()).toBe(t0);
    expect(c.session.history.find((i) => i.type === 'function_call_output')).toMatchObject({ isError: true });
    await recoverAndClose(c);
  });

  it('tool ignores its signal and settles late: the late result is discarded, never recorded twice', async () => {
    const c = conversation({ tool: 'ignoresSignal' });
    await c.session.start();
    const h = c.w.reply('first');
    await c.clock.advance(1000);
    await c.clock.runUntil(c.session.interrupt());
    expect(h.interrupted).toBe(true);
    await c.clock.advance(5000); // the tool returns now
    expect(c.w.discarded).toEqual([{ callId: 'call_1', outcome: 'result' }]);
    await recoverAndClose(c);
  });

  it('audio sink stalls then recovers: interrupt still releases the tool; later input is queued, then served', async () => {
    const c = conversation();
    c.w.audioOutput.stalled = true;
    await c.session.start();
    const h = c.w.reply('first');
    // Past the preamble's end (2.4 s), which is never reported; inside the 10 s stall limit, so this
    // is a stall the sink recovers from (test/stalled-audio-sink.test.ts has the one it does not).
    await c.clock.advance(4_000);
    expect(h.state).toEqual({ active: 'playingOut' });
    expect(c.w.executions[0]?.waitPending).toBe(true);
    const stopped = c.session.interrupt();
    await c.w.settle();
    expect(c.w.executions[0]?.waitError).toBeInstanceOf(SpeechInterruptedError);
    await c.clock.runUntil(stopped); // clearBuffer reports even from a stalled sink
    // A say() whose flush is not reported holds the floor until the sink recovers (within the limit); input queues behind it.
    const stuck = c.session.say('Stuck at the end.');
    await c.clock.advance(3_000);
    const later = c.w.reply('next while stalled');
    await c.clock.advance(3_000);
    expect(stuck.done()).toBe(false);
    expect(later.state).toBe('queued');
    c.w.audioOutput.recover();
    await c.clock.runUntil(later.waitForPlayout());
    expect(c.w.userMessages()).toEqual(['first', 'next while stalled']);
    await recoverAndClose(c);
  });

  it('an uninterruptible speech refuses a plain interrupt with a typed error and yields to force', async () => {
    const c = conversation();
    await c.session.start();
    const h = c.session.say('This one must be heard in full.', { allowInterruptions: false });
    await c.clock.advance(300);
    await expect(c.session.interrupt()).rejects.toBeInstanceOf(InterruptionRefusedError);
    expect(() => h.interrupt()).toThrow(InterruptionRefusedError);
    expect(h.done()).toBe(false);
    await c.clock.runUntil(c.session.interrupt({ force: true }));
    expect(h.interrupted).toBe(true);
    await recoverAndClose(c);
  });
});

describe('close() during each phase', () => {
  type Phase = { name: string; setup: (c: ReturnType<typeof conversation>) => Promise<void>; tool?: ToolBehaviour };
  const phases: Phase[] = [
    { name: 'before start', setup: async () => {} },
    { name: 'idle after start', setup: async (c) => c.session.start() },
    {
      name: 'queued (created before start)',
      setup: async (c) => {
        c.w.reply('first');
      },
    },
    {
      name: 'generating, before any audio',
      setup: async (c) => {
        await c.session.start();
        c.w.reply('first');
        await c.clock.advance(50);
      },
    },
    {
      name: 'playing the preamble, tool awaiting its playout',
      setup: async (c) => {
        await c.session.start();
        c.w.reply('first');
        await c.clock.advance(800);
        expect(c.w.executions[0]?.waitPending).toBe(true);
      },
    },
    {
      name: 'paused (barge-in hold)',
      setup: async (c) => {
        await c.session.start();
        const h = c.w.reply('first');
        await c.clock.advance(800);
        expect(h.pause()).toBe(true);
      },
    },
    {
      name: 'awaiting a tool after the preamble played',
      tool: 'waitsThenWorks',
      setup: async (c) => {
        await c.session.start();
        const h = c.w.reply('first');
        await c.clock.advance(3000);
        expect(h.state).toEqual({ active: 'awaitingTools' });
      },
    },
    {
      name: 'generating the tool step',
      setup: async (c) => {
        await c.session.start();
        const h = c.w.reply('first');
        await c.clock.advance(2400);
        expect(c.session.history.some((i) => i.type === 'function_call_output')).toBe(true);
        expect(h.done()).toBe(false);
      },
    },
    {
      name: 'a queued speech behind a playing one',
      setup: async (c) => {
        await c.session.start();
        c.w.reply('first');
        c.session.say('queued behind');
        await c.clock.advance(500);
      },
    },
  ];

  for (const p of phases) {
    it(`${p.name}: close() settles everything with no time passing and refuses new work`, async () => {
      const c = conversation({ tool: p.tool ?? 'waits' });
      const closeEvents: unknown[] = [];
      c.session.on('close', (e) => closeEvents.push(e));
      await p.setup(c);
      const t0 = c.clock.now();
      const closing = c.session.close();
      expect(c.session.close()).toBe(closing); // idempotent, concurrent calls share one close
      // Inside the call: every speech is final, every tool signal aborted.
      for (const h of c.w.handles) expect(h.done(), `${h.id} final inside close()`).toBe(true);
      for (const ex of c.w.executions) if (!ex.finished) expect(ex.signal.aborted, `${ex.name} still running`).toBe(true);
      await c.clock.runUntil(closing, { what: 'close()' });
      expect(c.clock.now()).toBe(t0);
      await c.w.settle();
      for (const ex of c.w.executions) if (ex.waitOutcome === 'rejected') expect((ex.waitError as SpeechInterruptedError).reason).toBe('close');
      for (const [h, w] of c.w.waits) if (w.error) expect(w.error, h.id).toBeInstanceOf(SpeechInterruptedError);
      expect(closeEvents).toEqual([{ reason: 'user' }]);
      expect(() => c.session.say('after')).toThrow(SessionClosedError);
      expect(() => c.session.generateReply({ userInput: 'after' })).toThrow(SessionClosedError);
      await expect(c.session.start()).rejects.toBeInstanceOf(SessionClosedError);
      await c.clock.runAll();
      // A reply closed before it started does not keep its input (see GAP in the interrupt storm suite).
      expect(c.w.violations({ allowLostInputs: p.name.startsWith('queued') })).toEqual([]);
    });
  }
});

describe('bad arguments to every public method: a typed error naming the problem', () => {
  const parts = () => {
    const clock = new VirtualClock();
    return { clock, llm: new ScriptedLLM({ replies: [{ reply: 'ok' }] }), tts: new FakeTTS(), audioOutput: new VirtualAudioOutput(clock) };
  };

  it('new AgentSession(...)', () => {
    const { clock: _c, ...p } = parts();
    const cases: [unknown, RegExp][] = [
      [undefined, /options must be an object/],
      [null, /options must be an object/],
      [{ ...p, llm: undefined }, /llm must have a chat/],
      [{ ...p, tts: {} }, /tts must have a synthesize/],
      [{ ...p, audioOutput: undefined }, /audioOutput is required with tts/],
      [{ ...p, audioOutput: { captureFrame() {}, flush() {}, clearBuffer() {} } }, /audioOutput\.waitForPlayout must be a function/],
      [{ ...p, tools: 'lookup' }, /tools must be a record of tool\(\) definitions/],
      [{ ...p, tools: { t: () => 1 } }, /tools\.t was not created with tool\(\)/],
      [{ ...p, maxToolSteps: '3' }, /maxToolSteps/],
      [{ ...p, instructions: {} }, /instructions must be a string/],
      [{ ...p, allowInterruptions: 1 }, /allowInterruptions must be a boolean/],
      [{ ...p, inspect: 'console' }, /inspect must be an XState inspection observer/],
    ];
    for (const [o, msg] of cases) {
      let err: unknown;
      try {
        new AgentSession(o as never);
      } catch (e) {
        err = e;
      }
      expect(err, String(msg)).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).toMatch(msg);
    }
  });

  it('session.say / generateReply / interrupt / on', async () => {
    const { clock, ...p } = parts();
    const session = new AgentSession(p);
    await session.start();
    const sync: [() => unknown, RegExp][] = [
      [() => session.say(undefined as never), /say: text must be a string or an AsyncIterable<string>, got undefined/],
      [() => session.say({} as never), /got object/],
      [() => session.say('x', null as never), /say: options must be an object, got null/],
      [() => session.say('x', { priority: Infinity }), /'priority' must be a finite number/],
      [() => session.say('x', { addToHistory: 'no' } as never), /'addToHistory' must be a boolean, got string/],
      [() => session.say('x', { volume: 1 } as never), /unknown option 'volume'/],
      [() => session.generateReply(42 as never), /generateReply: options must be an object, got number/],
      [() => session.generateReply({ instructions: 1 } as never), /'instructions' must be a string, got number/],
      [() => session.generateReply({ allowInterruptions: 'true' } as never), /'allowInterruptions' must be a boolean/],
      [() => session.generateReply({ user_input: 'hi' } as never), /unknown option 'user_input'/],
      [() => session.on('error', undefined as never), /listener for 'error' must be a function/],
    ];
    for (const [f, msg] of sync) {
      expect(f, String(msg)).toThrow(InvalidArgumentError);
      expect(f).toThrow(msg);
    }
    await expect(session.interrupt([] as never)).rejects.toThrow(/interrupt: options must be an object, got array/);
    await expect(session.interrupt({ force: 1 } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(session.interrupt({ now: true } as never)).rejects.toThrow(/unknown option 'now'/);
    // A bad call changes nothing: the session still serves.
    await clock.runUntil(session.say('still fine').waitForPlayout());
    await clock.runUntil(session.close());
  });

  it('SpeechHandle methods', async () => {
    const { clock, ...p } = parts();
    const session = new AgentSession(p);
    await session.start();
    const h = session.say('hello there');
    expect(() => h.interrupt('force' as never)).toThrow(InvalidArgumentError);
    expect(() => h.waitIfNotInterrupted(undefined as never)).toThrow(/waitIfNotInterrupted: expected a promise/);
    expect(() => h.waitIfNotInterrupted({ then: 1 } as never)).toThrow(InvalidArgumentError);
    expect(() => h.addDoneCallback('cb' as never)).toThrow(/addDoneCallback: callback must be a function/);
    await clock.runUntil(h.waitForPlayout());
    await clock.runUntil(session.close());
  });

  it('tool() and createAudioFrame()', () => {
    expect(() => tool(undefined as never)).toThrow(InvalidArgumentError);
    expect(() => tool({ description: 'd', execute: 'run' } as never)).toThrow(/execute must be a function/);
    expect(() => tool({ description: 'd', parameters: { type: 'object', properties: { x: { type: 'bogus' } } }, execute() {} })).toThrow(/not a valid JSON Schema/);
    expect(() => createAudioFrame(new Int16Array(3), 24000, 2)).toThrow(/data length 3 is not a multiple of channels 2/);
    expect(() => createAudioFrame(new Int16Array(2), 0, 1)).toThrow(/sampleRate must be a positive integer/);
    expect(() => createAudioFrame(new Int16Array(2), 24000, 1.5)).toThrow(/channels must be a positive integer/);
  });

  it('bad tool-call arguments from the LLM become an error output naming the problem, not a crash', async () => {
    const clock = new VirtualClock();
    const typed = tool<{ city: string }>({
      description: 'weather',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      execute: ({ city }) => `sunny in ${city}`,
    });
    const llm = new ScriptedLLM({
      clock,
      replies: [
        { when: { userInput: 'go' }, reply: [{ type: 'toolCall', callId: 'a', name: 'weather', arguments: '{"city": 5}' }, { type: 'toolCall', callId: 'b', name: 'weather', arguments: '{not json' }, { type: 'toolCall', callId: 'c', name: 'nope', arguments: '{}' }] },
        { when: { afterTool: 'nope' }, reply: 'Sorry.' },
      ],
    });
    const session = new AgentSession({ llm, tts: new FakeTTS(), audioOutput: new VirtualAudioOutput(clock), tools: { weather: typed } });
    await session.start();
    await clock.runUntil(session.generateReply({ userInput: 'go' }).waitForPlayout());
    const outputs = session.history.flatMap((i) => (i.type === 'function_call_output' ? [i.output] : []));
    expect(outputs[0]).toMatch(/invalid arguments for weather: .*city.*string/);
    expect(outputs[1]).toMatch(/invalid arguments for weather: .*JSON/);
    expect(outputs[2]).toBe('Unknown function: nope');
    await clock.runUntil(session.close());
  });

  // Gaps this suite found, since fixed in the core.
  it('session.on() with an unknown event name is refused (a typo would never fire)', () => {
    const { clock: _c, ...p } = parts();
    const session = new AgentSession(p);
    expect(() => session.on('speech_finished' as never, () => {})).toThrow(InvalidArgumentError);
  });

  it('SpeechHandle.interrupt({ force: "yes" }) is rejected, not taken as force=false', async () => {
    const { clock, ...p } = parts();
    const session = new AgentSession(p);
    await session.start();
    const h = session.say('hello there');
    try {
      expect(() => h.interrupt({ force: 'yes' } as never)).toThrow(InvalidArgumentError);
    } finally {
      await clock.runUntil(session.close());
    }
  });
});
