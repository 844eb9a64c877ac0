import { abortableIterate } from './abortable-iterate.js';
import type { SessionRouter } from '../core/session-router.js';
import type { ChatItem } from '../ports/chat-item.js';
import { describe } from '../errors.js';
import { DEFAULT_CHARS_PER_SECOND, heardChars, heardText } from './heard-text.js';
import { frameDuration } from '../ports/audio-frame.js';
import type { AudioOutput, PlayoutResult } from '../ports/audio-output.js';
import type { LLM, LLMChunk, ToolSchema } from '../ports/llm.js';
import type { TTS } from '../ports/tts.js';
import { TextChannel } from './text-channel.js';
import type { AgentSessionEventMap } from '../session-events.js';
import type { StallLimits, StepStallLimits } from './stall-limits.js';
import type { Clock } from '../ports/clock.js';
import type { AgentMetrics, MessageMetrics } from '../metrics.js';
import { PreemptiveReplies, type ReplyRequest } from './preemptive-reply.js';

/** Where a speech's text comes from. */
export type SpeechSource =
  | { kind: 'say'; text: string | AsyncIterable<string> }
  | { kind: 'reply'; instructions: string | undefined };

/** What a step runs with: its agent's models, instructions and tools (resolved when it starts). */
export interface StepModels {
  llm: LLM;
  /** Undefined in a text-only session (no TTS and no audio output). */
  tts: TTS | undefined;
  instructions: string | undefined;
  tools: ToolSchema[];
  /**
   * Runs before the first step of a reply to user input (the agent's `onUserTurnCompleted`):
   * resolves with the user message to commit, or null to skip the reply. Absent: nothing to run.
   */
  userTurnCompleted?: ((userInput: string) => Promise<string | null>) | undefined;
}

/** The I/O of one generation step: what the shell holds beside the router's `RoutedStep`. */
interface StepIO {
  index: number;
  models: StepModels;
  textChannel: TextChannel;
  audioSeconds: number;
  /** The TTS finished this step's text. */
  synthesisDone: boolean;
  /** The output's report for this step's segment, once asked for (after flush, or at a cut). */
  playout: Promise<PlayoutResult> | null;
  /** The step's I/O progress limits: a stalled LLM, TTS or output fails the speech. */
  limits: StepStallLimits;
  /** Clock times for the step's metrics (-1: not yet). */
  times: { llmStart: number; llmFirst: number; llmEnd: number; firstText: number; firstFrame: number; ttsEnd: number; chars: number; toolCalls: number };
  /** The step's LLM stream is the preemptive generation's (started before the turn was committed). */
  preemptive: boolean;
}

/** What the voice input knows of the user turn a reply answers (clock ms), for its end-of-utterance metrics. */
export interface UserTurnTimes {
  /** The user stopped speaking (before the VAD's trailing silence). */
  speechEndedAtMs: number;
  /** The final transcript arrived. */
  finalAtMs: number;
  /** The turn was committed (the reply was asked for). */
  committedAtMs: number;
}

/** One speech's I/O handles, until it is released. */
interface SpeechIO {
  id: string;
  source: SpeechSource;
  abort: AbortController;
  step: StepIO | null;
}

export interface StepRunnerOptions {
  /** Null in a text-only session: a step's text counts as heard as it is generated (see `runText`). */
  audioOutput: AudioOutput | null;
  /** The models of step `index` of speech `id` (its agent's, else the session's). */
  models: (id: string, index: number) => StepModels;
  history: () => readonly ChatItem[];
  /** A parsed tool call: start its run (the router has created its machine). */
  runTool: (speechId: string, step: number, call: { callId: string; name: string; arguments: string }) => void;
  reportError: (e: unknown, source: AgentSessionEventMap['error']['source']) => void;
  stallLimits: StallLimits;
  /** The session's clock: metrics are measured on it. */
  clock: Clock;
  /** Each figure as it is collected (`metrics_collected`). */
  onMetrics: (m: AgentMetrics) => void;
}

