import type { ToolRunEvent } from '../../machines/tool-run.machine.js';
import { AgentTransitions } from './agent-transitions.js';
import { EffectQueue } from './effect-queue.js';
import { SessionHistory } from './session-history.js';
import type { SessionMachines, SessionShell, SpeechOutcome, SpeechSpec } from './session-ports.js';
import type { RoutedSpeech, RoutedStep, SessionState } from './session-state.js';
import { abortedToolOutput, HANDOFF_INTERRUPTED_OUTPUT } from './tool-output.js';

export type { MachinePort, SessionMachines, SessionShell, SpeechOutcome, SpeechSpec } from './session-ports.js';

/**
 * The one routing of a session between its machines: the scheduler, the agent state, each speech
 * handle and each tool run. `AgentSession` drives it with live actors and real I/O; the model
 * explorer drives the very same code over pure snapshots (`src/model/composed-model.ts`). What the
 * router decides (who gets the floor, which tools an interrupt aborts, what enters history and in
 * which order) therefore exists once.
 *
 * Machines reach the router through their actions (`speechAction`, `toolAction`,
 * `schedulerAction`): an action only posts an effect, which runs once the transition is over.
 * Everything the router does to the outside world goes through {@link SessionShell}.
 *
 * @example
 * const router = new SessionRouter(initialSessionState(), machines, shell, { maxToolSteps: 3 });
 * const id = router.createSpeech({ kind: 'reply', userInput: 'hi', priority: 5, allowInterruptions: true });
 */
export class SessionRouter {
  /** Set by a speech's `refuseInterrupt` action during the current call. */
  private refused = false;
  private readonly fx: EffectQueue;
  private readonly history: SessionHistory;
  /** Agent transitions: handoffs, tasks (see {@link AgentTransitions}). */
  readonly agents: AgentTransitions;

  constructor(
    readonly state: SessionState,
    readonly machines: SessionMachines,
    readonly shell: SessionShell,
    readonly o: { maxToolSteps: number },
  ) {
    this.fx = new EffectQueue((e) => shell.effectError(e));
    this.history = new SessionHistory(state, shell, () => this.current());
    this.agents = new AgentTransitions(state, machines, shell, this.history, {
      post: (fn) => this.fx.post(fn, null),
      current: () => this.current(),
      showIdleState: () => this.postIdleState(),
    });
  }

  /** The machine whose action posted the effect running now: what the effect sends comes from it. */
  get origin(): string | null {
    return this.fx.origin;
  }

  /** Runs `send` (events to machines) from outside any transition, then the effects it caused. */
  dispatch(send: () => void): void {
    this.fx.run(send);
  }

  // ── the session API ───────────────────────────────────────────────────────

  start(): void {
    if (this.state.started) return;
    this.state.started = true;
    this.dispatch(() => {
      this.machines.agent.send({ type: 'STARTED' });
      // The first agent enters before anything queued is served (its onEnter speaks first).
      this.agents.advance();
      this.machines.scheduler.send({ type: 'RESUME' });
    });
  }

  // ── agents ────────────────────────────────────────────────────────────────

  /** A new agent entry; returns its key. The agent enters with `updateAgent` or `runTask`. */
  registerAgent(agentId: string): string {
    return this.agents.register(agentId);
  }

  /**
   * Hands the session to agent `key` once the transitions asked before are over. Before `start()`
   * it replaces the agent that would enter first.
   */
  updateAgent(key: string): void {
    const head = this.state.transitions[0];
    if (!this.state.started && head && head.kind === 'handoff' && this.state.transitions.length === 1) {
      head.to = key;
      return;
    }
    this.dispatch(() => this.agents.request({ kind: 'handoff', to: key }));
  }

  /** `AgentTask.run()`: the task `key` takes over; the agent speaking now pauses until it ends. */
  runTask(key: string): void {
    this.dispatch(() => this.agents.request({ kind: 'task', task: key }));
  }

  /** `AgentTask.complete()`: the task leaves and the agent it paused resumes. */
  completeTask(key: string): void {
    this.dispatch(() => this.agents.request({ kind: 'taskDone', task: key }));
  }

