import { createActor, type Actor, type InspectionEvent, type Observer } from 'xstate';
import { agentStateMachine, type AgentState } from '../machines/agent-state.machine.js';
import { schedulerMachine, SPEECH_PRIORITY } from '../machines/scheduler.machine.js';
import { abortableIterate } from './abortable-iterate.js';
import { frameDuration } from './audio-frame.js';
import type { AudioOutput, PlayoutResult } from './audio-output.js';
import type { ChatItem, FunctionCallItem } from './chat-item.js';
import { InterruptionRefusedError, InvalidArgumentError, SessionClosedError, describe } from './errors.js';
import { DEFAULT_CHARS_PER_SECOND, heardChars, heardText } from './heard-text.js';
import type { LLM, LLMChunk, ToolSchema } from './llm.js';
import { RunContext } from './run-context.js';
import { SESSION_EVENTS, SessionEmitter, type AgentSessionEvent, type AgentSessionEventMap } from './session-events.js';
import { SpeechHandle, type SpeechHandleHooks, type SpeechOutcome } from './speech-handle.js';
import { TextChannel } from './text-channel.js';
import { isTool, type Tool } from './tool.js';
import { ToolRun, type ToolRunHooks } from './tool-run.js';
import type { TTS } from './tts.js';

export type InspectObserver = Observer<InspectionEvent> | ((ev: InspectionEvent) => void);

export interface AgentSessionOptions {
  llm: LLM;
  tts: TTS;
  audioOutput: AudioOutput;
  tools?: Record<string, Tool>;
  instructions?: string;
  /** Steps of one reply that may call tools (default 3); a final text-only step may follow. */
  maxToolSteps?: number;
  /** Default for speeches that do not say (default true). */
  allowInterruptions?: boolean;
  /** An XState inspection observer: receives the events of every actor of the session. */
  inspect?: InspectObserver;
}

type SpeechSource =
  | { kind: 'say'; text: string | AsyncIterable<string>; addToHistory: boolean }
  | { kind: 'reply'; userInput: string | undefined; instructions: string | undefined };

/** One generation step of a speech: its text, audio segment and tool runs. */
interface StepRun {
  index: number;
  text: string;
  textChannel: TextChannel;
  audioSeconds: number;
  /** The TTS finished this step's text. */
  synthesisDone: boolean;
  segmentOpen: boolean;
  speaking: boolean;
  /** The sink's report for this step's segment, once asked for (after flush or at a stop). */
  playout: Promise<PlayoutResult> | null;
  playoutDone: boolean;
  calls: FunctionCallItem[];
  toolRuns: ToolRun[];
  messageCommitted: boolean;
  toolsCommitted: boolean;
}

/** What the runtime keeps for one speech until its floor is released. */
interface SpeechRun {
  handle: SpeechHandle;
  source: SpeechSource;
  abort: AbortController;
  step: StepRun | null;
  authorized: boolean;
  release: Promise<void>;
  resolveRelease: () => void;
}

/**
 * A voice agent's session: schedules speeches, runs LLM → TTS → audio output, runs tools, keeps history.
 * Every speech, tool run, the scheduler and the agent state are XState actors; an interrupt moves
 * them synchronously inside the `interrupt()` call, so no waiter is ever left to a timeout.
 *
 * @example
 * const session = new AgentSession({ llm, tts, audioOutput, tools: { lookup } });
 * await session.start();
 * session.generateReply({ userInput: 'What is the weather in Paris?' });
 * // later, user input arrives through the API:
 * await session.interrupt({ force: true });
 * session.generateReply({ userInput: 'Actually, never mind' });
 */
export class AgentSession {
  private readonly llm: LLM;
  private readonly tts: TTS;
  private readonly audioOutput: AudioOutput;
  private readonly tools: Record<string, Tool>;
  private readonly toolSchemas: ToolSchema[];
  private readonly instructions: string | undefined;
  private readonly maxToolSteps: number;
  private readonly allowInterruptionsDefault: boolean;
  private readonly inspect: InspectObserver | undefined;
  private readonly emitter = new SessionEmitter();
  private readonly items: ChatItem[] = [];
  private readonly runs = new Map<string, SpeechRun>();
  private readonly scheduler: Actor<typeof schedulerMachine>;
  private readonly agentStateActor: Actor<typeof agentStateMachine>;
  private lastAgentState: AgentState = 'initializing';
  private learnedCharsPerSecond: number | undefined;
  /** The speech whose pause holds the audio output, if any. */
  private audioHeldBy: string | null = null;
  private started = false;
  private closing: Promise<void> | null = null;
  private nextSpeech = 0;
  private nextItem = 0;