/**
 * The session's pipeline effects: runs a step (LLM or `say` text → text channel → TTS → audio
 * output), flushes and reports its segment, stops it and reports what was heard of a cut. It
 * decides nothing: every outcome is reported to the router.
 * @internal
 */
export class StepRunner {
  private readonly io = new Map<string, SpeechIO>();
  private learnedCharsPerSecond: number | undefined;
  /** The user turns replies answer, by speech id (set by the voice input). */
  private readonly userTurns = new Map<string, UserTurnTimes & { eou?: MessageMetrics }>();
  /**
   * The figures of the step whose message is being committed: set around the router's report, taken
   * by the session when the assistant message is added (synchronously, inside that report).
   */
  pendingMessageMetrics: MessageMetrics | undefined;
  router!: SessionRouter;
  /** Preemptive generation: the reply prepared for the user's prospective turn. */
  readonly preemptive = new PreemptiveReplies();

  constructor(private readonly o: StepRunnerOptions) {}

  add(id: string, source: SpeechSource): void {
    this.io.set(id, { id, source, abort: new AbortController(), step: null });
  }

  forget(id: string): void {
    this.io.get(id)?.step?.limits.dispose();
    this.io.delete(id);
    this.userTurns.delete(id);
    this.preemptive.released(id);
  }

  /**
   * Preemptive generation: starts the LLM on the prospective user turn `userInput` with these
   * models, as the reply's first step would ask (history + the user message); nothing plays.
   */
  prepare(userInput: string, models: StepModels): void {
    const history: ChatItem[] = [...this.o.history(), { type: 'message', id: 'preemptive_user_message', role: 'user', content: userInput }];
    this.preemptive.start(userInput, this.requestOf(models, undefined, history));
  }

  private requestOf(m: StepModels, extra: string | undefined, history: readonly ChatItem[]): ReplyRequest {
    const instructions = [m.instructions, extra].filter((x) => x !== undefined && x !== '').join('\n\n');
    return { llm: m.llm, history, ...(instructions ? { instructions } : {}), tools: m.tools };
  }

  /** The reply `id` answers a user turn with these times: its end-of-utterance figures come with its first frame. */
  noteUserTurn(id: string, t: UserTurnTimes): void {
    if (this.io.has(id)) this.userTurns.set(id, { ...t });
  }

  /** Starts step `index` in a later microtask: user code (LLM, TTS) never runs in an interrupt's call stack. */
  startStep(id: string, index: number): void {
    const io = this.io.get(id);
    if (!io) return;
    io.step?.limits.stop();
    const st: StepIO = {
      index,
      models: this.o.models(id, index),
      textChannel: new TextChannel(),
      audioSeconds: 0,
      synthesisDone: false,
      playout: null,
      limits: null!,
      times: { llmStart: -1, llmFirst: -1, llmEnd: -1, firstText: -1, firstFrame: -1, ttsEnd: -1, chars: 0, toolCalls: 0 },
      preemptive: false,
    };
    // A stall fails the speech as an LLM, TTS or output error would (if the step still runs).
    st.limits = this.o.stallLimits.step(io.abort.signal, (e) => {
      if (io.step === st && this.router.step(id, index) !== undefined) this.fail(id, e, e.dependency);
    });
    io.step = st;
    queueMicrotask(() => void this.runStep(id, io, st).finally(() => st.limits.stop()));
  }

  /** Stops the speech's LLM and TTS streams (right after the call: every loop checks the speech first). */
  stopStreams(id: string, reason: Error): void {
    const io = this.io.get(id);
    if (io) queueMicrotask(() => io.abort.abort(reason));
  }

