import type { AgentActivityEvent, AgentActivityInput } from '../../machines/agent-activity.machine.js';
import type { AgentState, AgentStateEvent } from '../../machines/agent-state.machine.js';
import { SPEECH_PRIORITY, type SchedulerEvent } from '../../machines/scheduler.machine.js';
import type { SpeechHandleEvent, SpeechHandleInput } from '../../machines/speech-handle.machine.js';
import type { ToolRunEvent, ToolRunInput } from '../../machines/tool-run.machine.js';
import { SessionRouter, type MachinePort, type SessionMachines, type SessionShell } from '../core/session-router.js';
import { cloneSessionState, initialSessionState } from '../core/session-state.js';
import type { ActionRecord } from '../testing/model-explorer.js';
import {
  TOOL_FAILED,
  TOOL_OK,
  chunkText,
  currentSpeech,
  historyLine,
  toolCallId,
  userInputOf,
  type ComposedState,
  type ModelBounds,
  type ModelEvent,
  type ToolAddress,
  type SpeechModel,
  type SpeechSnapshot,
  type ToolModel,
  type ToolRunSnapshot,
  type ActivityModel,
  type ActivitySnapshot,
} from './composed-state.js';
import { isFinal } from './check-helpers.js';
import { delayOf, steppers } from './machine-steppers.js';
import { UserTurnWorld, cloneVoice, initialVoice } from './user-turn-world.js';

// ── one step of the model: the router over snapshots, and the world around it ──

function cloneState(s: ComposedState): ComposedState {
  return {
    ...s,
    activities: s.activities.map((a) => ({ ...a })),
    session: cloneSessionState(s.session),
    voice: s.voice ? cloneVoice(s.voice) : null,
    // A released speech never changes again (nothing routes to it): share it.
    speeches: s.speeches.map((sp) => (sp.released ? sp : { ...sp, pipeline: sp.pipeline ? { ...sp.pipeline } : null, tools: sp.tools.map((t) => ({ ...t })) })),
    grants: [...s.grants],
    errors: [...s.errors],
    last: 'none',
    effects: [],
  };
}

/** A machine kept as a snapshot in `cell`: `send` steps it purely and hands each action to `act`. */
function snapshotPort<S, E>(
  cell: { snap: S; key: string },
  next: (snap: S, ev: E) => { snapshot: S; key: string; actions: ActionRecord[] },
  act: (a: ActionRecord, ev: E) => void,
): MachinePort<S, E> {
  return {
    snapshot: () => cell.snap,
    send: (ev) => {
      const r = next(cell.snap, ev);
      cell.snap = r.snapshot;
      cell.key = r.key;
      for (const a of r.actions) act(a, ev);
    },
  };
}

/**
 * One event applied to a draft state: the router routes, this class plays the machines (pure
 * snapshots), the shell (pipeline, audio output) and the callers (waiters, tools).
 */
class ModelWorld implements SessionMachines, SessionShell {
  readonly router: SessionRouter;
  private readonly microtasks: (() => void)[] = [];
  /** The user's voice, when the bounds have one. */
  private readonly voice: UserTurnWorld | null;

  constructor(readonly s: ComposedState) {
    this.router = new SessionRouter(s.session, this, this, { maxToolSteps: s.bounds.maxToolSteps });
    this.voice = s.voice ? new UserTurnWorld(s, s.voice, { router: this.router, createUserReply: (text) => this.voiceReply(text) }) : null;
  }

  // ── SessionMachines: the machines as snapshots ──

  readonly scheduler = {
    snapshot: () => this.s.scheduler,
    send: (ev: SchedulerEvent) => {
      const r = steppers.scheduler.next(this.s.scheduler, ev);
      this.s.scheduler = r.snapshot;
      this.s.schedulerKey = r.key;
      for (const a of r.actions) {
        if (delayOf(a) !== undefined) this.s.effects.push('timer:scheduler');
        else this.route('scheduler', () => this.router.schedulerAction(a.type, a.params));
      }
      // The barge-in policy's scheduler subscription.
      this.voice?.agentChanged();
    },
  };