  constructor(o: AgentSessionOptions) {
    validateOptions(o);
    this.llm = o.llm;
    this.tts = o.tts;
    this.audioOutput = o.audioOutput;
    this.tools = { ...(o.tools ?? {}) };
    this.toolSchemas = Object.entries(this.tools).map(([name, t]) => ({
      name,
      description: t.description,
      parameters: t.parameters ?? { type: 'object', properties: {} },
    }));
    this.instructions = o.instructions;
    this.maxToolSteps = o.maxToolSteps ?? 3;
    this.allowInterruptionsDefault = o.allowInterruptions ?? true;
    this.inspect = o.inspect;
    const inspectOpt = this.inspect ? { inspect: this.inspect } : {};

    this.agentStateActor = createActor(agentStateMachine, { id: 'agentState', ...inspectOpt });
    this.agentStateActor.subscribe((s) => {
      const v = s.value as AgentState | 'closed';
      if (v === 'closed' || v === this.lastAgentState) return;
      const oldState = this.lastAgentState;
      this.lastAgentState = v;
      this.emitter.emit('agent_state_changed', { oldState, newState: v });
    });
    this.agentStateActor.start();

    this.scheduler = createActor(
      schedulerMachine.provide({ actions: { grantFloor: (_, { id }) => this.grantFloor(id) } }),
      { id: 'scheduler', ...inspectOpt },
    );
    this.scheduler.start();
    // Speeches created before start() wait in the queue; start() resumes scheduling.
    this.scheduler.send({ type: 'PAUSE' });
  }

  /** Starts scheduling. Speeches created before it were queued and are served now. */
  async start(): Promise<void> {
    if (this.closing) throw new SessionClosedError('AgentSession.start: the session is closed');
    if (this.started) return;
    this.started = true;
    this.agentStateActor.send({ type: 'STARTED' });
    this.scheduler.send({ type: 'RESUME' });
  }

  /** The conversation so far, in causal order. */
  get history(): readonly ChatItem[] {
    return this.items;
  }

  get agentState(): AgentState {
    return this.lastAgentState;
  }

  /** The speech holding the floor, if any. */
  get currentSpeech(): SpeechHandle | undefined {
    const id = this.scheduler.getSnapshot().context.current;
    return id ? this.runs.get(id)?.handle : undefined;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.closing !== null;
  }

  /** The running scheduler actor (for inspection and tests). */
  get schedulerActor(): Actor<typeof schedulerMachine> {
    return this.scheduler;
  }

  /** Handles not yet released (queued, playing, or stopping). */
  get pendingSpeeches(): SpeechHandle[] {
    return [...this.runs.values()].map((r) => r.handle);
  }

  /**
   * Speaks `text` (a string, or a stream of text) without the LLM.
   * @example session.say('Please hold on.', { allowInterruptions: false });
   */
  say(text: string | AsyncIterable<string>, o: { allowInterruptions?: boolean; addToHistory?: boolean; priority?: number } = {}): SpeechHandle {
    if (typeof text !== 'string' && !isAsyncIterable(text))
      throw new InvalidArgumentError(`AgentSession.say: text must be a string or an AsyncIterable<string>, got ${typeName(text)}`);
    checkOptions('AgentSession.say', o, { allowInterruptions: 'boolean', addToHistory: 'boolean', priority: 'number' });
    return this.createSpeech({ kind: 'say', text, addToHistory: o.addToHistory ?? true }, o, 'say');
  }

  /**
   * Asks the LLM for a reply, optionally to new user input (added to history when the reply starts).
   * @example session.generateReply({ userInput: 'Book a table for two' });
   */
  generateReply(o: { userInput?: string; instructions?: string; allowInterruptions?: boolean; priority?: number } = {}): SpeechHandle {
    checkOptions('AgentSession.generateReply', o, { userInput: 'string', instructions: 'string', allowInterruptions: 'boolean', priority: 'number' });
    return this.createSpeech({ kind: 'reply', userInput: o.userInput, instructions: o.instructions }, o, 'generate_reply');
  }