  /**
   * Clears the output under the step's open segment and reports what was heard. The clear runs in a
   * microtask: the waiters the interrupt settled run first, and a native clear no longer delays them.
   */
  cutAudio(id: string, index: number): void {
    const st = this.io.get(id)?.step;
    if (!st || st.index !== index) return this.router.cutReported(id, '');
    const output = this.o.audioOutput;
    // Text-only: what was generated before the cut was delivered, so it counts as heard (as in LiveKit).
    if (!output) return this.router.cutReported(id, this.router.state.speeches.get(id)?.step?.text ?? '');
    const flushed = st.playout;
    st.playout = Promise.resolve().then(() => {
      // Ask for the segment's report before clearing, so the cut position is what comes back.
      const report = flushed ?? output.waitForPlayout();
      output.clearBuffer();
      this.o.stallLimits.audioResumed(); // a clear ends a pause
      return report;
    });
    st.limits.cut(st.playout, (e) => {
      this.o.reportError(e, 'audio_output');
      this.router.cutReported(id, '');
    });
    st.playout.then(
      (r) => this.router.cutReported(id, this.heard(id, st, r.playbackPosition)),
      (e) => {
        this.o.reportError(e, 'audio_output');
        this.router.cutReported(id, '');
      },
    );
  }

  private async runStep(id: string, io: SpeechIO, st: StepIO): Promise<void> {
    const router = this.router;
    const signal = io.abort.signal;
    const alive = () => io.step === st && router.step(id, st.index) !== undefined;
    if (!alive()) return;
    const userInput = router.state.speeches.get(id)?.userInput;
    let skip = false;
    if (st.index === 1 && userInput !== undefined && st.models.userTurnCompleted && io.source.kind === 'reply') {
      // The agent sees the turn before the LLM does; it may change it, or skip the reply.
      let content: string | null;
      try {
        content = await st.models.userTurnCompleted(userInput);
      } catch (e) {
        if (alive()) this.fail(id, e, 'agent');
        return;
      }
      if (!alive()) return;
      if (content === null) skip = true;
      else router.setUserInput(id, content);
    }
    router.stepRunning(id, st.index);
    const output = this.o.audioOutput;
    const audio = output ? this.pumpAudio(id, st, output, signal, alive) : Promise.resolve();
    try {
      // Only the LLM's stream is held to the LLM limit: a `say` text stream is the caller's own.
      const chunks = skip ? noChunks() : this.chunksFor(io, st, signal);
      const measured = io.source.kind === 'reply' && !skip;
      if (measured) st.times.llmStart = this.o.clock.now();
      for await (const chunk of abortableIterate(measured ? st.limits.llm(chunks) : chunks, signal)) {
        if (!alive()) break;
        if (st.times.llmFirst < 0) st.times.llmFirst = this.o.clock.now();
        if (chunk.type === 'text' && typeof chunk.text === 'string') {
          st.times.chars += chunk.text.length;
          if (st.times.firstText < 0 && chunk.text !== '') st.times.firstText = this.o.clock.now();
        } else if (chunk.type === 'toolCall') st.times.toolCalls++;
        if (chunk.type === 'text') {
          if (typeof chunk.text !== 'string') throw new TypeError(`LLM chunk text must be a string, got ${typeName(chunk.text)}`);
          router.textChunk(id, st.index, chunk.text);
          if (output) st.textChannel.push(chunk.text);
          else if (chunk.text !== '') this.textDelivered(id, st.index);
        } else if (chunk.type === 'toolCall') {
          const args = typeof chunk.arguments === 'string' ? chunk.arguments : JSON.stringify(chunk.arguments ?? {});
          this.o.runTool(id, st.index, { callId: chunk.callId, name: chunk.name, arguments: args });
        } else {
          throw new TypeError(`unknown LLM chunk type ${describe((chunk as { type: unknown }).type)}`);
        }
      }
    } catch (e) {
      st.textChannel.close();
      this.llmMetrics(id, st, true);
      if (alive()) this.fail(id, e, 'llm');
      await audio;
      return;
    }
    st.textChannel.close();
    this.llmMetrics(id, st, !alive());
    if (!alive()) return;
    router.generationDone(id, st.index);
    await audio;
    if (!alive()) return;
    const text = router.step(id, st.index)!.text;
    // Without a frame queued (or without audio at all) the step was heard whole when its text ended.
    if (!output || !router.step(id, st.index)!.segmentOpen) {
      this.eouMetrics(id, st);
      return this.reportWithMetrics(id, st, () => router.playoutDone(id, st.index, text, false));
    }
    let result: PlayoutResult;
    try {
      output.flush();
      st.playout = st.limits.output(output.waitForPlayout(), st.audioSeconds, 'the output did not report the end of the segment (beyond the audio left to play)');
      result = await st.playout;
    } catch (e) {
      if (alive()) this.fail(id, e, 'audio_output');
      return;
    }
    if (!alive()) return;
    if (!result.interrupted) {
      this.learnSpeakingRate(st);
      this.reportWithMetrics(id, st, () => router.playoutDone(id, st.index, text, false));
    } else this.reportWithMetrics(id, st, () => router.playoutDone(id, st.index, this.heard(id, st, result.playbackPosition), true));
  }