  /** The shell called the agent's `onEnter`. */
  agentEntered(key: string): void {
    if (!this.agents.running(key)) return;
    this.dispatch(() => this.machines.activity(key).send({ type: 'ENTERED' }));
  }

  /** The agent's `onExit` settled. */
  agentExited(key: string): void {
    if (!this.agents.running(key)) return;
    this.dispatch(() => this.machines.activity(key).send({ type: 'EXITED' }));
  }

  /** An agent activity's routing action. */
  activityAction(key: string, type: string): void {
    this.agents.action(key, type);
  }

  /** The agent a speech speaks for (bound at its first step), else the one that would answer now. */
  agentOf(id: string): string | null {
    const sp = this.state.speeches.get(id);
    return sp?.agent ?? this.agents.bind(sp?.origin ?? null);
  }

  /** Step `index` of speech `id` may offer tools: within maxToolSteps, and its agent speaks for the session. */
  toolsAllowed(id: string, index: number): boolean {
    return this.step(id, index)?.toolsOffered ?? false;
  }

  /** A new speech, queued for the floor. Returns its id. */
  createSpeech(spec: SpeechSpec): string {
    const s = this.state;
    const id = `speech_${++s.nextSpeech}`;
    this.machines.createSpeech({ id, priority: spec.priority, allowInterruptions: spec.allowInterruptions, maxToolSteps: this.o.maxToolSteps });
    s.speeches.set(id, {
      id,
      kind: spec.kind,
      userInput: spec.userInput,
      userCommitted: false,
      addToHistory: spec.addToHistory ?? true,
      priority: spec.priority,
      allowInterruptions: spec.allowInterruptions,
      step: null,
      cut: 'none',
      cutContent: '',
      finishing: null,
      commitsAfterMessage: [],
      origin: spec.origin ?? null,
      agent: null,
      held: false,
    });
    this.dispatch(() => {
      // During an agent transition a new turn waits for the agent active once it ends.
      if (this.agents.admits(spec.origin ?? null)) this.machines.scheduler.send({ type: 'ENQUEUE', id, priority: spec.priority });
      else {
        this.agents.hold(id);
        this.showIdleState(); // a held turn is owed a reply: thinking
      }
    });
    return id;
  }

  /** The speech holding the floor, if any. */
  current(): string | null {
    return this.machines.scheduler.snapshot().context.current;
  }

  /**
   * The speech the agent is busy with: the one holding the floor, else the latest one whose step
   * has played and that waits for its tools (or for the floor again, for its tool reply).
   */
  activeSpeech(): string | null {
    const cur = this.current();
    if (cur !== null) return cur;
    let found: string | null = null;
    for (const id of this.state.speeches.keys()) {
      const snap = this.machines.speech(id).snapshot();
      if (snap.status !== 'done' && snap.value !== 'queued') found = id;
    }
    return found;
  }

  /**
   * Interrupts the current speech, the speeches waiting for their tools and the queued ones (the
   * uninterruptible ones only with `force`). Refused, with nothing changed, when the current speech
   * is uninterruptible and `force` is not set. Returns the speeches whose release to wait for.
   */
  interruptAll(force: boolean, reason: 'interrupt' | 'close'): { refused: boolean; waitFor: string[] } {
    const cur = this.current();
    if (!force && cur && !this.isFinal(cur) && !this.state.speeches.get(cur)!.allowInterruptions) return { refused: true, waitFor: [] };
    // The current speech first, then the others in creation order. Every INTERRUPT is sent before
    // any effect runs, so no floor changes hands meanwhile, and commits follow this order.
    const ids = [...this.state.speeches.keys()].sort((a, b) => Number(b === cur) - Number(a === cur));
    const waitFor: string[] = [];
    this.dispatch(() => {
      for (const id of ids) {
        const sp = this.state.speeches.get(id)!;
        if (this.isFinal(id)) {
          waitFor.push(id); // finished, its cut may still be settling
          continue;
        }
        if (!force && !sp.allowInterruptions) continue; // an uninterruptible queued speech keeps its place
        this.machines.speech(id).send({ type: 'INTERRUPT', force, reason });
        waitFor.push(id);
      }
    });
    return { refused: false, waitFor };
  }