  readonly agent = {
    snapshot: () => this.s.agent,
    send: (ev: AgentStateEvent) => {
      const r = steppers.agent.next(this.s.agent, ev);
      this.s.agent = r.snapshot;
      this.s.agentKey = r.key;
      if (r.snapshot.value !== 'closed' && r.snapshot.value !== this.s.shownAgentState) {
        this.s.shownAgentState = r.snapshot.value as AgentState;
        // The runtime's `agent_state_changed` listener tells the user turn at once, mid-routing.
        this.voice?.agentState(this.s.shownAgentState);
      }
      for (const a of r.actions) this.s.effects.push(delayOf(a) !== undefined ? 'timer:agentState' : `unrouted:agentState:${a.type}`);
    },
  };

  private pendingCreator: string | null = null;
  private pendingKind: 'reply' | 'say' = 'reply';

  createSpeech(input: Required<SpeechHandleInput>): void {
    const { snap, key } = steppers.speech.initial(input);
    // Every creator awaits its speech (the adapter calls waitForPlayout() on each handle it creates).
    this.s.speeches.push({
      id: input.id,
      kind: this.pendingKind,
      allowInterruptions: input.allowInterruptions,
      priority: input.priority,
      snap,
      key,
      waiter: 'pending',
      pipeline: null,
      tools: [],
      released: false,
      createdBy: this.pendingCreator,
    });
  }

  private readonly speechPorts = new Map<string, MachinePort<SpeechSnapshot, SpeechHandleEvent>>();
  private readonly toolPorts = new Map<string, MachinePort<ToolRunSnapshot, ToolRunEvent>>();

  speech(id: string): MachinePort<SpeechSnapshot, SpeechHandleEvent> {
    let port = this.speechPorts.get(id);
    if (!port) this.speechPorts.set(id, (port = this.speechPortOf(this.speechModel(id))));
    return port;
  }

  private speechPortOf(sp: SpeechModel): MachinePort<SpeechSnapshot, SpeechHandleEvent> {
    const port = snapshotPort<SpeechSnapshot, SpeechHandleEvent>(sp, (snap, ev) => steppers.speech.next(snap, ev), (a) => this.speechAction(sp, a));
    // The barge-in policy follows the speech it tracks (its actor subscription).
    return { snapshot: port.snapshot, send: (ev: SpeechHandleEvent) => (port.send(ev), this.voice?.agentChanged(sp.id)) };
  }

  createTool({ arguments: _args, ...input }: ToolRunInput & { arguments: string }): void {
    const sp = this.speechModel(input.speechId);
    const { snap, key } = steppers.tool.initial(input);
    sp.tools.push({ callId: input.callId, name: input.name, step: input.step, snap, key, waiter: 'none', awaits: null, awaitsTask: null, task: 'none', handoffTo: null, refused: false });
  }

  private readonly activityPorts = new Map<string, MachinePort<ActivitySnapshot, AgentActivityEvent>>();

  createActivity(input: AgentActivityInput): void {
    const { snap, key, actions } = steppers.activity.initial(input);
    const a: ActivityModel = { key: input.key, agentId: input.agentId, snap, skey: key, exitPending: false, completed: false, greeted: false, goodbye: null };
    this.s.activities.push(a);
    for (const x of actions) this.activityAction(a, x);
  }

  activity(key: string): MachinePort<ActivitySnapshot, AgentActivityEvent> {
    let port = this.activityPorts.get(key);
    if (!port) {
      const a = this.s.activities.find((x) => x.key === key);
      if (!a) throw new Error(`model: no activity ${key}`);
      const cell = {
        get snap() {
          return a.snap;
        },
        set snap(v) {
          a.snap = v;
        },
        get key() {
          return a.skey;
        },
        set key(v) {
          a.skey = v;
        },
      };
      this.activityPorts.set(key, (port = snapshotPort(cell, (snap, ev) => steppers.activity.next(snap, ev), (x) => this.activityAction(a, x))));
    }
    return port;
  }

  private activityAction(a: ActivityModel, x: ActionRecord): void {
    this.s.effects.push(`${a.key}:${x.type}`);
    if (delayOf(x) !== undefined) return void this.s.effects.push(`timer:${a.key}`);
    if (x.type === 'markClosed' || x.type === 'markExited') return; // assign actions
    this.route(a.key, () => this.router.activityAction(a.key, x.type));
  }

