import type { Actor } from 'xstate';
import type { agentStateMachine, AgentState } from '../machines/agent-state.machine.js';
import type { UserState } from '../machines/user-turn.machine.js';
import { SPEECH_PRIORITY, type schedulerMachine } from '../machines/scheduler.machine.js';
import { SessionRouter, type SessionShell } from './core/session-router.js';
import { initialSessionState } from './core/session-state.js';
import { Agent } from './agents/agent.js';
import { InterruptionRefusedError, InvalidArgumentError, RunInProgressError, SessionClosedError, describe } from './errors.js';
import type { AudioOutput } from './ports/audio-output.js';
import { realClock, type Clock } from './ports/clock.js';
import type { ChatItem } from './ports/chat-item.js';
import type { LLM, ToolSchema } from './ports/llm.js';
import type { TTS } from './ports/tts.js';
import { AgentHost } from './runtime/agent-host.js';
import { LiveMachines, type InspectObserver } from './runtime/live-machines.js';
import { StepRunner, type SpeechSource, type StepModels, type UserTurnTimes } from './runtime/step-runner.js';
import { conversationOf } from './runtime/conversation-observer.js';
import { resolveIoTimeouts, type IoTimeouts } from './runtime/io-timeouts.js';
import { StallLimits } from './runtime/stall-limits.js';
import { runTool } from './runtime/tool-dispatch.js';
import { RunTracker } from './runtime/run-tracker.js';
import { RunResult } from './testing/run-result.js';
import { SESSION_EVENTS, SessionEmitter, type AgentSessionEvent, type AgentSessionEventMap } from './session-events.js';
import { checkOptions, isAsyncIterable, typeName, validateOptions, withInitialHistory } from './session-options.js';
import type { SpeechHandle } from './speech-handle.js';
import type { Tool } from './tool.js';
import { mayPreemptReply } from './core/preemptive-slot.js';

export type { InspectObserver } from './runtime/live-machines.js';

export interface AgentSessionOptions<UserData = any> {
  /** The session's LLM; an agent may bring its own. */
  llm: LLM;
  /**
   * The session's TTS; an agent may bring its own. Give it with `audioOutput`, or neither for a
   * text-only session (chat agents, tests): a speech's text then counts as heard as it is generated.
   */
  tts?: TTS;
  /** Where the audio plays; required with `tts`, absent in a text-only session. */
  audioOutput?: AudioOutput;
  /** The first agent. Without it, `instructions` and `tools` make the default agent (`default_agent`). */
  agent?: Agent;
  tools?: Record<string, Tool>;
  instructions?: string;
  /** Steps of one reply that may call tools (default 3); a final text-only step may follow. */
  maxToolSteps?: number;
  /** Default for speeches that do not say (default true). */
  allowInterruptions?: boolean;
  /**
   * An XState inspection observer: receives the events of every actor of the session. If it has a
   * `conversation` method (the trace recorder's and the inspector's do), it also gets each history item.
   */
  inspect?: InspectObserver;
  /** The time the I/O progress limits run on (default `realClock`; pass the `VirtualClock` in tests). */
  clock?: Clock;
  /**
   * How long the LLM, the TTS and the audio output may go without progress before the speech they
   * serve fails with `DependencyStalledError` (an `error` event; the floor goes to the next speech).
   * Default 10 s each; `false` turns them all off (a stalled dependency then holds the floor).
   * @example ioTimeouts: { llmMs: 20_000, ttsMs: false }
   */
  ioTimeouts?: IoTimeouts | false;
  /**
   * The conversation so far (a restored chat, a test's context): the LLM sees it from the first
   * turn. Checked item by item (types, unique ids, each output after its call); copied, and not
   * announced as `conversation_item_added`.
   * @example initialHistory: [{ type: 'message', id: 'm1', role: 'user', content: 'My name is Ann' }]
   */
  initialHistory?: readonly ChatItem[];
  /** The application's own state for this session: `session.userdata`, and `ctx.userdata` in tools. */
  userdata?: UserData;
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
export class AgentSession<UserData = any> {
  private readonly emitter = new SessionEmitter();
  private readonly machines: LiveMachines;
  private readonly router: SessionRouter;
  private readonly steps: StepRunner;
  /** Null in a text-only session. */
  private readonly audioOutput: AudioOutput | null;
  private readonly stallLimits: StallLimits;
  /** Resolves a speech's release (history committed, floor given up), for `interrupt()` and `close()`. */
  private readonly releases = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  private readonly allowInterruptionsDefault: boolean;
  private readonly llm: LLM;
  private readonly tts: TTS | undefined;
  /** @internal The session's agents (used by `AgentTask`). */
  readonly _agentHost: AgentHost;
  /** The inspection observer's `conversation`, if it has one. */
  private readonly inspectConversation: ((item: ChatItem) => void) | undefined;
  private lastAgentState: AgentState = 'initializing';
  private closing: Promise<void> | null = null;
  /** The `session.run()` turn under way, if any. */
  private readonly runs: RunTracker;

