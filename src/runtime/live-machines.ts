import { createActor, type Actor, type InspectionEvent, type Observer } from 'xstate';
import { agentActivityMachine, type AgentActivityInput } from '../../machines/agent-activity.machine.js';
import { agentStateMachine } from '../../machines/agent-state.machine.js';
import { schedulerMachine } from '../../machines/scheduler.machine.js';
import type { SpeechHandleInput } from '../../machines/speech-handle.machine.js';
import type { ToolRunInput } from '../../machines/tool-run.machine.js';
import type { MachinePort, SessionMachines, SessionRouter } from '../core/session-router.js';
import { SpeechHandle, type SpeechHandleHooks } from '../speech-handle.js';
import { ToolRun, type ToolRunHooks } from '../tool-run.js';
import type { ConversationObserver } from './conversation-observer.js';

/** An XState inspection observer; one with a `conversation` method also gets the session's history items. */
export type InspectObserver = (Observer<InspectionEvent> | ((ev: InspectionEvent) => void)) & ConversationObserver;

/**
 * The session's machines as live XState actors, bound to the router: each actor's routing actions
 * go to the router, which runs them after the transition. Live actors are what the inspector shows
 * and what `speechcharts/machines` users compose; the model explorer binds the same router to pure
 * snapshots instead.
 * @internal
 */
export class LiveMachines implements SessionMachines {
  readonly schedulerActor: Actor<typeof schedulerMachine>;
  readonly agentActor: Actor<typeof agentStateMachine>;
  readonly scheduler: MachinePort<ReturnType<Actor<typeof schedulerMachine>['getSnapshot']>, Parameters<Actor<typeof schedulerMachine>['send']>[0]>;
  readonly agent: MachinePort<ReturnType<Actor<typeof agentStateMachine>['getSnapshot']>, Parameters<Actor<typeof agentStateMachine>['send']>[0]>;
  /** Unreleased speeches. */
  readonly handles = new Map<string, SpeechHandle>();
  readonly toolRuns = new Map<string, ToolRun>();
  /** Every agent entry's activity actor (kept: a speech may still speak for an agent that left). */
  readonly activities = new Map<string, Actor<typeof agentActivityMachine>>();
  private readonly activityPorts = new Map<string, ActorPort<ReturnType<Actor<typeof agentActivityMachine>['getSnapshot']>, Parameters<Actor<typeof agentActivityMachine>['send']>[0]>>();
  router!: SessionRouter;
  /** The agent entry a tool's handoff names (set by the session). */
  handoffKey!: ToolRunHooks['handoffKey'];
  /** False in a text-only session: there is no audio to hold, so `pause()` is a no-op (returns false). */
  audio = true;

  constructor(
    private readonly inspect: InspectObserver | undefined,
    private readonly toolEvents: Pick<ToolRunHooks, 'discarded' | 'toolCrashed'>,
    private readonly callbackError: (e: unknown) => void,
  ) {
    const inspectOpt = inspect ? { inspect } : {};
    this.agentActor = createActor(agentStateMachine, { id: 'agentState', ...inspectOpt });
    this.schedulerActor = createActor(
      schedulerMachine.provide({ actions: { grantFloor: (_, params) => this.router.schedulerAction('grantFloor', params) } }),
      { id: 'scheduler', ...inspectOpt },
    );
    this.scheduler = this.portOf(this.schedulerActor);
    this.agent = this.portOf(this.agentActor);
  }

  /**
   * A port that sends as the machine whose effect is running, so the inspector shows who caused
   * an event (an effect runs after its machine's transition, when no actor is mid-step any more).
   */
  private portOf<S, E>(actor: { getSnapshot(): S; send(e: E): void }): MachinePort<S, E> {
    return new ActorPort(actor, this.inspect ? this : null);
  }

  /** @internal The actor of the machine whose effect is running, to name it as an event's source. */
  actorOf(id: string | null): object | undefined {
    if (id === null) return undefined;
    if (id === 'scheduler') return this.schedulerActor;
    if (this.activities.has(id)) return this.activities.get(id);
    return this.handles.get(id)?.actor ?? this.toolRuns.get(id)?.actor;
  }

  start(): void {
    this.agentActor.start();
    this.schedulerActor.start();
  }

  private readonly speechHooks: SpeechHandleHooks = {
    action: (h, type, params) => this.router.speechAction(h.id, type, params),
    interrupt: (h, force) => this.router.interruptSpeech(h.id, force),
    pause: (h) => this.audio && this.router.pause(h.id),
    resume: (h) => this.router.resume(h.id),
    callbackError: (e) => this.callbackError(e),
  };

  private readonly toolHooks: ToolRunHooks = {
    action: (run, type, payload) => this.router.toolAction(run.callId, type, payload),
    discarded: (run, outcome, value) => this.toolEvents.discarded(run, outcome, value),
    toolCrashed: (run, error) => this.toolEvents.toolCrashed(run, error),
    dispatch: (send) => this.router.dispatch(send),
    handoffKey: (h) => this.handoffKey(h),
  };

