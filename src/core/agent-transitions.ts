import type { AgentActivityEvent } from '../../machines/agent-activity.machine.js';
import type { SessionHistory } from './session-history.js';
import type { SessionMachines, SessionShell } from './session-ports.js';
import type { RoutedTransition, SessionState } from './session-state.js';

/**
 * Moves the session from one agent to another, one transition at a time, in the order asked:
 * a handoff (`updateAgent`, a tool returning `handoff(...)`), an `AgentTask` taking over, a task
 * ending. Pure routing, like the router that owns it: it reads the machines' snapshots and sends
 * them events; the hooks (`onEnter`, `onExit`) are the shell's.
 *
 * A transition never waits on anything that waits on it:
 * - it waits for the leaving agent's speeches to finish their step (on the floor, or queued for
 *   it), never for their tools (a tool may await the very task that is starting);
 * - new turns (user input, speeches made from outside) are held, not dropped, and go to the agent
 *   active once it ends; what the leaving agent's own hooks and tools say is still served, so an
 *   `onExit` or a tool that awaits its own `say()` cannot wedge it;
 * - `close()` ends every activity in one transition each, whatever hook is running.
 * @internal The router owns one.
 */
export class AgentTransitions {
  private kicked = false;

  constructor(
    private readonly state: SessionState,
    private readonly machines: SessionMachines,
    private readonly shell: SessionShell,
    private readonly history: SessionHistory,
    private readonly io: {
      /** Posts an effect (runs after the current transition). */
      post(fn: () => void): void;
      /** The speech holding the floor, if any. */
      current(): string | null;
      /** Shows thinking or listening when nobody holds the floor (a pause or resume changes who is waited on). */
      showIdleState(): void;
    },
  ) {}

  /** A new agent entry (the agent object stays with the runtime, under this key). */
  register(agentId: string): string {
    const key = `agent_${++this.state.nextAgent}`;
    this.state.agents.set(key, { key, agentId, parent: null, entered: false });
    return key;
  }

  /** Asks for a transition; it runs once those asked before it have ended. */
  request(t: { kind: 'handoff'; to: string } | { kind: 'task'; task: string } | { kind: 'taskDone'; task: string }): void {
    this.state.transitions.push({ ...t, leaving: null, begun: false, switched: false } as RoutedTransition);
    this.kick();
  }

  /** True while an agent transition is under way (or waiting to begin). */
  get busy(): boolean {
    return this.state.started && this.state.transitions.length > 0;
  }

  /**
   * Whether a speech made by `origin` (the agent whose hook or tool made it, or null) is served
   * now; otherwise it is held until the transition ends.
   */
  admits(origin: string | null): boolean {
    if (!this.busy) return true;
    const t = this.state.transitions[0]!;
    return origin !== null && (origin === t.leaving || origin === this.state.activeAgent);
  }

  /** The agent a speech speaks for, bound when its first step starts. */
  bind(origin: string | null): string | null {
    return origin !== null && this.running(origin) ? origin : this.state.activeAgent;
  }

  /** True while the agent entry's activity has not ended. */
  running(key: string): boolean {
    return this.state.agents.get(key)?.entered === true && this.machines.activity(key).snapshot().status !== 'done';
  }

  /** The agent speaks for the session now (entered, not leaving, not paused): its tools are offered. */
  speaksNow(key: string | null): boolean {
    if (key === null || key !== this.state.activeAgent || !this.state.agents.get(key)?.entered) return false;
    if (this.busy && this.state.transitions[0]!.leaving === key) return false;
    return this.machines.activity(key).snapshot().value === 'active' || this.machines.activity(key).snapshot().value === 'entering';
  }

  /** The agent entry is paused under a task. */
  paused(key: string | null): boolean {
    return key !== null && this.running(key) && this.machines.activity(key).snapshot().value === 'paused';
  }

  /** A routing action of an activity machine. */
  action(key: string, type: string): void {
    switch (type) {
      case 'runOnEnter':
        return this.io.post(() => this.shell.enterAgent(key));
      case 'runOnExit':
        return this.io.post(() => this.shell.exitAgent(key));
      case 'activityEnded':
        return this.io.post(() => {
          this.shell.activityEnded(key, this.machines.activity(key).snapshot().context.endedBy ?? 'close');
          this.advance();
        });
      case 'awaitFloor':
      case 'activityActive':
      case 'activityPaused':
        this.io.showIdleState();
        return this.kick();
      default:
        throw new Error(`agent ${key}: no routing for action ${type}`);
    }
  }

  /** Something that may let the head transition move on happened: look again once the current transition is over. */
  kick(): void {
    if (this.kicked || this.state.transitions.length === 0) return;
    this.kicked = true;
    this.io.post(() => {
      this.kicked = false;
      this.advance();
    });
  }

  /** A handoff that will not happen (its speech was interrupted): its agent entry is dropped. */
  discard(key: string): void {
    const a = this.state.agents.get(key);
    if (!a || a.entered) return;
    this.state.agents.delete(key);
    this.io.post(() => this.shell.activityEnded(key, 'close'));
  }