  /** The application's own state (the `userdata` option); tools read it as `ctx.userdata`. */
  userdata: UserData;

  constructor(o: AgentSessionOptions<UserData>) {
    validateOptions(o);
    if (o.agent !== undefined && !(o.agent instanceof Agent)) throw new InvalidArgumentError(`AgentSession: agent must be an Agent, got ${typeName(o.agent)}`);
    if (o.agent && (o.instructions !== undefined || o.tools !== undefined))
      throw new InvalidArgumentError('AgentSession: give either agent, or instructions and tools (they make the default agent), not both');
    const firstAgent = o.agent ?? new Agent({ instructions: o.instructions ?? '', tools: o.tools ?? {} });
    this.audioOutput = o.audioOutput ?? null;
    this.llm = o.llm;
    this.tts = o.tts;
    const maxToolSteps = o.maxToolSteps ?? 3;
    this.allowInterruptionsDefault = o.allowInterruptions ?? true;
    this.inspectConversation = conversationOf(o.inspect);
    this.stallLimits = new StallLimits(o.clock ?? realClock, resolveIoTimeouts(o.ioTimeouts));
    this.machines = new LiveMachines(
      o.inspect,
      {
        discarded: (tr, outcome, value) => this.emitter.emit('tool_result_discarded', { speechId: tr.speechId, callId: tr.callId, name: tr.name, outcome, value }),
        toolCrashed: (tr, error) => this.reportError(error instanceof Error ? error : new Error(`tool ${tr.name} threw ${describe(error)}`), 'tool'),
      },
      (e) => this.reportError(e, 'callback'),
    );
    this._agentHost = new AgentHost(this, (e, source) => this.reportError(e, source), () => this.runs.changed());
    this.runs = new RunTracker(() => this.router, () => this._agentHost.entering);
    this.steps = new StepRunner({
      audioOutput: this.audioOutput,
      models: (id, index) => this.modelsOf(id, index),
      history: () => this.router.state.history,
      runTool: (speechId, step, call) => {
        const key = this.router.agentOf(speechId);
        runTool(this, this.router, this.machines, this._agentHost, key, speechId, step, call);
      },
      reportError: (e, source) => this.reportError(e, source),
      stallLimits: this.stallLimits,
      clock: o.clock ?? realClock,
      onMetrics: (metrics) => this.emitter.emit('metrics_collected', { metrics }),
    });
    this.userdata = o.userdata as UserData;
    this.router = new SessionRouter(withInitialHistory(initialSessionState(), o.initialHistory), this.machines, this.shell, { maxToolSteps });
    this.machines.router = this.router;
    this.machines.audio = this.audioOutput !== null;
    this.steps.router = this.router;
    this._agentHost.router = this.router;
    this.machines.handoffKey = (h) => this._agentHost.register(h.agent);
    this._agentHost.updateAgent(firstAgent);
    this.machines.agentActor.subscribe((s) => {
      const v = s.value as AgentState | 'closed';
      if (v === 'closed' || v === this.lastAgentState) return;
      const oldState = this.lastAgentState;
      this.lastAgentState = v;
      this.emitter.emit('agent_state_changed', { oldState, newState: v });
      this.runs.changed();
    });
    this.machines.start();
    // Speeches created before start() wait in the queue; start() resumes scheduling.
    this.router.dispatch(() => this.machines.scheduler.send({ type: 'PAUSE' }));
  }