  /**
   * Interrupts the current speech and every queued speech that allows it (all of them with `force`).
   * The machines move synchronously inside this call: tool playout waits reject, tool signals abort.
   * The promise resolves once the interrupted audio has stopped and history holds what was heard.
   * Without `force`, an uninterruptible current speech makes it reject {@link InterruptionRefusedError}
   * and nothing is interrupted.
   * @example await session.interrupt({ force: true });
   */
  interrupt(o: { force?: boolean } = {}): Promise<void> {
    try {
      checkOptions('AgentSession.interrupt', o, { force: 'boolean' });
    } catch (e) {
      return Promise.reject(e);
    }
    return this.interruptAll(o.force === true, 'interrupt');
  }

  /**
   * Interrupts everything (forced), waits for the audio to stop, and stops scheduling for good.
   * Running tools get an aborted signal; their playout waits reject `SpeechInterruptedError` (reason 'close').
   * @example await session.close();
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      await this.interruptAll(true, 'close');
      this.scheduler.send({ type: 'CLOSE' });
      this.agentStateActor.send({ type: 'CLOSE' });
      this.emitter.emit('close', { reason: 'user' });
    })();
    return this.closing;
  }

  /**
   * Listens to a session event.
   * @example session.on('conversation_item_added', ({ item }) => console.log(item));
   */
  on<K extends AgentSessionEvent>(event: K, listener: (ev: AgentSessionEventMap[K]) => void): this {
    if (!SESSION_EVENTS.includes(event))
      throw new InvalidArgumentError(`AgentSession.on: unknown event '${String(event)}' (known: ${SESSION_EVENTS.join(', ')})`);
    if (typeof listener !== 'function') throw new InvalidArgumentError(`AgentSession.on: listener for '${String(event)}' must be a function`);
    this.emitter.on(event, listener);
    return this;
  }

  off<K extends AgentSessionEvent>(event: K, listener: (ev: AgentSessionEventMap[K]) => void): this {
    this.emitter.off(event, listener);
    return this;
  }

  // ── speeches ────────────────────────────────────────────────────────────

  private createSpeech(
    source: SpeechSource,
    o: { allowInterruptions?: boolean; priority?: number },
    kind: 'say' | 'generate_reply',
  ): SpeechHandle {
    if (this.closing) throw new SessionClosedError(`AgentSession.${kind === 'say' ? 'say' : 'generateReply'}: the session is closed`);
    const priority = o.priority ?? SPEECH_PRIORITY.NORMAL;
    if (!Number.isFinite(priority)) throw new InvalidArgumentError(`AgentSession.${kind}: priority must be a finite number, got ${priority}`);
    const id = `speech_${++this.nextSpeech}`;
    let resolveRelease!: () => void;
    const release = new Promise<void>((r) => (resolveRelease = r));
    const handle = new SpeechHandle(
      {
        id,
        priority,
        allowInterruptions: o.allowInterruptions ?? this.allowInterruptionsDefault,
        maxToolSteps: this.maxToolSteps,
        inspect: this.inspect,
      },
      this.speechHooks,
    );
    const run: SpeechRun = { handle, source, abort: new AbortController(), step: null, authorized: false, release, resolveRelease };
    this.runs.set(id, run);
    // Enqueue before telling listeners, so a listener that interrupts it at once finds it queued.
    this.scheduler.send({ type: 'ENQUEUE', id, priority });
    this.emitter.emit('speech_created', { speechHandle: handle, source: kind, userInitiated: true });
    return handle;
  }

  private interruptAll(force: boolean, reason: 'interrupt' | 'close'): Promise<void> {
    const currentId = this.scheduler.getSnapshot().context.current;
    const current = currentId ? this.runs.get(currentId) : undefined;
    if (!force && current && !current.handle.done() && !current.handle.allowInterruptions)
      return Promise.reject(new InterruptionRefusedError(current.handle.id));
    const waitFor: Promise<void>[] = [];
    // Queued speeches first: interrupting the current one first would hand them the floor.
    const ordered = [...this.runs.values()].sort((a, b) => Number(a === current) - Number(b === current));
    for (const run of ordered) {
      if (run.handle.done()) {
        waitFor.push(run.release); // finished, its audio may still be settling
        continue;
      }
      if (!force && !run.handle.allowInterruptions) continue; // an uninterruptible queued speech keeps its place
      run.handle.actor.send({ type: 'INTERRUPT', force, reason });
      waitFor.push(run.release);
    }
    return Promise.all(waitFor).then(() => undefined);
  }