  /** `handle.interrupt({ force })`. Returns false when the speech refused. */
  interruptSpeech(id: string, force: boolean): boolean {
    if (this.isFinal(id)) return true;
    this.refused = false;
    this.dispatch(() => this.machines.speech(id).send({ type: 'INTERRUPT', force }));
    return !this.refused;
  }

  /** Holds the speech's audio (a possible barge-in). False when there is nothing to pause. */
  pause(id: string): boolean {
    if (this.isFinal(id)) return false;
    if (!this.machines.speech(id).snapshot().can({ type: 'PAUSE' })) return false;
    this.dispatch(() => this.machines.speech(id).send({ type: 'PAUSE' }));
    return true;
  }

  resume(id: string): boolean {
    if (this.isFinal(id)) return false;
    if (!this.machines.speech(id).snapshot().matches({ active: 'paused' } as never)) return false;
    this.dispatch(() => this.machines.speech(id).send({ type: 'RESUME' }));
    return true;
  }

  /** `close()`, first half: accept nothing new, interrupt everything, end every agent activity. */
  beginClose(): string[] {
    this.state.closed = true;
    const { waitFor } = this.interruptAll(true, 'close');
    this.dispatch(() => this.agents.closeAll());
    return waitFor;
  }

  /** `close()`, second half, once every speech was released. */
  endClose(): void {
    this.dispatch(() => {
      this.machines.scheduler.send({ type: 'CLOSE' });
      this.machines.agent.send({ type: 'CLOSE' });
    });
  }

  // ── the pipeline of a step (reported by the shell) ───────────────────────

  /** The live step `index` of speech `id`, or undefined when it ended (a stale report is ignored). */
  step(id: string, index: number): RoutedStep | undefined {
    const st = this.state.speeches.get(id)?.step;
    return st && st.index === index && !this.isFinal(id) ? st : undefined;
  }

  /** The shell began running the step (a microtask after `startStep`): the reply's user input enters history. */
  stepRunning(id: string, index: number): void {
    const sp = this.state.speeches.get(id);
    if (sp && index === 1 && this.step(id, index)) this.history.commitUserInput(sp);
  }

  /** The agent's `onUserTurnCompleted` changed the user's message before it is committed. */
  setUserInput(id: string, content: string): void {
    const sp = this.state.speeches.get(id);
    if (sp && !sp.userCommitted) sp.userInput = content;
  }

  textChunk(id: string, index: number, text: string): void {
    const st = this.step(id, index);
    if (st) st.text += text;
  }

  /** A frame of the step is on its way to the audio output: its segment is open. */
  frameQueued(id: string, index: number): void {
    const st = this.step(id, index);
    if (st) st.segmentOpen = true;
  }

  /** The audio output took the step's first frame: the agent speaks. */
  speaking(id: string, index: number): void {
    const st = this.step(id, index);
    if (!st || st.speaking) return;
    st.speaking = true;
    this.setAgentState('SPEAKING');
  }

