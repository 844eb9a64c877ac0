import { AsyncLocalStorage } from 'node:async_hooks';
import type { AnyActorRef, InspectionEvent } from 'xstate';
import { AgentSession } from '../agent-session.js';
import type { Agent } from '../agents/agent.js';
import { handoff } from '../agents/handoff.js';
import type { Tool } from '../tool.js';
import type { AudioFrame } from '../ports/audio-frame.js';
import { SpeechFailedError, SpeechInterruptedError, ToolError } from '../errors.js';
import type { LLM, LLMChunk, LLMRequest } from '../ports/llm.js';
import type { RunContext } from '../run-context.js';
import type { SpeechHandle } from '../speech-handle.js';
import { VirtualAudioOutput } from '../testing/virtual-audio-output.js';
import { VirtualClock } from '../testing/virtual-clock.js';
import type { ModelStep, SystemAdapter } from '../testing/model-explorer.js';
import { tool } from '../tool.js';
import type { TTS } from '../ports/tts.js';
import { ModelAgent, ModelTask, type ModelAgentHooks } from './model-agents.js';
import { attachRuntimeVoice, isVoiceEvent, mapPreparedStreams, sendVoiceEvent, voiceOf, type RuntimeVoice } from './runtime-voice.js';
import {
  MODEL_BOUNDS,
  TOOL_FAILED,
  TOOL_OK,
  chunkText,
  currentSpeech,
  historyLine,
  toolCallId,
  userInputOf,
  type ComposedSnapshot,
  type ModelBounds,
  type ModelEvent,
} from './composed-model.js';

/**
 * Drives the real `AgentSession` along the composed model: each model event becomes an API call
 * or a pipeline event produced by controllable fakes (an LLM and a TTS whose every chunk, end and
 * error the test triggers), on a `VirtualClock` with a `VirtualAudioOutput`. After each event the
 * runtime's observable state (scheduler, agent state, handles, tool runs, waiters, abort signals,
 * history, errors, what the API call returned) is read and compared with the model's.
 */

/**
 * A stream whose items, end and failure the test triggers.
 * @example const s = new ControlledStream<string>(); session.say(s); s.push('Hello '); s.end();
 */