  private grantFloor(id: string): void {
    const run = this.runs.get(id);
    if (!run || run.handle.done()) {
      // Never leave the floor to a speech that can no longer release it.
      this.scheduler.send({ type: 'RELEASE', id });
      return;
    }
    run.authorized = true;
    this.setAgentState('THINKING');
    run.handle.actor.send({ type: 'AUTHORIZE' });
  }

  private readonly speechHooks: SpeechHandleHooks = {
    startStep: (handle, step) => {
      const run = this.runs.get(handle.id);
      if (!run) return;
      if (step > 1) this.setAgentState('THINKING');
      // User code (LLM, TTS) runs after the transition, never inside it.
      queueMicrotask(() => void this.runStep(run, step));
    },
    interruptTools: (handle, reason) => {
      const st = this.runs.get(handle.id)?.step;
      if (!st) return;
      const err = handle.stopError();
      for (const t of st.toolRuns) {
        if (t.actor.getSnapshot().status === 'done') continue;
        t.abortError = err;
        if (reason === 'speechFailed') t.actor.send({ type: 'SPEECH_FAILED' });
        else t.actor.send({ type: 'INTERRUPT', force: true, reason });
      }
    },
    stopAudio: (handle) => {
      const run = this.runs.get(handle.id);
      if (!run) return;
      // The LLM/TTS streams stop right after the call: every loop already checks that the speech is
      // final, and dispatching abort to their listeners was a third of the interrupt's cost.
      const reason = handle.stopError();
      queueMicrotask(() => run.abort.abort(reason));
      const st = run.step;
      if (!st || !st.segmentOpen || st.playoutDone) {
        // A speech paused before its first frame must not leave the sink holding the next one.
        if (this.audioHeldBy === handle.id) {
          this.audioHeldBy = null;
          this.audioOutput.resume?.();
        }
        return;
      }
      this.audioHeldBy = null; // clearBuffer() ends a pause too
      // The sink is cleared right after the call (a microtask): the waiters the call settled run
      // first, and a native clear no longer delays them. Nothing is captured meanwhile: the pump
      // checks that the speech is final before every frame.
      const flushed = st.playout;
      st.playout = Promise.resolve().then(() => {
        // Ask for the segment's report before clearing, so the cut position is what comes back.
        const report = flushed ?? this.audioOutput.waitForPlayout();
        this.audioOutput.clearBuffer();
        return report;
      });
    },
    // The sink holds what it has and what comes next until resume (or clearBuffer).
    pauseAudio: (handle) => {
      this.audioHeldBy = handle.id;
      this.audioOutput.pause?.();
    },
    resumeAudio: () => {
      this.audioHeldBy = null;
      this.audioOutput.resume?.();
    },
    finishSpeech: (handle, outcome) => {
      const run = this.runs.get(handle.id);
      if (run) void this.finish(run, outcome);
    },
    callbackError: (e) => this.reportError(e, 'callback'),
  };

  private readonly toolHooks: ToolRunHooks = {
    settled: (tr, _output, aborted) => {
      if (aborted) return; // the speech is ending; finish() commits every output
      const run = this.runs.get(tr.speechId);
      const st = run?.step;
      if (!run || !st || !st.toolRuns.includes(tr)) return;
      this.commitToolsIfSettled(run, st);
      run.handle.actor.send({ type: 'TOOL_SETTLED', callId: tr.callId });
    },
    discarded: (tr, outcome, value) => {
      this.emitter.emit('tool_result_discarded', { speechId: tr.speechId, callId: tr.callId, name: tr.name, outcome, value });
    },
    toolCrashed: (tr, error) => {
      this.reportError(error instanceof Error ? error : new Error(`tool ${tr.name} threw ${describe(error)}`), 'tool');
    },
  };