  private llmMetrics(id: string, st: StepIO, cancelled: boolean): void {
    const t = st.times;
    if (t.llmStart < 0 || t.llmEnd >= 0) return;
    t.llmEnd = this.o.clock.now();
    this.o.onMetrics({
      type: 'llm_metrics',
      speechId: id,
      step: st.index,
      timestamp: t.llmStart,
      ttftMs: t.llmFirst < 0 ? -1 : t.llmFirst - t.llmStart,
      durationMs: t.llmEnd - t.llmStart,
      completionChars: t.chars,
      toolCalls: t.toolCalls,
      cancelled,
      ...(st.preemptive ? { preemptive: true } : {}),
    });
  }

  private ttsMetrics(id: string, st: StepIO, cancelled: boolean): void {
    const t = st.times;
    if (t.firstText < 0 || t.ttsEnd >= 0) return;
    t.ttsEnd = this.o.clock.now();
    this.o.onMetrics({
      type: 'tts_metrics',
      speechId: id,
      step: st.index,
      timestamp: t.firstText,
      ttfbMs: t.firstFrame < 0 ? -1 : t.firstFrame - t.firstText,
      durationMs: t.ttsEnd - t.firstText,
      audioDurationMs: Math.round(st.audioSeconds * 1000),
      charactersCount: st.textChannel.pulledChars,
      cancelled,
    });
  }

  /** End of utterance, for the reply to a voice turn: at its first frame (or at the end of its first step, if none played). */
  private eouMetrics(id: string, st: StepIO): void {
    const u = this.userTurns.get(id);
    if (!u || u.eou) return;
    const m = {
      endOfUtteranceDelayMs: u.committedAtMs - u.speechEndedAtMs,
      transcriptionDelayMs: Math.max(0, u.finalAtMs - u.speechEndedAtMs),
      endToEndDelayMs: st.times.firstFrame < 0 ? -1 : st.times.firstFrame - u.speechEndedAtMs,
    };
    u.eou = m;
    this.o.onMetrics({ type: 'eou_metrics', speechId: id, timestamp: u.committedAtMs, ...m });
  }

  /** Reports a step's end with its figures ready for the assistant message the report commits. */
  private reportWithMetrics(id: string, st: StepIO, report: () => void): void {
    const t = st.times;
    const eou = this.userTurns.get(id)?.eou;
    const m: MessageMetrics = {
      ...(t.llmStart >= 0 && t.llmFirst >= 0 ? { llmTtftMs: t.llmFirst - t.llmStart } : {}),
      ...(t.llmStart >= 0 && t.llmEnd >= 0 ? { llmDurationMs: t.llmEnd - t.llmStart } : {}),
      ...(t.firstText >= 0 && t.firstFrame >= 0 ? { ttsTtfbMs: t.firstFrame - t.firstText } : {}),
      ...(this.o.audioOutput ? { ttsAudioDurationMs: Math.round(st.audioSeconds * 1000) } : {}),
      // The turn's figures go on the message of the step that first spoke to it.
      ...(eou && st.times.firstFrame >= 0 ? eou : {}),
    };
    this.pendingMessageMetrics = m;
    try {
      report();
    } finally {
      this.pendingMessageMetrics = undefined;
    }
  }