  /** What the router asks of the world: the pipeline, the audio output, events. */
  private readonly shell: SessionShell = {
    startStep: (id, step) => this.steps.startStep(id, step),
    stopStreams: (id) => {
      const h = this.machines.handles.get(id);
      if (h) this.steps.stopStreams(id, h.stopError());
    },
    cutAudio: (id, step) => this.steps.cutAudio(id, step),
    pauseAudio: () => {
      if (!this.audioOutput?.pause) return;
      this.audioOutput.pause();
      this.stallLimits.audioPaused(); // a held output owes no progress
    },
    resumeAudio: () => {
      this.audioOutput?.resume?.();
      this.stallLimits.audioResumed();
    },
    itemAdded: (item) => {
      // An assistant message carries its step's figures (set by the step runner around its report).
      const metrics = this.steps.pendingMessageMetrics;
      if (metrics && item.type === 'message' && item.role === 'assistant' && item.metrics === undefined) item.metrics = metrics;
      if (this.inspectConversation) {
        try {
          this.inspectConversation(item);
        } catch (e) {
          this.reportError(e instanceof Error ? e : new Error(`inspect.conversation threw ${describe(e)}`), 'callback');
        }
      }
      this.runs.itemAdded(item);
      this.emitter.emit('conversation_item_added', { item });
    },
    toolsExecuted: (speechId, functionCalls, functionCallOutputs) => this.emitter.emit('function_tools_executed', { speechId, functionCalls, functionCallOutputs }),
    released: (id) => {
      const h = this.machines.handles.get(id);
      if (h?.outcome === 'failed') this.runs.failed(h.stopError());
      this.machines.forget(id);
      this.steps.forget(id);
      const r = this.releases.get(id);
      this.releases.delete(id);
      r?.resolve();
      this.runs.changed();
    },
    enterAgent: (key) => this._agentHost.enterAgent(key),
    exitAgent: (key) => {
      // A reply prepared for the leaving agent is not the new agent's.
      this.steps.preemptive.cancel('agent transition');
      this._agentHost.exitAgent(key);
    },
    activityEnded: (key, endedBy) => {
      this._agentHost.activityEnded(key, endedBy);
      this.runs.changed();
    },
    agentHandoff: (oldAgentId, newAgentId) => this.emitter.emit('agent_handoff', { oldAgentId, newAgentId }),
    effectError: (e) => this.reportError(e, 'callback'),
  };

  /** What step `index` of a speech runs with: its agent's models, instructions and tools. */
  private modelsOf(id: string, index: number): StepModels {
    const key = this.router.agentOf(id);
    const agent = this._agentHost.agent(key);
    const tools: ToolSchema[] = !agent || !this.router.toolsAllowed(id, index)
      ? []
      : Object.entries(agent.tools).map(([name, t]) => ({ name, description: t.description, parameters: t.parameters ?? { type: 'object', properties: {} } }));
    return {
      llm: agent?.llm ?? this.llm,
      // A text-only session has no output to play an agent's own TTS on.
      tts: this.audioOutput ? (agent?.tts ?? this.tts) : undefined,
      instructions: agent?.instructions,
      tools,
      userTurnCompleted: this._agentHost.userTurnHook(key),
    };
  }

  /** Starts scheduling. Speeches created before it were queued and are served now. */
  async start(): Promise<void> {
    if (this.closing) throw new SessionClosedError('AgentSession.start: the session is closed');
    this.router.start();
  }

  /** The conversation so far, in causal order. */
  get history(): readonly ChatItem[] {
    return this.router.state.history;
  }

  get agentState(): AgentState {
    return this.lastAgentState;
  }

  /** The agent answering new turns (during a handoff, the one leaving until the new one enters). */
  get currentAgent(): Agent {
    const s = this.router.state;
    const head = s.transitions[0];
    // Before start() the first agent has not entered yet: it is the one that will.
    return this._agentHost.agent(s.activeAgent ?? (head?.kind === 'handoff' ? head.to : null))!;
  }