  private async runStep(run: SpeechRun, index: number): Promise<void> {
    const handle = run.handle;
    if (handle.done()) return;
    const signal = run.abort.signal;
    const st: StepRun = {
      index,
      text: '',
      textChannel: new TextChannel(),
      audioSeconds: 0,
      synthesisDone: false,
      segmentOpen: false,
      speaking: false,
      playout: null,
      playoutDone: false,
      calls: [],
      toolRuns: [],
      messageCommitted: false,
      toolsCommitted: false,
    };
    run.step = st;
    const alive = () => !handle.done() && run.step === st;

    if (index === 1 && run.source.kind === 'reply' && run.source.userInput !== undefined)
      this.addItem({ type: 'message', id: this.newId(), role: 'user', content: run.source.userInput });

    const audio = this.pumpAudio(run, st, signal, alive);
    try {
      const chunks = this.chunksFor(run, index, signal);
      for await (const chunk of abortableIterate(chunks, signal)) {
        if (!alive()) break;
        if (chunk.type === 'text') {
          if (typeof chunk.text !== 'string') throw new TypeError(`LLM chunk text must be a string, got ${typeName(chunk.text)}`);
          st.text += chunk.text;
          st.textChannel.push(chunk.text);
        } else if (chunk.type === 'toolCall') {
          this.startTool(run, st, chunk);
        } else {
          throw new TypeError(`unknown LLM chunk type ${describe((chunk as { type: unknown }).type)}`);
        }
      }
    } catch (e) {
      st.textChannel.close();
      if (alive()) this.fail(run, e, 'llm');
      await audio;
      return;
    }
    st.textChannel.close();
    if (!alive()) return;
    handle.actor.send({ type: 'GENERATION_DONE' });
    await audio;
    if (!alive()) return;
    let result: PlayoutResult = { playbackPosition: 0, interrupted: false };
    if (st.segmentOpen) {
      try {
        this.audioOutput.flush();
        st.playout = this.audioOutput.waitForPlayout();
        result = await st.playout;
      } catch (e) {
        if (alive()) this.fail(run, e, 'audio_output');
        return;
      }
    }
    if (!alive()) return;
    st.playoutDone = true;
    if (!result.interrupted) {
      this.learnSpeakingRate(st);
      this.commitMessage(run, st, st.text, false);
    } else this.commitMessage(run, st, this.heard(st, result.playbackPosition), true);
    for (const t of st.toolRuns) if (t.outcome === undefined) t.actor.send({ type: 'PLAYOUT_DONE' });
    this.commitToolsIfSettled(run, st);
    if (st.toolRuns.some((t) => t.outcome === undefined)) this.setAgentState('THINKING');
    handle.actor.send({ type: 'PLAYOUT_DONE' });
  }

  private chunksFor(run: SpeechRun, index: number, signal: AbortSignal): AsyncIterable<LLMChunk> {
    const src = run.source;
    if (src.kind === 'say') return sayChunks(src.text);
    const instructions = [this.instructions, src.instructions].filter((x) => x !== undefined && x !== '').join('\n\n');
    return this.llm.chat({
      history: this.items.slice(),
      ...(instructions ? { instructions } : {}),
      tools: index > this.maxToolSteps ? [] : this.toolSchemas,
      signal,
    });
  }

  /** TTS → audio output for one step. Errors fail the speech at once, even while the LLM still streams. */
  private async pumpAudio(run: SpeechRun, st: StepRun, signal: AbortSignal, alive: () => boolean): Promise<void> {
    try {
      const frames = this.tts.synthesize(st.textChannel, { signal });
      for await (const frame of abortableIterate(frames, signal)) {
        if (!alive()) break;
        st.audioSeconds += frameDuration(frame);
        st.segmentOpen = true;
        try {
          await this.audioOutput.captureFrame(frame);
        } catch (e) {
          if (alive()) this.fail(run, e, 'audio_output');
          return;
        }
        if (!st.speaking && alive()) {
          st.speaking = true;
          this.setAgentState('SPEAKING');
        }
      }
      if (!signal.aborted) st.synthesisDone = true;
    } catch (e) {
      if (alive() && !signal.aborted) this.fail(run, e, 'tts');
    }
  }