  /**
   * The LLM asked for a tool: its run starts now. Returns the reason it may not execute (past
   * `maxToolSteps`), else null.
   */
  toolCall(id: string, index: number, llmCall: { callId: string; name: string; arguments: string }): { callId: string; refusal: string | null } {
    const st = this.step(id, index);
    if (!st) return { callId: llmCall.callId, refusal: 'error: the reply ended before the tool could run' };
    // A call id the LLM reuses while its first run is live gets a suffix: both runs go on, each paired with its output.
    let callId = llmCall.callId;
    for (let n = 2; this.state.tools.has(callId); n++) callId = `${llmCall.callId}_${n}`;
    const call = { ...llmCall, callId };
    st.calls.push({ type: 'function_call', id: this.history.newId(), callId: call.callId, name: call.name, arguments: call.arguments });
    st.tools.push(call.callId);
    this.state.tools.set(call.callId, { callId: call.callId, name: call.name, speechId: id, step: index, output: null, handoff: null });
    this.machines.createTool({ callId: call.callId, name: call.name, speechId: id, step: index, arguments: call.arguments });
    this.dispatch(() => this.machines.speech(id).send({ type: 'TOOL_STARTED', callId: call.callId }));
    if (index > this.o.maxToolSteps) return { callId, refusal: `error: no more tool calls allowed in this reply (maxToolSteps ${this.o.maxToolSteps} reached)` };
    if (!st.toolsOffered) return { callId, refusal: 'error: no tool calls allowed in this reply (its agent was handing the conversation over when it started)' };
    return { callId, refusal: null };
  }

  /**
   * The LLM stream of the step ended. The shell then flushes the segment and reports its end with
   * `playoutDone` (at once, with the whole text, when no frame was queued).
   */
  generationDone(id: string, index: number): void {
    if (!this.step(id, index)) return;
    this.dispatch(() => this.machines.speech(id).send({ type: 'GENERATION_DONE' }));
  }

  /** The step's segment played out (whole, or `interrupted` by the output itself): commit and go on. */
  playoutDone(id: string, index: number, heard: string, interrupted: boolean): void {
    const st = this.step(id, index);
    if (!st) return;
    st.playoutDone = true;
    const sp = this.state.speeches.get(id)!;
    this.history.commitMessage(sp, st, heard, interrupted);
    this.dispatch(() => {
      for (const callId of st.tools) if (!this.toolFinal(callId)) this.machines.tool(callId).send({ type: 'PLAYOUT_DONE' });
      this.history.commitToolsIfSettled(sp, st);
      this.applyHandoffs(st);
      if (st.tools.some((c) => !this.toolFinal(c))) this.setAgentState('THINKING');
      this.machines.speech(id).send({ type: 'PLAYOUT_DONE' });
    });
  }

  /** The LLM, the TTS or the audio output failed under the speech. */
  fail(id: string, error: unknown): void {
    if (this.isFinal(id)) return;
    this.dispatch(() => this.machines.speech(id).send({ type: 'FAIL', error }));
  }

  /** What was heard of a step whose audio was cleared (see `SessionShell.cutAudio`). */
  cutReported(id: string, heard: string): void {
    const sp = this.state.speeches.get(id);
    if (!sp || sp.cut !== 'pending') return;
    sp.cut = 'reported';
    sp.cutContent = heard;
    if (sp.finishing) this.dispatch(() => this.completeFinish(sp, sp.finishing!));
  }

  // ── machine actions ───────────────────────────────────────────────────────

  /** A speech handle's routing action (its waiter actions stay with its facade). */
  speechAction(id: string, type: string, params?: unknown): void {
    switch (type) {
      case 'startStep':
        return this.fx.post(() => this.startStep(id), id);
      case 'interruptTools':
        return this.fx.post(() => this.interruptTools(id), id);
      case 'stopAudio':
        return this.fx.post(() => this.stopAudio(id), id);
      case 'pauseAudio':
        return this.fx.post(() => {
          this.state.audioHeldBy = id;
          this.shell.pauseAudio();
        }, id);
      case 'resumeAudio':
        return this.fx.post(() => {
          this.state.audioHeldBy = null;
          this.shell.resumeAudio();
        }, id);
      case 'releaseFloor':
        return this.fx.post(() => this.releaseFloor(id), id);
      case 'requestFloor':
        return this.fx.post(() => {
          const sp = this.state.speeches.get(id);
          if (sp) this.machines.scheduler.send({ type: 'ENQUEUE', id, priority: sp.priority });
        }, id);
      case 'finishSpeech':
        return this.fx.post(() => this.finish(id, (params as { outcome: SpeechOutcome }).outcome), id);
      case 'refuseInterrupt':
        this.refused = true;
        return;
      default:
        throw new Error(`speech ${id}: no routing for action ${type}`);
    }
  }