  /**
   * Hands the session to `agent`: new turns wait; the current speech finishes its step (its tools
   * may go on); the old agent's `onExit` runs; an `agent_handoff` item and event; the new agent's
   * `onEnter` runs. Transitions asked for during one run after it, in order.
   * @example session.updateAgent(new BillingAgent());
   */
  updateAgent(agent: Agent): void {
    if (this.closing) throw new SessionClosedError('AgentSession.updateAgent: the session is closed');
    if (!(agent instanceof Agent)) throw new InvalidArgumentError(`AgentSession.updateAgent: agent must be an Agent, got ${typeName(agent)}`);
    this.steps.preemptive.cancel('agent transition');
    this._agentHost.updateAgent(agent);
  }

  /** The speech holding the floor, if any. */
  get currentSpeech(): SpeechHandle | undefined {
    const id = this.router.current();
    return id ? this.machines.handles.get(id) : undefined;
  }

  /**
   * The speech the agent is busy with: the one holding the floor, else the latest one whose step
   * has played and that waits for its tools. Barge-in interrupts this one.
   */
  get activeSpeech(): SpeechHandle | undefined {
    const id = this.router.activeSpeech();
    return id ? this.machines.handles.get(id) : undefined;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.closing !== null;
  }

  /** The running scheduler actor (for inspection and tests). */
  get schedulerActor(): Actor<typeof schedulerMachine> {
    return this.machines.schedulerActor;
  }

  /** The running agent-state actor (for inspection and tests). */
  get agentStateActor(): Actor<typeof agentStateMachine> {
    return this.machines.agentActor;
  }

  /** Handles not yet released (queued, playing, waiting for their tools, or stopping). */
  get pendingSpeeches(): SpeechHandle[] {
    return [...this.machines.handles.values()];
  }

  /**
   * Speaks `text` (a string, or a stream of text) without the LLM. From a tool, the speech is
   * served while the tool runs (its speech waits for the tools off the floor): awaiting its
   * playout never deadlocks.
   * @example session.say('Please hold on.', { allowInterruptions: false });
   */
  say(text: string | AsyncIterable<string>, o: { allowInterruptions?: boolean; addToHistory?: boolean; priority?: number } = {}): SpeechHandle {
    if (typeof text !== 'string' && !isAsyncIterable(text))
      throw new InvalidArgumentError(`AgentSession.say: text must be a string or an AsyncIterable<string>, got ${typeName(text)}`);
    checkOptions('AgentSession.say', o, { allowInterruptions: 'boolean', addToHistory: 'boolean', priority: 'number' });
    return this.createSpeech({ kind: 'say', text }, { kind: 'say', addToHistory: o.addToHistory ?? true }, o, 'say');
  }

  /**
   * Asks the LLM for a reply, optionally to new user input (added to history when the reply starts).
   * @example session.generateReply({ userInput: 'Book a table for two' });
   */
  generateReply(o: { userInput?: string; instructions?: string; allowInterruptions?: boolean; priority?: number } = {}): SpeechHandle {
    checkOptions('AgentSession.generateReply', o, { userInput: 'string', instructions: 'string', allowInterruptions: 'boolean', priority: 'number' });
    return this.createSpeech({ kind: 'reply', instructions: o.instructions }, { kind: 'reply', userInput: o.userInput }, o, 'generate_reply');
  }

  /**
   * Runs one user turn for a test, as LiveKit's `session.run()`: the user input goes through the
   * agent's `onUserTurnCompleted` to a reply, like `generateReply({ userInput })`, and the result
   * collects every history item added until the session is quiet again: the reply, its tool calls,
   * outputs and tool replies, handoffs, what the new agent's `onEnter` says (see {@link RunResult}).
   * The run's own user message is not an event. Works with and without audio; on a `VirtualClock`,
   * let the clock run until the result is done.
   *
   * Throws {@link RunInProgressError} while another run is not done (runs do not nest), and
   * {@link SessionClosedError} before `start()` or after `close()`.
   * @example
   * const result = session.run({ userInput: 'What is the weather in Paris?' });
   * await clock.runUntil(result.wait()); // or `await result.wait()` when nothing waits on timers
   * result.expect.nextEvent().isFunctionCall({ name: 'lookup', args: { city: 'Paris' } });
   * result.expect.nextEvent().isFunctionCallOutput();
   * await result.expect.nextEvent().isMessage({ role: 'assistant' }).judge(judgeLLM, { intent: 'gives the weather in Paris' });
   * result.expect.noMoreEvents();
   */
  run(o: { userInput: string }): RunResult {
    checkOptions('AgentSession.run', o, { userInput: 'string' });
    if (o === undefined || typeof o.userInput !== 'string') throw new InvalidArgumentError(`AgentSession.run: userInput must be a string, got ${typeName(o?.userInput)}`);
    if (this.closing) throw new SessionClosedError('AgentSession.run: the session is closed');
    if (!this.router.state.started) throw new SessionClosedError('AgentSession.run: the session is not started; call start() first');
    if (this.runs.running) throw new RunInProgressError('AgentSession.run: another run is not done yet; await its wait() first (runs do not nest)');
    const result = new RunResult(o.userInput);
    this.runs.begin(result, () => this.generateReply({ userInput: o.userInput }).id);
    return result;
  }