  /** `close()`: every activity ends now (their task waiters settle), and no transition goes on. */
  closeAll(): void {
    // Closed before the first agent entered: it stays the session's agent (`currentAgent`).
    const head = this.state.transitions[0];
    if (this.state.activeAgent === null && head?.kind === 'handoff') this.state.activeAgent = head.to;
    this.state.transitions.length = 0;
    this.state.held.length = 0;
    for (const [key, a] of this.state.agents) {
      if (this.running(key)) this.machines.activity(key).send({ type: 'CLOSE' });
      else if (!a.entered) {
        // Asked for but never entered (a task whose run() still waits): it ends too.
        a.entered = true;
        this.io.post(() => this.shell.activityEnded(key, 'close'));
      }
    }
  }

  /** Runs the head transition as far as it can go now. */
  advance(): void {
    const s = this.state;
    for (;;) {
      const t = s.transitions[0];
      if (!t || !s.started || s.closed) return;
      if (!t.begun) this.begin(t);
      if (!this.step(t)) return;
      s.transitions.shift();
      this.releaseHeld();
    }
  }

  /** One move of transition `t`; true once it is complete. */
  private step(t: RoutedTransition): boolean {
    const s = this.state;
    if (!t.switched) {
      const leaving = t.leaving;
      if (leaving !== null && this.running(leaving)) {
        const v = this.machines.activity(leaving).snapshot().value as string;
        const leave: AgentActivityEvent['type'] = t.kind === 'task' ? 'PAUSE' : 'DRAIN';
        if (v === 'active') return this.send(leaving, { type: leave }), false;
        if (v === 'draining' || v === 'pausing') {
          if (this.floorFreeOf(leaving)) this.send(leaving, { type: 'FLOOR_FREE' });
          return false;
        }
        if (v !== 'paused') return false; // entering (ENTERED comes), or exiting (EXITED comes)
      }
      this.switchTo(t);
    }
    const next = s.activeAgent;
    if (next === null) return true;
    if (t.kind === 'taskDone') {
      if (this.running(next) && this.machines.activity(next).snapshot().value === 'paused') this.send(next, { type: 'RESUME' });
      return true;
    }
    // A handoff or a task is complete once its agent entered (onEnter was called, not awaited).
    return !this.running(next) || this.machines.activity(next).snapshot().value !== 'entering';
  }

  private begin(t: RoutedTransition): void {
    const s = this.state;
    t.begun = true;
    t.leaving = t.kind === 'taskDone' ? t.task : s.activeAgent;
    if (t.kind === 'taskDone' && (s.activeAgent !== t.task || !this.running(t.task))) t.leaving = null;
    // Turns queued but not started wait for the agent active once this ends.
    const queued = new Set(this.machines.scheduler.snapshot().context.queue.map((q) => q.id));
    for (const [id, sp] of s.speeches) {
      if (!queued.has(id) || sp.step !== null || this.admits(sp.origin)) continue;
      this.machines.scheduler.send({ type: 'REMOVE', id });
      this.hold(id);
    }
  }

  /** The leaving agent is gone (or paused): the next one speaks for the session. */
  private switchTo(t: RoutedTransition): void {
    const s = this.state;
    t.switched = true;
    const old = t.leaving;
    let next: string | null;
    if (t.kind === 'handoff') {
      next = t.to;
      // A handoff from inside a task ends the tasks it runs in too: nothing is left paused for ever.
      for (let p = old ? s.agents.get(old)?.parent : null; p; p = s.agents.get(p)?.parent ?? null) if (this.running(p)) this.send(p, { type: 'CLOSE' });
    } else if (t.kind === 'task') {
      next = t.task;
      s.agents.get(t.task)!.parent = old;
    } else {
      if (old === null) return; // the task was not the agent speaking (closed meanwhile): nothing to switch
      next = s.agents.get(t.task)?.parent ?? null;
    }
    s.activeAgent = next;
    if (next === null) return;
    this.history.commitHandoff(old === null ? undefined : s.agents.get(old)!.agentId, s.agents.get(next)!.agentId, old === null);
    if (t.kind !== 'taskDone') {
      s.agents.get(next)!.entered = true;
      this.machines.createActivity({ key: next, agentId: s.agents.get(next)!.agentId });
    }
  }

  /** No speech of the agent holds the floor or waits in the queue for it. */
  private floorFreeOf(key: string): boolean {
    const s = this.state;
    const of = (id: string | null) => {
      const sp = id === null ? undefined : s.speeches.get(id);
      return sp !== undefined && (sp.agent ?? sp.origin) === key;
    };
    if (of(this.io.current())) return false;
    return !this.machines.scheduler.snapshot().context.queue.some((q) => of(q.id));
  }

  hold(id: string): void {
    const sp = this.state.speeches.get(id);
    if (!sp || sp.held) return;
    sp.held = true;
    this.state.held.push(id);
  }

  private releaseHeld(): void {
    const s = this.state;
    if (s.transitions.length > 0) {
      // The next transition holds them again at its start; keep them where they are.
      return;
    }
    const items: { id: string; priority: number }[] = [];
    for (const id of s.held.splice(0)) {
      const sp = s.speeches.get(id);
      if (!sp) continue;
      sp.held = false;
      if (this.machines.speech(id).snapshot().value === 'queued') items.push({ id, priority: sp.priority });
    }
    // All at once: the floor goes to the first by priority, not to the first held.
    if (items.length) this.machines.scheduler.send({ type: 'ENQUEUE_ALL', items });
  }

  private send(key: string, e: AgentActivityEvent): void {
    this.machines.activity(key).send(e);
  }
}
