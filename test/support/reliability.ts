/**
 * Shared by the reliability suite (test/reliability-*.test.ts) and bench/soak.ts: a seeded random
 * source, a session whose every handle, wait, tool run and error is watched, and the invariant check
 * that closes each scenario. Everything runs on a VirtualClock: no wall-clock sleep anywhere.
 */
import {
  AgentSession,
  SpeechchartsError,
  ToolError,
  tool,
  type AgentSessionOptions,
  type AudioFrame,
  type SpeechHandle,
  type TTS,
} from '../../src/index.js';
import { FakeTTS, ScriptedLLM, VirtualAudioOutput, VirtualClock, type FakeTTSOptions, type ScriptedReply } from '../../src/testing/index.js';

/** mulberry32: a small seeded PRNG, so every "random point" is reproducible from the seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type ToolBehaviour =
  /** awaits ctx.waitForPlayout(), then returns */
  | 'waits'
  /** awaits its playout, then works `workMs` of virtual time, stopping early when its signal aborts */
  | 'waitsThenWorks'
  /** throws ToolError */
  | 'toolError'
  /** throws a plain Error */
  | 'crashes'
  /** ignores its signal and never settles */
  | 'hangs'
  /** ignores its signal and settles `workMs` later, whatever happened meanwhile */
  | 'ignoresSignal';

/** What one execution of a watched tool did. */
export interface ToolExecution {
  name: string;
  callId: string;
  signal: AbortSignal;
  /** ctx.waitForPlayout() was called and has not settled yet. */
  waitPending: boolean;
  waitOutcome: 'resolved' | 'rejected' | null;
  waitError: unknown;
  /** execute() returned or threw (a tool that hangs never does). */
  finished: boolean;
}

/**
 * A session on fakes and a VirtualClock, watched: every speech handle (and a playout wait on it),
 * every tool execution (and its playout wait), every error event, every user input sent.
 */
export class WatchedSession {
  readonly session: AgentSession;
  readonly audioOutput: VirtualAudioOutput;
  readonly llm: ScriptedLLM;
  readonly handles: SpeechHandle[] = [];
  readonly waits = new Map<SpeechHandle, { settled: boolean; error: unknown }>();
  readonly executions: ToolExecution[] = [];
  readonly errors: { error: Error; source: string }[] = [];
  readonly discarded: { callId: string; outcome: string }[] = [];
  /** Every user input sent with `reply()`, in order. */
  readonly inputs: string[] = [];

  constructor(
    readonly clock: VirtualClock,
    o: {
      replies: ScriptedReply[];
      tools?: Record<string, ToolBehaviour>;
      workMs?: number;
      tts?: TTS | FakeTTSOptions;
      audioOutput?: VirtualAudioOutput;
      session?: Partial<AgentSessionOptions>;
    },
  ) {
    this.audioOutput = o.audioOutput ?? new VirtualAudioOutput(clock);
    this.llm = new ScriptedLLM({ clock, replies: o.replies });
    const tools = Object.fromEntries(Object.entries(o.tools ?? {}).map(([name, b]) => [name, this.watchedTool(name, b, o.workMs ?? 500)]));
    const tts = o.tts && 'synthesize' in o.tts ? o.tts : new FakeTTS({ msPerChar: 50, ...(o.tts ?? {}) });
    this.session = new AgentSession({ llm: this.llm, tts, audioOutput: this.audioOutput, tools, clock, ...(o.session ?? {}) });
    this.session.on('speech_created', ({ speechHandle }) => this.watchHandle(speechHandle));
    this.session.on('error', (e) => this.errors.push(e));
    this.session.on('tool_result_discarded', (e) => this.discarded.push({ callId: e.callId, outcome: e.outcome }));
  }

  /** `generateReply({ userInput })`, remembering the input. */
  reply(userInput: string): SpeechHandle {
    this.inputs.push(userInput);
    return this.session.generateReply({ userInput });
  }

  /** History user messages, in order. */
  userMessages(): string[] {
    return this.session.history.flatMap((i) => (i.type === 'message' && i.role === 'user' ? [i.content] : []));
  }

  /** Lets pending promise continuations run, no virtual time passing. */
  settle(): Promise<void> {
    return this.clock.settle();
  }

  /**
   * The invariants every scenario ends with (after the session went idle or closed), as a list of
   * violations (empty when all hold), so a failure names every broken one at once.
   */
  violations(o: { expectErrors?: boolean; allowLostInputs?: boolean } = {}): string[] {
    const v: string[] = [];
    const h = this.session.history;
    // 0 unsettled handles, 0 unsettled waits
    for (const handle of this.handles) if (!handle.done()) v.push(`speech ${handle.id} never settled (state ${JSON.stringify(handle.state)})`);
    for (const [handle, w] of this.waits) if (!w.settled) v.push(`waitForPlayout() of ${handle.id} never settled`);
    for (const [handle, w] of this.waits) {
      if (w.error !== undefined && !(w.error instanceof SpeechchartsError)) v.push(`waitForPlayout() of ${handle.id} rejected with an untyped error: ${String(w.error)}`);
    }
    // 0 unsettled tool runs: every call has exactly one output; every playout wait of a tool settled
    for (const item of h) {
      if (item.type !== 'function_call') continue;
      const outputs = h.filter((x) => x.type === 'function_call_output' && x.callId === item.callId);
      if (outputs.length !== 1) v.push(`function call ${item.callId} (${item.name}) has ${outputs.length} outputs`);
    }
    for (const e of this.executions) if (e.waitPending) v.push(`tool ${e.name} (${e.callId}): ctx.waitForPlayout() never settled`);
    for (const e of this.executions) {
      if (e.waitOutcome === 'rejected' && !(e.waitError instanceof SpeechchartsError)) v.push(`tool ${e.name}: wait rejected with an untyped error ${String(e.waitError)}`);
    }
    // 0 lost user inputs, in order
    if (!o.allowLostInputs) {
      const got = this.userMessages();
      if (got.length !== this.inputs.length || got.some((x, i) => x !== this.inputs[i])) {
        const missing = this.inputs.filter((x) => !got.includes(x));
        v.push(`user inputs lost or out of order: sent ${this.inputs.length}, in history ${got.length}; missing ${JSON.stringify(missing.slice(0, 5))}`);
      }
    }
    if (!o.expectErrors && this.errors.length) v.push(`error events: ${this.errors.slice(0, 3).map((e) => `${e.source}: ${e.error.message}`).join('; ')}`);
    return v;
  }