  tool(callId: string): MachinePort<ToolRunSnapshot, ToolRunEvent> {
    let port = this.toolPorts.get(callId);
    if (!port) this.toolPorts.set(callId, (port = this.toolPortOf(this.toolModel(callId))));
    return port;
  }

  private toolPortOf(t: ToolModel): MachinePort<ToolRunSnapshot, ToolRunEvent> {
    return snapshotPort(t, (snap, ev) => steppers.tool.next(snap, ev), (a, ev) => this.toolAction(t, a, ev));
  }

  /** The speech handle facade's own actions (waiters); the rest is the router's. */
  private speechAction(sp: SpeechModel, a: ActionRecord): void {
    this.s.effects.push(`${sp.id}:${a.type}`);
    if (delayOf(a) !== undefined) return void this.s.effects.push(`timer:${sp.id}`);
    switch (a.type) {
      case 'resolveWaiters':
        if (sp.waiter === 'pending') sp.waiter = 'resolved';
        return;
      case 'abortWaiters':
        if (sp.waiter === 'pending') sp.waiter = 'interrupted';
        return;
      case 'failWaiters':
        if (sp.waiter === 'pending') sp.waiter = 'failed';
        return;
      default:
        this.route(sp.id, () => this.router.speechAction(sp.id, a.type, a.params));
    }
  }

  /** The tool run facade's own actions (waiters, signal); its outputs are the router's. */
  private toolAction(t: ToolModel, a: ActionRecord, ev: ToolRunEvent): void {
    this.s.effects.push(`${t.callId}:${a.type}`);
    if (delayOf(a) !== undefined) return void this.s.effects.push(`timer:${t.callId}`);
    switch (a.type) {
      case 'resolvePlayoutWaiters':
        if (t.waiter === 'pending') t.waiter = 'resolved';
        return;
      case 'rejectPlayoutWaiters':
        if (t.waiter === 'pending') t.waiter = 'rejected';
        return;
      case 'abortSignal':
        return;
      case 'recordOutput':
        return this.router.toolAction(t.callId, 'recordOutput', ev);
      case 'recordAbortOutput':
        return this.router.toolAction(t.callId, 'recordAbortOutput', { reason: t.snap.context.abortReason });
      default:
        this.s.effects.push(`unrouted:${t.callId}:${a.type}`);
    }
  }

  private route(who: string, fn: () => void): void {
    try {
      fn();
    } catch {
      this.s.effects.push(`unrouted:${who}`);
    }
  }

  private speechModel(id: string): SpeechModel {
    const sp = this.s.speeches.find((x) => x.id === id);
    if (!sp) throw new Error(`model: no speech ${id}`);
    return sp;
  }

  private toolModel(callId: string): ToolModel {
    for (const sp of this.s.speeches) for (const t of sp.tools) if (t.callId === callId) return t;
    throw new Error(`model: no tool run ${callId}`);
  }

  // ── SessionShell: the pipeline and the audio output ──

  startStep(id: string, index: number): void {
    const sp = this.speechModel(id);
    sp.pipeline = { index, chunks: 0, heard: false, llmDone: false, playoutRequested: false };
    this.s.grants.push(`${id}#${index}`);
    // The runtime runs a step in a later microtask; a reply's first step may take the prepared reply.
    this.microtasks.push(() => {
      this.router.stepRunning(id, index);
      // The step asks the LLM once the user input is in history (step-runner's chunksFor).
      if (index === 1 && !isFinal(sp.snap)) this.voice?.firstStep(id);
    });
  }

  stopStreams(): void {}

  cutAudio(id: string, index: number): void {
    const sp = this.speechModel(id);
    // clearBuffer() ends the segment and any pause of the output; the cut position comes back later.
    this.s.audioPaused = false;
    const heard = sp.pipeline?.index === index && sp.pipeline.heard;
    this.microtasks.push(() => this.router.cutReported(id, heard ? (this.s.session.speeches.get(id)?.step?.text ?? '') : ''));
  }

  pauseAudio(): void {
    this.s.audioPaused = true;
  }

  resumeAudio(): void {
    this.s.audioPaused = false;
  }