export class ControlledStream<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private ended = false;
  private error: unknown = undefined;
  private pending: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | null = null;

  push(item: T): void {
    if (this.pending) {
      const p = this.pending;
      this.pending = null;
      p.resolve({ value: item, done: false });
    } else this.items.push(item);
  }

  end(): void {
    this.ended = true;
    if (this.pending && this.items.length === 0) {
      const p = this.pending;
      this.pending = null;
      p.resolve({ value: undefined, done: true });
    }
  }

  fail(error: unknown): void {
    this.error = error;
    if (this.pending) {
      const p = this.pending;
      this.pending = null;
      p.reject(error);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        const item = this.items.shift();
        if (item !== undefined) return Promise.resolve({ value: item, done: false });
        if (this.error !== undefined) return Promise.reject(this.error);
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => (this.pending = { resolve, reject }));
      },
      return: () => {
        this.ended = true;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

/**
 * An LLM whose stream for each request is a {@link ControlledStream}.
 * @example llm.onChat = (stream) => stream.push({ type: 'text', text: 'Hi' });
 */
export class ControlledLLM implements LLM {
  readonly requests: LLMRequest[] = [];
  onChat: (stream: ControlledStream<LLMChunk>) => void = () => {};
  chat(req: LLMRequest): AsyncIterable<LLMChunk> {
    this.requests.push(req);
    const stream = new ControlledStream<LLMChunk>();
    this.onChat(stream);
    return stream;
  }
}

/**
 * A TTS that makes one frame per text chunk (its length at `charsPerSecond`) and fails on demand.
 * @example tts.failCurrent(new Error('the TTS failed'));
 */
export class ControlledTTS implements TTS {
  readonly sampleRate = 24000;
  readonly numChannels = 1;
  readonly charsPerSecond = 50;
  private current: { fail: (e: unknown) => void } | null = null;

  synthesize(text: AsyncIterable<string>, _o: { signal: AbortSignal }): AsyncIterable<AudioFrame> {
    const it = text[Symbol.asyncIterator]();
    let failure: unknown = undefined;
    let rejectPending: ((e: unknown) => void) | null = null;
    const frame = (t: string): AudioFrame => {
      const samples = Math.round((this.sampleRate * t.length) / this.charsPerSecond);
      return { data: new Int16Array(samples), sampleRate: this.sampleRate, channels: 1, samplesPerChannel: samples };
    };
    this.current = {
      fail: (e) => {
        failure = e;
        if (rejectPending) {
          const r = rejectPending;
          rejectPending = null;
          r(e);
        }
      },
    };
    return {
      [Symbol.asyncIterator]: () => ({
        next: (): Promise<IteratorResult<AudioFrame>> => {
          if (failure !== undefined) return Promise.reject(failure);
          return new Promise((resolve, reject) => {
            rejectPending = reject;
            it.next().then(
              (r) => {
                rejectPending = null;
                resolve(r.done ? { value: undefined, done: true } : { value: frame(r.value), done: false });
              },
              reject,
            );
          });
        },
        return: () => {
          void it.return?.();
          return Promise.resolve({ value: undefined, done: true });
        },
      }),
    };
  }

  /** Fails the synthesis that runs now (the current step's). */
  failCurrent(e: unknown): void {
    this.current?.fail(e);
  }
}

export type Status = 'pending' | 'resolved' | 'interrupted' | 'failed' | 'rejected';

function track(p: Promise<unknown>): { status: Status; error?: unknown } {
  const t: { status: Status; error?: unknown } = { status: 'pending' };
  p.then(
    () => (t.status = 'resolved'),
    (e) => {
      t.error = e;
      t.status = e instanceof SpeechInterruptedError ? 'interrupted' : e instanceof SpeechFailedError ? 'failed' : 'rejected';
    },
  );
  return t;
}

interface ToolProbe {
  ctx: RunContext;
  signal: AbortSignal;
  wait: { status: Status; error?: unknown };
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  /** Runs `fn` in the tool's own async context (as code inside the tool would: `AgentTask.run()` needs it). */
  inTool: <R>(fn: () => R) => R;
  /** The `run()` of the task this tool started, if any. */
  task?: { status: Status; error?: unknown };
}

/** The runtime with its fakes, and what the adapter tracks of it. */
export interface RuntimeUnderTest {
  clock: VirtualClock;
  audioOutput: VirtualAudioOutput;
  llm: ControlledLLM;
  tts: ControlledTTS;
  session: AgentSession;
  handles: SpeechHandle[];
  speechWaits: Map<string, { status: Status; error?: unknown }>;
  /** The text stream of each speech's current step (say: its text; reply: the LLM stream). */
  streams: Map<string, ControlledStream<LLMChunk> | ControlledStream<string>>;
  tools: Map<string, ToolProbe>;
  actors: Map<string, AnyActorRef>;
  errors: string[];
  last: string;
  bounds: Readonly<ModelBounds>;
  /** The agents' hooks: pending `onExit`s (EXIT_DONE settles them) and the scopes the hooks speak in. */
  hooks: ModelAgentHooks;
  probeTools: Record<string, Tool>;
  /** The user's voice, when the bounds have one: its turn, its own clock (the turn's timers only) and its end-of-turn model. */
  voice: RuntimeVoice | null;
}


/** What both the model and the runtime show, compared after every event. */
export interface Observable {
  scheduler: { value: unknown; current: string | null; queue: string[] };
  agentState: string;
  closed: boolean;
  audioPaused: boolean;
  speeches: { id: string; state: unknown; waiter: string; tools: { callId: string; state: unknown; waiter: string; signalAborted: boolean | null }[] }[];
  history: string[];
  errors: string[];
  last: string;
  /** Each agent entry's activity state, by key; and the agent answering new turns. */
  agents: { activities: Record<string, unknown>; current: string };
  /** The user turn: its machine state and the text not yet committed (null without a voice). */
  voice: { state: unknown; text: string; committed: number; bargeIn: unknown } | null;
}

/**
 * The model's side of {@link Observable}.
 * @example diffObservable(observeModel(expected), observeRuntime(rt))
 */
export function observeModel(snapshot: ComposedSnapshot): Observable {
  const s = snapshot.context;
  return {
    scheduler: { value: s.scheduler.value, current: s.scheduler.context.current, queue: s.scheduler.context.queue.map((q) => q.id) },
    agentState: s.shownAgentState,
    closed: s.session.closed,
    audioPaused: s.audioPaused,
    speeches: s.speeches.map((sp) => ({
      id: sp.id,
      state: sp.snap.value,
      waiter: sp.waiter,
      tools: sp.tools.map((t) => {
        const executed = !t.refused;
        return { callId: t.callId, state: t.snap.value, waiter: t.waiter, signalAborted: executed ? t.snap.matches('aborted') : null };
      }),
    })),
    history: s.history,
    errors: s.errors,
    last: s.last,
    agents: {
      activities: Object.fromEntries(s.activities.map((a) => [a.key, a.snap.value])),
      // As `session.currentAgent`: before start(), the agent that will enter first.
      current: s.session.agents.get(s.session.activeAgent ?? (s.session.transitions[0]?.kind === 'handoff' ? s.session.transitions[0].to : ''))?.agentId ?? '-',
    },
    voice: s.voice ? { state: s.voice.snap.value, text: s.voice.snap.context.text, committed: s.voice.snap.context.committed, bargeIn: s.voice.bargeIn?.snap.value ?? null } : null,
  };
}

/**
 * The runtime's side of {@link Observable}.
 * @example observeRuntime(rt).history // ['user:input for speech_1', 'assistant:s1.1 ']
 */
export function observeRuntime(rt: RuntimeUnderTest): Observable {
  const sched = rt.session.schedulerActor.getSnapshot();
  return {
    scheduler: { value: sched.value, current: sched.context.current, queue: sched.context.queue.map((q) => q.id) },
    agentState: rt.session.agentState,
    closed: rt.session.closed,
    audioPaused: rt.audioOutput.isPaused,
    speeches: rt.handles.map((h) => {
      const prefix = `tool_call_${h.id.replace('speech_', '')}_`;
      const tools = [...rt.actors.entries()].filter(([id]) => id.startsWith(prefix)).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
      return {
        id: h.id,
        state: h.state,
        waiter: rt.speechWaits.get(h.id)?.status ?? 'none',
        tools: tools.map(([id, ref]) => {
          const callId = id.slice('tool_'.length);
          const probe = rt.tools.get(callId);
          return { callId, state: ref.getSnapshot().value, waiter: probe ? (probe.wait.status === 'pending' || probe.wait.status === 'resolved' ? probe.wait.status : 'rejected') : 'none', signalAborted: probe ? probe.signal.aborted : null };
        }),
      };
    }),
    history: rt.session.history.map(historyLine),
    errors: rt.errors,
    last: rt.last,
    agents: {
      activities: Object.fromEntries(
        [...rt.actors.entries()].filter(([id]) => /^agent_\d+:/.test(id)).map(([id, ref]) => [id.slice(0, id.indexOf(':')), ref.getSnapshot().value]),
      ),
      current: rt.session.currentAgent.id,
    },
    voice: rt.voice ? voiceOf(rt.voice) : null,
  };
}

/**
 * The first differences between two observations, as readable lines.
 * @example diffObservable(a, b) // ['state.agentState: model "listening", runtime "thinking"']
 */
export function diffObservable(want: Observable, got: Observable): string[] {
  const out: string[] = [];
  const walk = (path: string, a: unknown, b: unknown) => {
    if (out.length >= 8) return;
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
      if (Array.isArray(a) !== Array.isArray(b)) return void out.push(`${path}: model ${JSON.stringify(a)}, runtime ${JSON.stringify(b)}`);
      if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length && path.endsWith('history'))
        return void out.push(`${path}: model ${JSON.stringify(a)}, runtime ${JSON.stringify(b)}`);
      const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
      for (const k of keys) walk(`${path}.${k}`, (a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]);
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${path}: model ${JSON.stringify(a)}, runtime ${JSON.stringify(b)}`);
  };
  walk('state', want, got);
  return out;
}

/** Options of the runtime adapter. */
export interface RuntimeAdapterOptions {
  /** Must match the explored model's bounds (its `maxToolSteps` is the session's). */
  bounds?: Partial<ModelBounds>;
}

/**
 * The adapter from the composed model to the real runtime, for `runPath` / `generatePathTests`.
 * @example
 * const m = createComposedModel({ speeches: 2 });
 * const report = exploreModel({ logic: m.logic, events: m.events, serialize: m.serialize });
 * await runPath(report, shortestPaths(report)[10]!.events, createRuntimeAdapter({ bounds: m.bounds }));
 */
export function createRuntimeAdapter(o: RuntimeAdapterOptions = {}): SystemAdapter<ComposedSnapshot, ModelEvent, RuntimeUnderTest> {
  const bounds: Readonly<ModelBounds> = { ...MODEL_BOUNDS, ...(o.bounds ?? {}) };
  return {
    setup: () => setupRuntime(bounds),
    send: (rt, event, step) => sendEvent(rt, event, step),
    check: (rt, expected) => {
      const diff = diffObservable(observeModel(expected), observeRuntime(rt));
      if (diff.length) throw new Error(`the runtime differs from the model:\n  ${diff.join('\n  ')}`);
    },
    teardown: async (rt) => {
      // Let every pending continuation run so nothing is left half-done in the next test.
      await rt.clock.settle();
    },
  };
}

/**
 * A fresh runtime on fakes, with the probe tool.
 * @example const rt = setupRuntime(); rt.session.generateReply({ userInput: 'hi' });
 */
export function setupRuntime(bounds: Readonly<ModelBounds> = MODEL_BOUNDS): RuntimeUnderTest {
  const clock = new VirtualClock();
  // A large buffer: capture never waits, so a chunk's audio is queued at once and plays on the clock.
  const audioOutput = new VirtualAudioOutput(clock, { bufferMs: 600_000 });
  const llm = new ControlledLLM();
  const tts = new ControlledTTS();
  const rt = {} as RuntimeUnderTest;
  const probe = tool({
    description: 'A tool the test controls: it awaits its preamble, then settles when told.',
    execute: (_args, { ctx, abortSignal, toolCallId }) =>
      new Promise<unknown>((resolve, reject) => {
        rt.tools.set(toolCallId, { ctx, signal: abortSignal, wait: track(ctx.waitForPlayout()), resolve, reject, inTool: AsyncLocalStorage.snapshot() });
      }),
  });
  const hooks: ModelAgentHooks = { exits: new Map(), enters: new Map(), exitScopes: new Map() };
  const actors = new Map<string, AnyActorRef>();
  const session = new AgentSession({
    llm,
    tts,
    audioOutput,
    agent: new ModelAgent('a', { probe }, hooks),
    maxToolSteps: bounds.maxToolSteps,
    // No I/O progress limits: the ControlledLLM/TTS streams wait for model events while the test runs
    // the clock (`clock.runAll(60_000)`), so a limit on that clock would fail them where the model does
    // not, and one on the wall clock could on a slow machine. A stall is only one more cause of
    // `router.fail`, which the model already covers as an LLM or TTS error.
    ioTimeouts: false,
    inspect: (ev: InspectionEvent) => {
      if (ev.type === '@xstate.actor') {
        const ref = ev.actorRef as AnyActorRef;
        actors.set(ref.id, ref);
      }
    },
  });
  Object.assign(rt, { clock, audioOutput, llm, tts, session, handles: [], speechWaits: new Map(), streams: new Map(), tools: new Map(), actors, errors: [], last: 'none', bounds, hooks, probeTools: { probe }, voice: null });
  llm.onChat = (stream) => {
    const id = session.currentSpeech?.id;
    if (id) rt.streams.set(id, stream);
    // No speech on the floor: the user turn's preemptive generation.
    else rt.voice?.prepared.push(stream);
  };
  if (bounds.voice) {
    rt.voice = attachRuntimeVoice(session, bounds.voice, () => rt.errors.push('voice'));
    // The turn's replies are made inside the session: awaited like the rest (the model's creator awaits each).
    session.on('speech_created', ({ speechHandle }) => adopt(rt, speechHandle));
  }
  session.on('error', ({ source }) => rt.errors.push(source));
  return rt;
}

/** Tracks a speech and awaits it, as every creator in the model does (the user turn's replies included). */
export function adopt(rt: RuntimeUnderTest, h: SpeechHandle): void {
  if (rt.handles.includes(h)) return;
  rt.handles.push(h);
  rt.speechWaits.set(h.id, track(h.waitForPlayout()));
}

/**
 * What every creator in the model does: make the speech (a say reads a text stream the test
 * controls), await it, and record what the call returned (or the error it threw).
 */
function createSpeech(rt: RuntimeUnderTest, kind: 'reply' | 'say', make: (text: ControlledStream<string>) => SpeechHandle): void {
  try {
    const text = new ControlledStream<string>();
    const h = make(text);
    if (kind === 'say') rt.streams.set(h.id, text);
    adopt(rt, h);
    rt.last = 'ok';
  } catch (err) {
    rt.last = outcomeName(err);
  }
}

function outcomeName(e: unknown): string {
  return e instanceof Error ? e.constructor.name : `non-error ${String(e)}`;
}

/** What a settled promise of an API call says, or 'pending' if it has not settled. */
function callOutcome(t: { status: Status; error?: unknown }): string {
  return t.status === 'resolved' ? 'ok' : t.status === 'pending' ? 'pending (not settled without time passing)' : outcomeName(t.error);
}

async function sendEvent(rt: RuntimeUnderTest, e: ModelEvent, step: ModelStep<ComposedSnapshot, ModelEvent>): Promise<void> {
  if (rt.voice && isVoiceEvent(e)) {
    rt.last = 'none';
    await sendVoiceEvent(rt, rt.voice, e, step);
    mapPreparedStreams(rt, rt.voice, step);
    return;
  }
  await sendSessionEvent(rt, e, step);
  if (rt.voice) mapPreparedStreams(rt, rt.voice, step);
}




async function sendSessionEvent(rt: RuntimeUnderTest, e: ModelEvent, step: ModelStep<ComposedSnapshot, ModelEvent>): Promise<void> {
  const { session, clock } = rt;
  rt.last = 'none';
  const cur = step.from ? currentSpeech(step.from.context) : undefined;
  const curId = cur?.id;
  const stream = curId ? rt.streams.get(curId) : undefined;
  switch (e.type) {
    case 'START': {
      const t = track(session.start());
      await clock.settle();
      rt.last = callOutcome(t);
      return;
    }
    case 'REPLY':
    case 'SAY': {
      const id = `speech_${rt.handles.length + 1}`;
      createSpeech(rt, e.type === 'REPLY' ? 'reply' : 'say', (text) => (e.type === 'REPLY' ? session.generateReply({ userInput: userInputOf(id) }) : session.say(text, { allowInterruptions: false })));
      await clock.settle();
      return;
    }
    case 'INTERRUPT':
    case 'CLOSE': {
      const t = track(e.type === 'CLOSE' ? session.close() : session.interrupt({ force: e.force }));
      await clock.settle();
      rt.last = callOutcome(t);
      return;
    }
    case 'INTERRUPT_SPEECH': {
      try {
        rt.handles[e.speech]!.interrupt({ force: e.force });
        rt.last = 'ok';
      } catch (err) {
        rt.last = outcomeName(err);
      }
      await clock.settle();
      return;
    }
    case 'PAUSE':
    case 'RESUME':
      if (curId) {
        const h = rt.handles.find((x) => x.id === curId)!;
        if (e.type === 'PAUSE') h.pause();
        else h.resume();
      }
      await clock.settle();
      return;
    case 'TEXT_CHUNK': {
      const text = chunkText(curId!, cur!.pipeline!.index);
      if (cur!.kind === 'say') (stream as ControlledStream<string>).push(text);
      else (stream as ControlledStream<LLMChunk>).push({ type: 'text', text });
      await clock.settle();
      // Let the chunk's audio play (nothing else runs on the clock while a step generates).
      await clock.advance(1000);
      return;
    }
    case 'TOOL_CALL':
      (stream as ControlledStream<LLMChunk>).push({ type: 'toolCall', callId: toolCallId(curId!, cur!.tools.length), name: 'probe', arguments: '{}' });
      await clock.settle();
      return;
    case 'STEP_DONE':
      stream!.end();
      await clock.settle();
      return;
    case 'LLM_ERROR':
      stream!.fail(new Error('the LLM failed'));
      await clock.settle();
      return;
    case 'TTS_ERROR':
      rt.tts.failCurrent(new Error('the TTS failed'));
      await clock.settle();
      return;
    case 'PLAYOUT_DONE':
      await clock.runAll(60_000);
      return;
    case 'UPDATE_AGENT':
      try {
        session.updateAgent(new ModelAgent('h', rt.probeTools, rt.hooks));
        rt.last = 'ok';
      } catch (err) {
        rt.last = outcomeName(err);
      }
      await clock.settle();
      return;
    case 'TASK_COMPLETE':
      (session.currentAgent as ModelTask).complete(TOOL_OK);
      await clock.settle();
      return;
    case 'EXIT_DONE': {
      const key = step.from!.context.activities[e.agent]!.key;
      const agent = session._agentHost.agent(key)!;
      const exit = rt.hooks.exits.get(agent);
      if (!exit) throw new Error(`agent ${key} has no pending onExit`);
      rt.hooks.exits.delete(agent);
      rt.hooks.exitScopes.delete(agent);
      exit();
      await clock.settle();
      return;
    }
    case 'ENTER_REPLY':
    case 'EXIT_SAY': {
      const key = step.from!.context.activities[e.agent]!.key;
      const agent = session._agentHost.agent(key)!;
      const scope = e.type === 'ENTER_REPLY' ? rt.hooks.enters.get(agent) : rt.hooks.exitScopes.get(agent);
      if (!scope) throw new Error(`agent ${key}'s ${e.type === 'ENTER_REPLY' ? 'onEnter was never called' : 'onExit is not running'}`);
      // What a hook that speaks does: the greeting is not awaited; the goodbye is (EXIT_DONE comes once it settled).
      createSpeech(rt, e.type === 'ENTER_REPLY' ? 'reply' : 'say', (text) => scope(() => (e.type === 'ENTER_REPLY' ? session.generateReply({ instructions: 'greet the user' }) : session.say(text))));
      await clock.settle();
      return;
    }
    case 'TOOL_WAIT':
    case 'TOOL_RESULT':
    case 'TOOL_ERROR':
    case 'TOOL_SAY':
    case 'TOOL_REPLY':
    case 'TOOL_HANDOFF':
    case 'TOOL_RUN_TASK':
    case 'TOOL_INTERRUPT': {
      const callId = toolCallId(rt.handles[e.speech]!.id, e.tool);
      const p = rt.tools.get(callId);
      if (!p) throw new Error(`tool ${callId} never ran`);
      if (e.type === 'TOOL_WAIT') p.wait = track(p.ctx.waitForPlayout());
      else if (e.type === 'TOOL_RESULT') p.resolve(TOOL_OK);
      else if (e.type === 'TOOL_ERROR') p.reject(new ToolError(TOOL_FAILED));
      else if (e.type === 'TOOL_HANDOFF') p.resolve(handoff({ agent: new ModelAgent('h', rt.probeTools, rt.hooks) }));
      else if (e.type === 'TOOL_RUN_TASK') {
        if (!session.closed) p.task = track(p.inTool(() => new ModelTask(rt.probeTools, rt.hooks).run()));
      }
      else if (e.type === 'TOOL_INTERRUPT') {
        const t = track(p.inTool(() => p.ctx.session.interrupt()));
        await clock.settle();
        rt.last = t.status === 'pending' ? 'ok' : callOutcome(t);
        return;
      } else {
        // What a tool that speaks does: create the speech from inside the tool (its agent's own) and await it.
        createSpeech(rt, e.type === 'TOOL_SAY' ? 'say' : 'reply', (text) => p.inTool(() => (e.type === 'TOOL_SAY' ? p.ctx.session.say(text) : p.ctx.session.generateReply({ instructions: 'tell the user to hold on' }))));
      }
      await clock.settle();
      return;
    }
  }
}