  /** A tool run's routing action: its output (the waiters and the signal stay with its facade). */
  toolAction(callId: string, type: 'recordOutput' | 'recordAbortOutput', ev: ToolRunEvent | { reason: 'interrupt' | 'close' | 'speechFailed' | null }): void {
    // A tool's handoff (see `applyHandoffs`): its RESULT names the agent to hand to.
    const t = this.state.tools.get(callId);
    if (!t) return;
    const record = (output: string, isError: boolean) => (t.output = { type: 'function_call_output', id: this.history.newId(), callId, name: t.name, output, isError });
    if (type === 'recordAbortOutput') {
      // The speech is ending: its finish commits every output.
      record(abortedToolOutput(('reason' in ev ? ev.reason : null) ?? 'interrupt'), true);
      return;
    }
    const e = ev as ToolRunEvent;
    if (e.type !== 'RESULT' && e.type !== 'ERROR') return;
    record(e.output, e.type === 'ERROR');
    if (e.type === 'RESULT' && e.handoff) t.handoff = e.handoff;
    // A handoff that returns nothing asks for no tool reply (LiveKit replies only to a non-empty output).
    const reply = !(t.handoff !== null && e.output === '');
    this.fx.post(() => {
      const sp = this.state.speeches.get(t.speechId);
      const st = sp?.step;
      if (!sp || !st || !st.tools.includes(callId)) return;
      this.history.commitToolsIfSettled(sp, st);
      this.applyHandoffs(st);
      this.machines.speech(sp.id).send({ type: 'TOOL_SETTLED', callId, reply });
    }, callId);
  }

  /** The scheduler's only action: the floor went to `id`. */
  schedulerAction(type: string, params?: unknown): void {
    if (type !== 'grantFloor') throw new Error(`scheduler: no routing for action ${type}`);
    const id = (params as { id: string }).id;
    this.fx.post(() => this.grantFloor(id), 'scheduler');
  }

  // ── effects ───────────────────────────────────────────────────────────────

  /** The step played whole and its tools are in history: a handoff a tool returned takes effect. */
  private applyHandoffs(st: RoutedStep): void {
    if (!st.toolsCommitted) return;
    for (const callId of st.tools) {
      const t = this.state.tools.get(callId);
      if (!t?.handoff) continue;
      const to = t.handoff;
      t.handoff = null;
      this.agents.request({ kind: 'handoff', to });
    }
  }

  private grantFloor(id: string): void {
    if (!this.state.speeches.has(id) || this.isFinal(id)) {
      // Never leave the floor to a speech that can no longer release it.
      this.machines.scheduler.send({ type: 'RELEASE', id });
      return;
    }
    this.setAgentState('THINKING');
    this.machines.speech(id).send({ type: 'AUTHORIZE' });
  }

  private startStep(id: string): void {
    const sp = this.state.speeches.get(id);
    if (!sp || this.isFinal(id)) return;
    const index = this.machines.speech(id).snapshot().context.step;
    // It speaks for the agent active when it starts (or for the agent whose hook or tool made it).
    if (sp.agent === null) sp.agent = this.agents.bind(sp.origin);
    sp.step = {
      index,
      text: '',
      segmentOpen: false,
      speaking: false,
      playoutDone: false,
      messageCommitted: false,
      toolsCommitted: false,
      calls: [],
      // A step that starts while its agent hands over (a tool reply) gets no tools, as in LiveKit.
      toolsOffered: index <= this.o.maxToolSteps && this.agents.speaksNow(sp.agent),
      tools: [],
    };
    if (index > 1) this.setAgentState('THINKING');
    this.shell.startStep(id, index);
  }

  /** The step's audio played; its tools run on without the floor, so other speeches can be heard. */
  private releaseFloor(id: string): void {
    if (this.current() !== id) return;
    this.machines.scheduler.send({ type: 'RELEASE', id });
    this.showIdleState();
    this.agents.kick();
  }