  itemAdded(): void {}
  toolsExecuted(): void {}

  enterAgent(key: string): void {
    // The runtime calls onEnter in a microtask and reports it at once (onEnter is not awaited).
    this.microtasks.push(() => this.router.agentEntered(key));
  }

  exitAgent(key: string): void {
    const a = this.s.activities.find((x) => x.key === key);
    if (a) a.exitPending = true; // settles with EXIT_DONE
  }

  activityEnded(key: string): void {
    const a = this.s.activities.find((x) => x.key === key);
    if (a) a.exitPending = false;
    const completed = a?.completed ?? false;
    for (const sp of this.s.speeches)
      for (const t of sp.tools) if (t.awaitsTask === key && t.task === 'pending') t.task = completed ? 'resolved' : 'rejected';
  }

  agentHandoff(): void {}

  released(id: string): void {
    const sp = this.speechModel(id);
    sp.released = true;
    this.voice?.released(id);
    if (!this.s.grants.some((g) => g.startsWith(`${id}#`))) this.s.grants.push(`${id}#0`);
  }

  effectError(): void {
    this.s.errors.push('callback');
  }

  // ── the events ──

  apply(ev: ModelEvent): void {
    const s = this.s;
    const cur = currentSpeech(s);
    switch (ev.type) {
      case 'START':
        if (s.session.closed) s.last = 'SessionClosedError';
        else {
          s.last = 'ok';
          this.router.start();
        }
        break;
      case 'REPLY':
        this.create(null, 'reply', true);
        break;
      case 'SAY':
        this.create(null, 'say', false);
        break;
      case 'INTERRUPT':
        s.last = this.router.interruptAll(ev.force, 'interrupt').refused ? 'InterruptionRefusedError' : 'ok';
        break;
      case 'CLOSE':
        s.last = 'ok';
        if (s.session.closed) break;
        this.router.beginClose();
        this.drain(); // the model's cuts report at once, so every speech is released here
        this.router.endClose();
        // The session's close event closes the user turn.
        this.voice?.close();
        break;
      case 'INTERRUPT_SPEECH': {
        // SpeechHandle.interrupt(): a finished speech is left as it is; a refusal throws.
        const sp = s.speeches[ev.speech];
        if (!sp || isFinal(sp.snap)) break;
        s.last = this.router.interruptSpeech(sp.id, ev.force) ? 'ok' : 'InterruptionRefusedError';
        break;
      }
      case 'PAUSE':
        if (cur) this.router.pause(cur.id);
        break;
      case 'RESUME':
        if (cur) this.router.resume(cur.id);
        break;
      case 'TOOL_WAIT':
      case 'TOOL_RESULT':
      case 'TOOL_ERROR':
      case 'TOOL_SAY':
      case 'TOOL_REPLY':
      case 'TOOL_INTERRUPT':
      case 'TOOL_HANDOFF':
      case 'TOOL_RUN_TASK':
      case 'TOOL_AWAIT_SPEECH':
        this.toolEvent(ev);
        break;
      case 'UPDATE_AGENT':
        if (s.session.closed) s.last = 'SessionClosedError';
        else {
          s.last = 'ok';
          s.transitionsAsked++;
          this.router.updateAgent(this.router.registerAgent('h'));
        }
        break;
      case 'TASK_COMPLETE': {
        const a = this.activeTask();
        if (!a) break;
        a.completed = true;
        this.router.completeTask(a.key);
        break;
      }
      case 'EXIT_DONE': {
        const a = s.activities[ev.agent];
        if (!a?.exitPending) break;
        a.exitPending = false;
        this.router.agentExited(a.key);
        break;
      }
      case 'ENTER_REPLY': {
        const a = s.activities[ev.agent];
        if (!a || a.greeted) break;
        a.greeted = true;
        this.create({ hook: `${a.key}.onEnter`, origin: a.key }, 'reply', true);
        break;
      }
      case 'EXIT_SAY': {
        const a = s.activities[ev.agent];
        if (!a?.exitPending || a.goodbye) break;
        a.goodbye = this.create({ hook: `${a.key}.onExit`, origin: a.key }, 'say', true);
        break;
      }
      case 'USER_SPEECH_STARTED':
      case 'USER_SPEECH_ENDED':
      case 'USER_TRANSCRIPT':
      case 'STT_END_OF_SPEECH':
      case 'EOT_PREDICTED':
      case 'USER_COMMIT':
      case 'USER_CLEAR':
      case 'TIMER_ELAPSED':
        this.voice?.apply(ev);
        break;
      default:
        if (cur) this.pipeline(cur, ev);
    }
    this.drain();
    s.history = s.session.history.map(historyLine);
  }