  private readonly speechPorts = new Map<string, ReturnType<LiveMachines['speechPortOf']>>();
  private readonly toolPorts = new Map<string, ToolRunPort>();

  createSpeech(input: Required<SpeechHandleInput>): void {
    const h = new SpeechHandle({ ...input, inspect: this.inspect }, this.speechHooks);
    this.handles.set(input.id, h);
    this.speechPorts.set(input.id, this.speechPortOf(h));
  }

  private speechPortOf(h: SpeechHandle): MachinePort<ReturnType<SpeechHandle['actor']['getSnapshot']>, Parameters<SpeechHandle['actor']['send']>[0]> {
    return new SpeechPort(h, this.inspect ? this : null);
  }

  speech(id: string) {
    const port = this.speechPorts.get(id);
    if (!port) throw new Error(`no speech ${id}`);
    return port;
  }

  createTool(input: ToolRunInput & { arguments: string }): void {
    const run = new ToolRun({ ...input, inspect: this.inspect }, this.toolHooks);
    this.toolRuns.set(input.callId, run);
    this.toolPorts.set(input.callId, this.toolPortOf(run));
  }

  private toolPortOf(run: ToolRun): ToolRunPort {
    return new ToolRunPort(run, this, this.inspect ? this : null);
  }

  tool(callId: string) {
    const port = this.toolPorts.get(callId);
    if (!port) throw new Error(`no tool run ${callId}`);
    return port;
  }

  createActivity(input: AgentActivityInput): void {
    const machine = agentActivityMachine.provide({
      actions: {
        runOnEnter: () => this.router.activityAction(input.key, 'runOnEnter'),
        runOnExit: () => this.router.activityAction(input.key, 'runOnExit'),
        awaitFloor: () => this.router.activityAction(input.key, 'awaitFloor'),
        activityPaused: () => this.router.activityAction(input.key, 'activityPaused'),
        activityActive: () => this.router.activityAction(input.key, 'activityActive'),
        activityEnded: () => this.router.activityAction(input.key, 'activityEnded'),
      },
    });
    const actor = createActor(machine, { id: `${input.key}:${input.agentId}`, input, ...(this.inspect ? { inspect: this.inspect } : {}) });
    this.activities.set(input.key, actor);
    this.activityPorts.set(input.key, new ActorPort(actor, this.inspect ? this : null));
    actor.start();
  }

  activity(key: string) {
    const port = this.activityPorts.get(key);
    if (!port) throw new Error(`no agent activity ${key}`);
    return port;
  }

  /** Forgets a released speech and its tool runs (they are final: nothing routes to them again). */
  forget(id: string): void {
    this.handles.delete(id);
    this.speechPorts.delete(id);
    for (const [callId, run] of this.toolRuns)
      if (run.speechId === id) {
        this.toolRuns.delete(callId);
        this.toolPorts.delete(callId);
      }
  }
}

/** A live actor as the router's port (a class: one shared prototype, no closures per speech). */
class ActorPort<S, E> implements MachinePort<S, E> {
  constructor(
    readonly actor: { getSnapshot(): S; send(e: E): void },
    /** Set when inspecting: events are then sent as the machine whose effect runs. */
    private readonly sources: LiveMachines | null,
  ) {}

  snapshot(): S {
    return this.actor.getSnapshot();
  }

  send(e: E): void {
    const from = this.sources?.actorOf(this.sources.router.origin);
    if (from && from !== this.actor) relay(from, this.actor, e);
    else this.actor.send(e);
  }
}

class SpeechPort extends ActorPort<ReturnType<SpeechHandle['actor']['getSnapshot']>, Parameters<SpeechHandle['actor']['send']>[0]> {
  constructor(
    private readonly handle: SpeechHandle,
    sources: LiveMachines | null,
  ) {
    super(handle.actor, sources);
  }

  override send(e: Parameters<SpeechHandle['actor']['send']>[0]): void {
    if (e.type === 'INTERRUPT') this.handle.primeInterruptError(e.reason ?? 'interrupt', e.force === true);
    super.send(e);
  }
}

class ToolRunPort extends ActorPort<ReturnType<ToolRun['actor']['getSnapshot']>, Parameters<ToolRun['actor']['send']>[0]> {
  constructor(
    private readonly run: ToolRun,
    private readonly machines: LiveMachines,
    sources: LiveMachines | null,
  ) {
    super(run.actor, sources);
  }

  override send(e: Parameters<ToolRun['actor']['send']>[0]): void {
    // The run's signal and waits end with its speech's error: one Error per interrupt.
    if (e.type === 'INTERRUPT' || e.type === 'SPEECH_FAILED') this.run.abortError = this.machines.handles.get(this.run.speechId)?.stopError() ?? null;
    super.send(e);
  }
}

/** XState's own delivery with a source (what `sendTo` does inside a system), so inspection names the sender. */
function relay(from: object, to: object, event: unknown): void {
  const system = (to as { system: { _relay(source: unknown, target: unknown, event: unknown): void } }).system;
  system._relay(from, to, event);
}