  private interruptTools(id: string): void {
    const st = this.state.speeches.get(id)?.step;
    if (!st) return;
    const reason = this.machines.speech(id).snapshot().context.interruptReason;
    for (const callId of st.tools) {
      if (this.toolFinal(callId)) continue;
      if (reason === null) this.machines.tool(callId).send({ type: 'SPEECH_FAILED' });
      else this.machines.tool(callId).send({ type: 'INTERRUPT', force: true, reason });
    }
  }

  private stopAudio(id: string): void {
    const sp = this.state.speeches.get(id);
    if (!sp) return;
    this.shell.stopStreams(id);
    const st = sp.step;
    if (!st || !st.segmentOpen || st.playoutDone) {
      // A speech paused before its first frame must not leave the output holding the next one.
      if (this.state.audioHeldBy === id) {
        this.state.audioHeldBy = null;
        this.shell.resumeAudio();
      }
      return;
    }
    this.state.audioHeldBy = null; // clearing ends a pause too
    sp.cut = 'pending';
    this.shell.cutAudio(id, st.index);
  }

  /** A final speech: commit what was heard (once its cut is known), then free its floor. */
  private finish(id: string, outcome: SpeechOutcome): void {
    const sp = this.state.speeches.get(id);
    if (!sp || sp.finishing) return;
    if (outcome !== 'done' && sp.step && !sp.step.messageCommitted && sp.cut === 'pending') {
      // The floor and the history wait for the cut position (see `addItem`).
      sp.finishing = outcome;
      return;
    }
    this.completeFinish(sp, outcome);
  }

  private completeFinish(sp: RoutedSpeech, outcome: SpeechOutcome): void {
    const s = this.state;
    const st = sp.step;
    // A reply that ended before its first step ran still carries what the user said: never lose it.
    this.history.commitUserInput(sp);
    if (outcome !== 'done' && st) {
      if (!st.messageCommitted) this.history.commitMessage(sp, st, sp.cut === 'reported' ? sp.cutContent : '', true);
      // A handoff returned by a tool of a speech that did not play whole is not applied; its output says so.
      for (const callId of st.tools) {
        const t = s.tools.get(callId);
        if (t?.handoff && t.output && !st.toolsCommitted) {
          this.agents.discard(t.handoff);
          t.handoff = null;
          t.output = { ...t.output, output: HANDOFF_INTERRUPTED_OUTPUT, isError: true };
        }
      }
      this.history.commitTools(sp, st);
    }
    this.history.flushCommitsAfter(sp);
    s.speeches.delete(sp.id);
    if (st) for (const callId of st.tools) s.tools.delete(callId);
    // On the floor it releases it; queued (first, or again for a tool reply) it leaves the queue.
    const id = sp.id;
    this.machines.scheduler.send(this.current() === id ? { type: 'RELEASE', id } : { type: 'REMOVE', id });
    this.showIdleState();
    this.agents.kick();
    this.shell.released(id);
  }

  private postIdleState(): void {
    this.fx.post(() => this.showIdleState(), null);
  }

  /** With the floor free: thinking while a speech still waits for its tools, else listening. */
  private showIdleState(): void {
    if (this.current() !== null || !this.state.started) return;
    let waiting = false;
    // A speech of an agent paused under a task (its tool awaits the task) leaves the task listening.
    for (const [id, sp] of this.state.speeches) if (!this.isFinal(id) && !this.agents.paused(sp.agent)) waiting = true;
    this.setAgentState(waiting ? 'THINKING' : 'LISTENING');
  }

  private setAgentState(type: 'THINKING' | 'SPEAKING' | 'LISTENING'): void {
    // Sending an event that changes nothing still costs a full transition.
    if (this.machines.agent.snapshot().value === type.toLowerCase()) return;
    this.machines.agent.send({ type });
  }

  /** True once the speech's machine ended (or the speech was released). */
  private isFinal(id: string): boolean {
    return !this.state.speeches.has(id) || this.machines.speech(id).snapshot().status === 'done';
  }

  private toolFinal(callId: string): boolean {
    return this.machines.tool(callId).snapshot().status === 'done';
  }
}