  private startTool(run: SpeechRun, st: StepRun, chunk: Extract<LLMChunk, { type: 'toolCall' }>): void {
    const { callId, name } = chunk;
    const args = typeof chunk.arguments === 'string' ? chunk.arguments : JSON.stringify(chunk.arguments ?? {});
    st.calls.push({ type: 'function_call', id: this.newId(), callId, name, arguments: args });
    const tr = new ToolRun(
      { callId, name, arguments: args, speechId: run.handle.id, step: st.index, inspect: this.inspect },
      this.toolHooks,
      () => this.newId(),
    );
    st.toolRuns.push(tr);
    run.handle.actor.send({ type: 'TOOL_STARTED', callId });
    const t = this.tools[name];
    if (st.index > this.maxToolSteps) return tr.reject(`error: no more tool calls allowed in this reply (maxToolSteps ${this.maxToolSteps} reached)`);
    if (!t) return tr.reject(`error: unknown function ${name}`);
    let parsed: unknown;
    try {
      parsed = args.trim() === '' ? {} : JSON.parse(args);
    } catch (e) {
      return tr.reject(`error: invalid arguments for ${name}: ${(e as Error).message}`);
    }
    const problem = t.validate(parsed);
    if (problem) return tr.reject(`error: invalid arguments for ${name}: ${problem}`);
    const ctx = new RunContext(this, run.handle, { callId, name, arguments: args }, tr);
    tr.execute(() => t.execute(parsed, { ctx, toolCallId: callId, abortSignal: tr.abortController.signal }));
  }

  private fail(run: SpeechRun, error: unknown, source: 'llm' | 'tts' | 'audio_output'): void {
    this.reportError(error, source);
    run.handle.actor.send({ type: 'FAIL', error });
  }

  /** A final speech: commit what was heard, then free the floor for the next speech. */
  private async finish(run: SpeechRun, outcome: SpeechOutcome): Promise<void> {
    const st = run.step;
    if (outcome !== 'done' && st) {
      if (!st.messageCommitted) {
        let position = 0;
        if (st.playout) {
          try {
            position = (await st.playout).playbackPosition;
          } catch (e) {
            this.reportError(e, 'audio_output');
          }
        }
        this.commitMessage(run, st, this.heard(st, position), true);
      }
      this.commitTools(run, st);
    }
    // A reply that ended before its first step still carries what the user said: never lose it.
    if (!st && run.source.kind === 'reply' && run.source.userInput !== undefined)
      this.addItem({ type: 'message', id: this.newId(), role: 'user', content: run.source.userInput });
    this.runs.delete(run.handle.id);
    if (run.authorized) this.scheduler.send({ type: 'RELEASE', id: run.handle.id });
    else this.scheduler.send({ type: 'REMOVE', id: run.handle.id });
    if (this.scheduler.getSnapshot().context.current === null && this.started) this.setAgentState('LISTENING');
    run.resolveRelease();
  }

  /** What the listener heard of a step cut at `position` seconds. */
  private heard(st: StepRun, position: number): string {
    const chars = heardChars({
      pulledChars: st.textChannel.pulledChars,
      audioSeconds: st.audioSeconds,
      synthesisDone: st.synthesisDone,
      playbackPosition: position,
      charsPerSecond: this.tts.charsPerSecond ?? this.learnedCharsPerSecond ?? DEFAULT_CHARS_PER_SECOND,
    });
    return heardText(st.text, chars);
  }

  /** A step that played out whole tells this voice's speaking rate. */
  private learnSpeakingRate(st: StepRun): void {
    if (st.audioSeconds < 0.5 || st.textChannel.pulledChars === 0) return;
    const rate = st.textChannel.pulledChars / st.audioSeconds;
    this.learnedCharsPerSecond = this.learnedCharsPerSecond === undefined ? rate : 0.7 * this.learnedCharsPerSecond + 0.3 * rate;
  }

  // ── history ─────────────────────────────────────────────────────────────

  private commitMessage(run: SpeechRun, st: StepRun, content: string, interrupted: boolean): void {
    if (st.messageCommitted) return;
    st.messageCommitted = true;
    if (run.source.kind === 'say' && !run.source.addToHistory) return;
    // An interrupted reply that was never heard leaves no assistant message.
    if (content.trim() === '') return;
    this.addItem({ type: 'message', id: this.newId(), role: 'assistant', content, ...(interrupted ? { interrupted: true } : {}) });
  }

  private commitToolsIfSettled(run: SpeechRun, st: StepRun): void {
    if (!st.playoutDone || st.toolsCommitted) return;
    if (st.toolRuns.some((t) => t.output === null)) return;
    this.commitTools(run, st);
  }