  /**
   * Interrupts the current speech, the speeches waiting for their tools and every queued speech
   * that allows it (all of them with `force`). The machines move synchronously inside this call:
   * tool playout waits reject, tool signals abort. The promise resolves once the interrupted audio
   * has stopped and history holds what was heard. Without `force`, an uninterruptible current
   * speech makes it reject {@link InterruptionRefusedError} and nothing is interrupted.
   * @example await session.interrupt({ force: true });
   */
  interrupt(o: { force?: boolean } = {}): Promise<void> {
    try {
      checkOptions('AgentSession.interrupt', o, { force: 'boolean' });
    } catch (e) {
      return Promise.reject(e);
    }
    const { refused, waitFor } = this.router.interruptAll(o.force === true, 'interrupt');
    if (refused) return Promise.reject(new InterruptionRefusedError(this.router.current()!));
    this.steps.preemptive.cancel('interrupt');
    return this.releasesOf(waitFor);
  }

  /**
   * Interrupts everything (forced), waits for the audio to stop, and stops scheduling for good.
   * Running tools get an aborted signal; their playout waits reject `SpeechInterruptedError` (reason 'close').
   * @example await session.close();
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.steps.preemptive.cancel('close');
    const waitFor = this.router.beginClose();
    this.closing = this.releasesOf(waitFor).then(() => {
      this.router.endClose();
      this.emitter.emit('close', { reason: 'user' });
    });
    return this.closing;
  }

  /**
   * Manual turn detection: the user's turn is over, answer it now (with push-to-talk, on release).
   * What the user said goes to `generateReply({ userInput })` once the user stops speaking and its
   * final transcript is in. Works in every turn detection mode (it skips the endpointing delay).
   * Throws {@link InvalidArgumentError} when no voice input is attached (`attachVoiceInput`).
   * @example voice = attachVoiceInput(session, { clock, turn: { turnDetection: 'manual' } }); session.commitUserTurn();
   */
  commitUserTurn(): void {
    this.userTurnControl('commitUserTurn').commit();
  }

  /**
   * Forgets what the user said in the current turn (nothing of it will be answered).
   * Throws {@link InvalidArgumentError} when no voice input is attached.
   * @example session.clearUserTurn();
   */
  clearUserTurn(): void {
    this.userTurnControl('clearUserTurn').clear();
  }

  /** The user's state ('listening' until a voice input reports otherwise). */
  get userState(): UserState {
    return this._userTurn?.userState ?? 'listening';
  }

  /** @internal The attached voice input's user turn (set by `attachVoiceInput`, unset on its close). */
  _userTurn: { commit(): void; clear(): void; readonly userState: UserState } | undefined;

  /** @internal The voice input reports the user's events through the session, as LiveKit's session does. */
  _emitUserEvent<K extends 'user_state_changed' | 'user_input_transcribed'>(event: K, payload: AgentSessionEventMap[K]): void {
    this.emitter.emit(event, payload);
  }