  private watchHandle(handle: SpeechHandle): void {
    this.handles.push(handle);
    const w = { settled: false, error: undefined as unknown };
    this.waits.set(handle, w);
    handle.waitForPlayout().then(
      () => (w.settled = true),
      (e: unknown) => {
        w.settled = true;
        w.error = e;
      },
    );
  }

  private watchedTool(name: string, behaviour: ToolBehaviour, workMs: number) {
    const clock = this.clock;
    return tool({
      description: `${name}: ${behaviour}`,
      execute: async (_args, { ctx, abortSignal, toolCallId }) => {
        const ex: ToolExecution = { name, callId: toolCallId, signal: abortSignal, waitPending: false, waitOutcome: null, waitError: undefined, finished: false };
        this.executions.push(ex);
        const waitForPlayout = async () => {
          ex.waitPending = true;
          try {
            await ctx.waitForPlayout();
            ex.waitOutcome = 'resolved';
          } catch (e) {
            ex.waitOutcome = 'rejected';
            ex.waitError = e;
            throw e;
          } finally {
            ex.waitPending = false;
          }
        };
        const run = async (): Promise<string> => {
          switch (behaviour) {
            case 'waits':
              await waitForPlayout();
              return `${name} done`;
            case 'waitsThenWorks':
              await waitForPlayout();
              await new Promise<void>((resolve) => {
                const t = clock.setTimeout(resolve, workMs);
                abortSignal.addEventListener('abort', () => (clock.clearTimeout(t), resolve()), { once: true });
              });
              return `${name} done`;
            case 'toolError':
              throw new ToolError(`${name} refused`);
            case 'crashes':
              throw new TypeError(`${name} crashed`);
            case 'hangs':
              return new Promise<string>(() => {});
            case 'ignoresSignal':
              await new Promise<void>((resolve) => clock.setTimeout(resolve, workMs));
              return `${name} finished late`;
          }
        };
        try {
          return await run();
        } finally {
          ex.finished = true;
        }
      },
    });
  }
}

/** A TTS that fails once: the `failOnCall`-th synthesize() throws `error` after `frames` frames. Others are FakeTTS. */
export class FlakyTTS implements TTS {
  readonly sampleRate = 24000;
  readonly numChannels = 1;
  readonly charsPerSecond = 20;
  private calls = 0;
  private readonly inner = new FakeTTS({ msPerChar: 50 });
  constructor(private readonly o: { failOnCall: number; frames: number; error: Error }) {}
  async *synthesize(text: AsyncIterable<string>, opts: { signal: AbortSignal }): AsyncIterable<AudioFrame> {
    const call = ++this.calls;
    let n = 0;
    for await (const f of this.inner.synthesize(text, opts)) {
      if (call === this.o.failOnCall && n++ >= this.o.frames) throw this.o.error;
      yield f;
    }
  }
}

/** A VirtualAudioOutput whose captureFrame rejects once, at the n-th frame overall. */
export class FailingCaptureOutput extends VirtualAudioOutput {
  private frames = 0;
  constructor(clock: VirtualClock, private readonly failAt: number, private readonly error: Error) {
    super(clock);
  }
  override captureFrame(frame: AudioFrame): Promise<void> {
    if (++this.frames === this.failAt) return Promise.reject(this.error);
    return super.captureFrame(frame);
  }
}

/** Forces a full GC when the runtime allows it (`--expose-gc`, or V8 flags set at run time); null otherwise. */
export async function exposeGc(): Promise<(() => void) | null> {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

/**
 * FakeTTS's timing (`msPerChar` of audio per character, `frameMs` frames) with silent frames that
 * share one buffer: no per-sample work and no per-frame allocation, so a soak or a scale run measures
 * the engine rather than the tone generator (FakeTTS spends most of a long run in Math.sin and GC).
 */
export class SilentTTS implements TTS {
  readonly sampleRate = 24000;
  readonly numChannels = 1;
  readonly charsPerSecond: number;
  private readonly frame: AudioFrame;
  constructor(private readonly o: { msPerChar?: number; frameMs?: number } = {}) {
    this.charsPerSecond = 1000 / (o.msPerChar ?? 50);
    const samples = Math.round((this.sampleRate * (o.frameMs ?? 20)) / 1000);
    this.frame = { data: new Int16Array(samples), sampleRate: this.sampleRate, channels: 1, samplesPerChannel: samples };
  }
  async *synthesize(text: AsyncIterable<string>, { signal }: { signal: AbortSignal }): AsyncIterable<AudioFrame> {
    const frameMs = this.o.frameMs ?? 20;
    let carry = 0;
    for await (const chunk of text) {
      if (signal.aborted) return;
      carry += chunk.length * (this.o.msPerChar ?? 50);
      for (; carry >= frameMs; carry -= frameMs) {
        if (signal.aborted) return;
        yield this.frame;
      }
    }
    if (carry > 0 && !signal.aborted) yield this.frame;
  }
}