  /** The task speaking for the session that has not completed yet, if any. */
  activeTask(): ActivityModel | undefined {
    const key = this.s.session.activeAgent;
    const a = this.s.activities.find((x) => x.key === key);
    return a && !a.completed && a.agentId === 't' && a.snap.status !== 'done' ? a : undefined;
  }

  private drain(): void {
    for (let task = this.microtasks.shift(); task; task = this.microtasks.shift()) task();
  }

  /** A voice turn's reply: not an API call of the path, so what the last call returned stays. */
  private voiceReply(text: string): string | null {
    const last = this.s.last;
    const id = this.create(null, 'reply', true, text);
    this.s.last = last;
    return id;
  }

  /**
   * A new speech, as `say`/`generateReply` make one, by the API (null), a tool, or an agent's hook
   * (its origin is that agent: the hook runs in its scope); `userInput` for a voice turn. Its id, or null when closed.
   */
  private create(creator: ToolModel | { hook: string; origin: string } | null, kind: 'reply' | 'say', allowInterruptions: boolean, userInput?: string): string | null {
    const s = this.s;
    if (s.session.closed) {
      s.last = 'SessionClosedError';
      return null;
    }
    s.last = 'ok';
    const hook = creator && 'hook' in creator ? creator : null;
    const tool = creator && !('hook' in creator) ? creator : null;
    this.pendingCreator = hook?.hook ?? tool?.callId ?? null;
    this.pendingKind = kind;
    // A tool's speech is its agent's own (the runtime knows it from the tool's async scope).
    const creatorSpeech = tool ? this.s.speeches.find((sp) => sp.tools.includes(tool)) : undefined;
    const id = this.router.createSpeech({
      origin: hook ? hook.origin : creatorSpeech ? this.router.agentOf(creatorSpeech.id) : null,
      kind,
      // A tool's reply has instructions, no user input.
      userInput: kind === 'reply' && !creator ? (userInput ?? userInputOf(`speech_${s.session.nextSpeech + 1}`)) : undefined,
      priority: SPEECH_PRIORITY.NORMAL,
      allowInterruptions,
    });
    this.pendingCreator = null;
    if (tool) tool.awaits = id;
    return id;
  }

  private toolEvent(ev: Extract<ModelEvent, ToolAddress>): void {
    const t = this.s.speeches[ev.speech]?.tools[ev.tool];
    if (!t || isFinal(t.snap)) return;
    const send = (e: ToolRunEvent) => this.router.dispatch(() => this.tool(t.callId).send(e));
    switch (ev.type) {
      case 'TOOL_WAIT':
        t.waiter = 'pending';
        return send({ type: 'WAIT_FOR_PLAYOUT' });
      case 'TOOL_RESULT':
        return send({ type: 'RESULT', output: TOOL_OK });
      case 'TOOL_ERROR':
        return send({ type: 'ERROR', output: TOOL_FAILED });
      case 'TOOL_SAY':
        return void this.create(t, 'say', true);
      case 'TOOL_REPLY':
        return void this.create(t, 'reply', true);
      case 'TOOL_INTERRUPT':
        this.s.last = this.router.interruptAll(false, 'interrupt').refused ? 'InterruptionRefusedError' : 'ok';
        return;
      case 'TOOL_AWAIT_SPEECH': {
        // The tool awaits the speech that called it (its caller's waiter is that speech's too).
        const own = this.s.speeches.find((sp) => sp.tools.includes(t));
        if (own) t.awaits = own.id;
        return;
      }
      case 'TOOL_HANDOFF': {
        this.s.transitionsAsked++;
        const to = this.router.registerAgent('h');
        t.handoffTo = to;
        return send({ type: 'RESULT', output: '', handoff: to });
      }
      case 'TOOL_RUN_TASK': {
        if (this.s.session.closed) return;
        this.s.transitionsAsked++;
        const key = this.router.registerAgent('t');
        t.awaitsTask = key;
        t.task = 'pending';
        return this.router.runTask(key);
      }
    }
  }