  private userTurnControl(method: string): NonNullable<AgentSession['_userTurn']> {
    if (!this._userTurn) throw new InvalidArgumentError(`AgentSession.${method}: no voice input is attached to this session (attachVoiceInput)`);
    return this._userTurn;
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

  /** True when the audio output can hold audio (`pause`/`resume`): a barge-in pauses it, else interrupts. */
  get canPauseAudio(): boolean {
    return typeof this.audioOutput?.pause === 'function' && typeof this.audioOutput.resume === 'function';
  }

  /** The voice input committed a user turn as reply `speechId`: its end-of-utterance figures. @internal */
  _noteUserTurn(speechId: string, t: UserTurnTimes): void {
    this.steps.noteUserTurn(speechId, t);
  }

  /**
   * Preemptive generation (the user turn asks): starts the LLM on the prospective turn `userInput`
   * with the current agent's instructions and tools, as its reply will ask. Not while the session is
   * not started or closing, during an agent transition, or while a speech is active or queued
   * (LiveKit: not while a speech is active or scheduling is paused). Returns whether it started.
   * @internal
   */
  _preemptReply(userInput: string): boolean {
    const s = this.router.state;
    if (this.closing || !mayPreemptReply(s, this.schedulerActor.getSnapshot().value === 'active')) return false;
    const key = s.activeAgent!;
    const agent = this._agentHost.agent(key);
    if (!agent) return false;
    const tools: ToolSchema[] = Object.entries(agent.tools).map(([name, t]) => ({ name, description: t.description, parameters: t.parameters ?? { type: 'object', properties: {} } }));
    this.steps.prepare(userInput, { llm: agent.llm ?? this.llm, tts: undefined, instructions: agent.instructions, tools });
    return true;
  }

  /** @internal The preemptive generation is cancelled (the user speaks again, the transcript changed, the turn was cleared). */
  _cancelPreemptiveReply(reason: string): void {
    this.steps.preemptive.cancel(reason);
  }

  /** @internal The turn `userInput` was committed as reply `speechId`: it uses the prepared reply if still valid at its first step. */
  _bindPreemptiveReply(speechId: string, userInput: string): void {
    this.steps.preemptive.bind(speechId, userInput);
  }

  /** Emits a session event on behalf of an attached part (the barge-in policy). @internal */
  _emitSessionEvent<K extends 'agent_false_interruption' | 'metrics_collected'>(event: K, payload: AgentSessionEventMap[K]): void {
    this.emitter.emit(event, payload);
  }

  private createSpeech(
    source: SpeechSource,
    history: { kind: 'say'; addToHistory: boolean } | { kind: 'reply'; userInput: string | undefined },
    o: { allowInterruptions?: boolean; priority?: number },
    kind: 'say' | 'generate_reply',
  ): SpeechHandle {
    if (this.closing) throw new SessionClosedError(`AgentSession.${kind === 'say' ? 'say' : 'generateReply'}: the session is closed`);
    const priority = o.priority ?? SPEECH_PRIORITY.NORMAL;
    // Made by an agent's hook or tool: that agent's own speech (served even while it hands over).
    const origin = this._agentHost.currentScope();
    if (!Number.isFinite(priority)) throw new InvalidArgumentError(`AgentSession.${kind}: priority must be a finite number, got ${priority}`);
    // The router names the speech; its I/O and release are ready before it can be scheduled.
    const id = `speech_${this.router.state.nextSpeech + 1}`;
    this.steps.add(id, source);
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.releases.set(id, { promise, resolve });
    // Enqueued before listeners hear of it, so a listener that interrupts it at once finds it queued.
    const agentDefault = this._agentHost.agent(this.router.agents.bind(origin))?.allowInterruptions;
    this.router.createSpeech({ ...history, priority, allowInterruptions: o.allowInterruptions ?? agentDefault ?? this.allowInterruptionsDefault, origin });
    const handle = this.machines.handles.get(id)!;
    this.emitter.emit('speech_created', { speechHandle: handle, source: kind, userInitiated: true });
    return handle;
  }

  private releasesOf(ids: string[]): Promise<void> {
    return Promise.all(ids.map((id) => this.releases.get(id)?.promise)).then(() => undefined);
  }

  private reportError(e: unknown, source: AgentSessionEventMap['error']['source']): void {
    const error = e instanceof Error ? e : new Error(describe(e));
    // A hook of the user's agent threw: the run's test should see it (a speech's failure is taken at its release).
    if (source === 'agent') this.runs.failed(error);
    this.emitter.emit('error', { error, source });
  }
}