  private commitTools(run: SpeechRun, st: StepRun): void {
    if (st.toolsCommitted || st.calls.length === 0) return;
    st.toolsCommitted = true;
    const outputs = st.toolRuns.map((t) => t.output).filter((x) => x !== null);
    for (const c of st.calls) this.addItem(c);
    for (const o of outputs) this.addItem(o);
    this.emitter.emit('function_tools_executed', { speechId: run.handle.id, functionCalls: st.calls.slice(), functionCallOutputs: outputs });
  }

  private addItem(item: ChatItem): void {
    this.items.push(item);
    this.emitter.emit('conversation_item_added', { item });
  }

  private newId(): string {
    return `item_${++this.nextItem}`;
  }

  private setAgentState(type: 'THINKING' | 'SPEAKING' | 'LISTENING'): void {
    // Sending an event that changes nothing still costs a full transition.
    if (this.agentStateActor.getSnapshot().value === type.toLowerCase()) return;
    this.agentStateActor.send({ type });
  }

  private reportError(e: unknown, source: AgentSessionEventMap['error']['source']): void {
    this.emitter.emit('error', { error: e instanceof Error ? e : new Error(describe(e)), source });
  }
}

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

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

function typeName(x: unknown): string {
  return x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x;
}

function checkOptions(where: string, o: unknown, spec: Record<string, 'string' | 'boolean' | 'number'>): void {
  if (o === undefined) return;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new InvalidArgumentError(`${where}: options must be an object, got ${typeName(o)}`);
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    const want = spec[k];
    if (!want) throw new InvalidArgumentError(`${where}: unknown option '${k}' (known: ${Object.keys(spec).join(', ')})`);
    if (v !== undefined && typeof v !== want) throw new InvalidArgumentError(`${where}: option '${k}' must be a ${want}, got ${typeName(v)}`);
    if (want === 'number' && v !== undefined && !Number.isFinite(v)) throw new InvalidArgumentError(`${where}: option '${k}' must be a finite number, got ${String(v)}`);
  }
}

function validateOptions(o: AgentSessionOptions): void {
  const where = 'new AgentSession';
  if (o === null || typeof o !== 'object') throw new InvalidArgumentError(`${where}: options must be an object, got ${typeName(o)}`);
  if (!o.llm || typeof o.llm.chat !== 'function') throw new InvalidArgumentError(`${where}: llm must have a chat(request) method`);
  if (!o.tts || typeof o.tts.synthesize !== 'function') throw new InvalidArgumentError(`${where}: tts must have a synthesize(text, { signal }) method`);
  const out = o.audioOutput as unknown as Record<string, unknown> | undefined;
  if (!out || typeof out !== 'object') throw new InvalidArgumentError(`${where}: audioOutput is required`);
  for (const m of ['captureFrame', 'flush', 'clearBuffer', 'waitForPlayout'])
    if (typeof out[m] !== 'function') throw new InvalidArgumentError(`${where}: audioOutput.${m} must be a function`);
  if (o.tools !== undefined) {
    if (o.tools === null || typeof o.tools !== 'object') throw new InvalidArgumentError(`${where}: tools must be a record of tool() definitions`);
    for (const [name, t] of Object.entries(o.tools)) {
      if (!isTool(t)) throw new InvalidArgumentError(`${where}: tools.${name} was not created with tool()`);
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new InvalidArgumentError(`${where}: tool name '${name}' must match [A-Za-z0-9_-]{1,64}`);
    }
  }
  if (o.maxToolSteps !== undefined && (!Number.isInteger(o.maxToolSteps) || o.maxToolSteps < 0))
    throw new InvalidArgumentError(`${where}: maxToolSteps must be a non-negative integer, got ${String(o.maxToolSteps)}`);
  if (o.instructions !== undefined && typeof o.instructions !== 'string') throw new InvalidArgumentError(`${where}: instructions must be a string`);
  if (o.allowInterruptions !== undefined && typeof o.allowInterruptions !== 'boolean')
    throw new InvalidArgumentError(`${where}: allowInterruptions must be a boolean`);
  if (o.inspect !== undefined && typeof o.inspect !== 'function' && (typeof o.inspect !== 'object' || o.inspect === null))
    throw new InvalidArgumentError(`${where}: inspect must be an XState inspection observer (a function or { next })`);
}