  private pipeline(sp: SpeechModel, ev: ModelEvent): void {
    const p = sp.pipeline;
    const st = this.s.session.speeches.get(sp.id)?.step;
    if (!p || !st || st.index !== p.index || isFinal(sp.snap)) return;
    const r = this.router;
    switch (ev.type) {
      case 'TEXT_CHUNK':
        p.chunks++;
        r.textChunk(sp.id, p.index, chunkText(sp.id, p.index));
        // The TTS makes one frame; the output plays it unless paused (the adapter lets it play).
        r.frameQueued(sp.id, p.index);
        p.heard = p.heard || !this.s.audioPaused;
        r.speaking(sp.id, p.index);
        return;
      case 'TOOL_CALL': {
        const callId = toolCallId(sp.id, sp.tools.length);
        const name = ev.name ?? 'probe';
        const { refusal } = r.toolCall(sp.id, p.index, { callId, name, arguments: '{}' });
        const t = sp.tools.find((x) => x.callId === callId);
        if (!t) return;
        if (refusal) {
          t.refused = true;
          this.s.effects.push(`toolRefused:${callId}@${p.index}`);
          return r.dispatch(() => this.tool(callId).send({ type: 'ERROR', output: refusal }));
        }
        // The probe starts by awaiting its preamble, like the seed scenario: ctx.waitForPlayout();
        // your tool does if it declares awaitsPlayout.
        const spec = this.s.bounds.tools?.find((x) => x.name === name);
        if (spec && !spec.behavior.awaitsPlayout) return;
        t.waiter = 'pending';
        return r.dispatch(() => this.tool(callId).send({ type: 'WAIT_FOR_PLAYOUT' }));
      }
      case 'LLM_ERROR':
      case 'TTS_ERROR':
        p.llmDone = true;
        this.s.errors.push(ev.type === 'LLM_ERROR' ? 'llm' : 'tts');
        return r.fail(sp.id, ev.type === 'LLM_ERROR' ? 'llm' : 'tts');
      case 'STEP_DONE':
        p.llmDone = true;
        r.generationDone(sp.id, p.index);
        if (!r.step(sp.id, p.index)) return;
        // The shell flushes an open segment and waits for its report; else the step is over now.
        if (st.segmentOpen) p.playoutRequested = true;
        else r.playoutDone(sp.id, p.index, st.text, false);
        return;
      case 'PLAYOUT_DONE':
        return r.playoutDone(sp.id, p.index, st.text, false);
      default:
        return;
    }
  }
}


export function initialComposedState(bounds: Readonly<ModelBounds>): ComposedState {
  const sched = steppers.scheduler.initial();
  // The session's constructor pauses scheduling until start().
  const paused = steppers.scheduler.next(sched.snap, { type: 'PAUSE' });
  const agent = steppers.agent.initial();
  const s: ComposedState = {
    bounds,
    session: initialSessionState(),
    audioPaused: false,
    scheduler: paused.snapshot,
    schedulerKey: paused.key,
    agent: agent.snap,
    agentKey: agent.key,
    shownAgentState: 'initializing',
    speeches: [],
    activities: [],
    voice: bounds.voice ? initialVoice(bounds.voice) : null,
    transitionsAsked: 0,
    grants: [],
    history: [],
    errors: [],
    last: 'none',
    effects: [],
  };
  // The session's constructor registers its first agent, which enters at start().
  const w = new ModelWorld(s);
  w.router.updateAgent(w.router.registerAgent('a'));
  s.effects = [];
  return s;
}

/**
 * Steps the composed state (pure: the given state is not modified).
 * @example const next = stepComposed(state, { type: 'REPLY' });
 */
export function stepComposed(state: ComposedState, event: ModelEvent): ComposedState {
  const draft = cloneState(state);
  new ModelWorld(draft).apply(event);
  return draft;
}
