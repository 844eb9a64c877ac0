import { expect } from 'vitest';
import {
  AgentSession,
  DependencyStalledError,
  SpeechFailedError,
  type AgentSessionOptions,
  type AudioFrame,
  type AudioOutput,
  type LLM,
  type LLMChunk,
  type LLMRequest,
  type PlayoutResult,
  type SpeechHandle,
  type TTS,
} from '../../src/index.js';
import { FakeTTS, ScriptedLLM, VirtualAudioOutput, VirtualClock, type ScriptedReply } from '../../src/testing/index.js';

/** Never settles: a dependency that stopped answering. */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => {});
}

/**
 * An LLM whose answer to `userInput` yields `before` and then hangs: it neither yields nor ends, and
 * ignores its signal (the worst case). Every other request goes to the script. Records each signal.
 */
export class HangingLLM implements LLM {
  readonly signals: AbortSignal[] = [];
  private readonly script: ScriptedLLM;
  constructor(clock: VirtualClock, private readonly o: { userInput: string; before: string[]; replies: ScriptedReply[] }) {
    this.script = new ScriptedLLM({ clock, replies: o.replies });
  }

  chat(req: LLMRequest): AsyncIterable<LLMChunk> {
    this.signals.push(req.signal);
    const last = req.history[req.history.length - 1];
    if (!last || last.type !== 'message' || last.content !== this.o.userInput) return this.script.chat(req);
    const before = this.o.before;
    return (async function* () {
      for (const text of before) yield { type: 'text', text } as const;
      await never();
    })();
  }
}

/** A TTS that hangs on its `hangOnCall`-th stream after `frames` frames (ignoring its signal); other streams are FakeTTS. */
export class HangingTTS implements TTS {
  readonly sampleRate = 24000;
  readonly numChannels = 1;
  readonly charsPerSecond = 20;
  readonly signals: AbortSignal[] = [];
  private calls = 0;
  private readonly inner = new FakeTTS({ msPerChar: 50 });
  constructor(private readonly o: { hangOnCall: number; frames: number }) {}

  async *synthesize(text: AsyncIterable<string>, opts: { signal: AbortSignal }): AsyncIterable<AudioFrame> {
    this.signals.push(opts.signal);
    const call = ++this.calls;
    let n = 0;
    for await (const f of this.inner.synthesize(text, opts)) {
      if (call === this.o.hangOnCall && n++ >= this.o.frames) await never();
      yield f;
    }
  }
}

/**
 * A VirtualAudioOutput that goes dead for its first segment: depending on `dead`, `captureFrame`
 * never returns, or `flush` is ignored so `waitForPlayout` never reports; either way the clear of
 * that segment is never reported. After that clear, it works again.
 */
export class DeadFirstSegmentOutput implements AudioOutput {
  readonly inner: VirtualAudioOutput;
  private deadNow = true;
  constructor(clock: VirtualClock, private readonly dead: 'capture' | 'playout') {
    this.inner = new VirtualAudioOutput(clock);
  }

  captureFrame(frame: AudioFrame): Promise<void> {
    if (this.deadNow && this.dead === 'capture') return never();
    return this.inner.captureFrame(frame);
  }

  flush(): void {
    if (!this.deadNow) this.inner.flush();
  }

  clearBuffer(): void {
    this.deadNow = false;
    this.inner.clearBuffer();
  }

  waitForPlayout(): Promise<PlayoutResult> {
    return this.deadNow ? never() : this.inner.waitForPlayout();
  }
}

/** A VirtualAudioOutput that reports played-out segments but never a cut one (while `swallowCuts`). */
export class UnreportedCutOutput extends VirtualAudioOutput {
  swallowCuts = true;
  override waitForPlayout(): Promise<PlayoutResult> {
    return super.waitForPlayout().then((r) => (r.interrupted && this.swallowCuts ? never<PlayoutResult>() : r));
  }
}

/** A session on virtual time with the given parts (FakeTTS, VirtualAudioOutput and a script by default). */
export function stallSession(
  clock: VirtualClock,
  o: { llm?: LLM; replies?: ScriptedReply[]; tts?: TTS; audioOutput?: AudioOutput; session?: Partial<AgentSessionOptions> } = {},
) {
  const session = new AgentSession({
    llm: o.llm ?? new ScriptedLLM({ clock, replies: o.replies ?? [] }),
    tts: o.tts ?? new FakeTTS({ msPerChar: 50 }),
    audioOutput: o.audioOutput ?? new VirtualAudioOutput(clock),
    clock,
    ...(o.session ?? {}),
  });
  const errors: { error: Error; source: string; at: number }[] = [];
  session.on('error', (e) => errors.push({ ...e, at: clock.now() }));
  return { session, errors };
}

/** The handle's playout wait rejected with SpeechFailedError caused by a DependencyStalledError; returns that cause. */
export async function stalledCause(h: SpeechHandle, wait: Promise<void>): Promise<DependencyStalledError> {
  expect(h.outcome).toBe('failed');
  const e = await wait.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(SpeechFailedError);
  const cause = (e as SpeechFailedError).cause;
  expect(cause).toBeInstanceOf(DependencyStalledError);
  return cause as DependencyStalledError;
}

/** Starts watching a handle's playout wait (its rejection is expected and examined later). */
export function watchWait(h: SpeechHandle): Promise<void> {
  const w = h.waitForPlayout();
  w.catch(() => {});
  return w;
}