  private chunksFor(io: SpeechIO, st: StepIO, signal: AbortSignal): AsyncIterable<LLMChunk> {
    const src = io.source;
    if (src.kind === 'say') return sayChunks(src.text);
    const req = this.requestOf(st.models, src.instructions, this.o.history().slice());
    // The reply to a committed turn: the preemptive generation's stream, if made for exactly this request.
    if (st.index === 1) {
      const prepared = this.preemptive.take(io.id, req, signal);
      if (prepared) {
        st.preemptive = true;
        return prepared;
      }
    }
    return req.llm.chat({ history: req.history, ...(req.instructions ? { instructions: req.instructions } : {}), tools: req.tools, signal });
  }

  /**
   * Text-only: the step's first text was delivered. It stands for the first frame with audio: the
   * segment is open (an interrupt now cuts it, keeping the text so far) and the agent speaks.
   */
  private textDelivered(id: string, index: number): void {
    if (this.router.step(id, index)?.segmentOpen) return;
    this.router.frameQueued(id, index);
    this.router.speaking(id, index);
  }

  /** TTS → audio output for one step. Errors fail the speech at once, even while the LLM still streams. */
  private async pumpAudio(id: string, st: StepIO, output: AudioOutput, signal: AbortSignal, alive: () => boolean): Promise<void> {
    let first = true;
    try {
      const frames = st.models.tts!.synthesize(st.textChannel, { signal });
      for await (const frame of abortableIterate(st.limits.tts(frames, st.textChannel), signal)) {
        if (!alive()) break;
        st.audioSeconds += frameDuration(frame);
        this.router.frameQueued(id, st.index);
        try {
          await st.limits.output(output.captureFrame(frame), st.audioSeconds, 'the output did not accept a frame (beyond the audio left to play)');
        } catch (e) {
          if (alive()) this.fail(id, e, 'audio_output');
          return;
        }
        if (first && alive()) {
          first = false;
          st.times.firstFrame = this.o.clock.now();
          this.eouMetrics(id, st);
          this.router.speaking(id, st.index);
        }
      }
      if (!signal.aborted) st.synthesisDone = true;
      this.ttsMetrics(id, st, signal.aborted);
    } catch (e) {
      this.ttsMetrics(id, st, true);
      if (alive() && !signal.aborted) this.fail(id, e, 'tts');
    }
  }

  private fail(id: string, error: unknown, source: 'llm' | 'tts' | 'audio_output' | 'agent'): void {
    this.o.reportError(error, source);
    this.router.fail(id, error);
  }

  /** What the listener heard of a step cut at `position` seconds. */
  private heard(id: string, st: StepIO, position: number): string {
    const text = this.router.state.speeches.get(id)?.step?.text ?? '';
    const chars = heardChars({
      pulledChars: st.textChannel.pulledChars,
      audioSeconds: st.audioSeconds,
      synthesisDone: st.synthesisDone,
      playbackPosition: position,
      charsPerSecond: st.models.tts?.charsPerSecond ?? this.learnedCharsPerSecond ?? DEFAULT_CHARS_PER_SECOND,
    });
    return heardText(text, chars);
  }

  /** A step that played out whole tells this voice's speaking rate. */
  private learnSpeakingRate(st: StepIO): void {
    if (st.audioSeconds < 0.5 || st.textChannel.pulledChars === 0) return;
    const rate = st.textChannel.pulledChars / st.audioSeconds;
    this.learnedCharsPerSecond = this.learnedCharsPerSecond === undefined ? rate : 0.7 * this.learnedCharsPerSecond + 0.3 * rate;
  }
}

async function* noChunks(): AsyncIterable<LLMChunk> {}

async function* sayChunks(text: string | AsyncIterable<string>): AsyncIterable<LLMChunk> {
  if (typeof text === 'string') {
    yield { type: 'text', text };
    return;
  }
  for await (const t of text) {
    if (typeof t !== 'string') throw new TypeError(`say: the text stream yielded ${typeName(t)}, expected strings`);
    yield { type: 'text', text: t };
  }
}

function typeName(x: unknown): string {
  return x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x;
}
