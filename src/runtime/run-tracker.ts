import type { SessionRouter } from '../core/session-router.js';
import type { ChatItem } from '../ports/chat-item.js';
import type { RunResult } from '../testing/run-result.js';

/**
 * The session's side of `session.run()`: feeds the active run the history items added while it
 * runs, keeps its first failure, and ends it once the turn has settled (see {@link turnSettled}).
 * The check runs a microtask after something changed: the router's effects run synchronously, so
 * by then every effect of that change has run.
 * @internal
 */
export class RunTracker {
  private active: { result: RunResult; speechId: string | null; userSeen: boolean; error: unknown } | null = null;
  private checkQueued = false;

  constructor(
    private readonly router: () => SessionRouter,
    /** The agent entries whose `onEnter` has not settled yet. */
    private readonly enteringAgents: () => Iterable<string>,
  ) {}

  get running(): boolean {
    return this.active !== null;
  }

  /** Starts tracking `result`; `start` makes the turn's speech and returns its id. */
  begin(result: RunResult, start: () => string): void {
    this.active = { result, speechId: null, userSeen: false, error: undefined };
    try {
      this.active.speechId = start();
    } catch (e) {
      this.active = null;
      throw e;
    }
    this.changed();
  }

  itemAdded(item: ChatItem): void {
    const run = this.active;
    if (!run) return;
    if (!run.userSeen && item.type === 'message' && item.role === 'user' && item.content === this.userContent(run)) {
      run.userSeen = true; // the run's own input: LiveKit's events leave it out too
    } else run.result._record(item);
    this.changed();
  }

  /** A speech failed, or an agent hook threw, during the run: the first one rejects `wait()`. */
  failed(error: unknown): void {
    if (this.active && this.active.error === undefined) this.active.error = error;
    this.changed();
  }

  /** Something that may settle the turn happened: check once the current effects are over. */
  changed(): void {
    if (!this.active || this.checkQueued) return;
    this.checkQueued = true;
    queueMicrotask(() => {
      this.checkQueued = false;
      const run = this.active;
      if (!run || !turnSettled(this.router(), new Set(this.enteringAgents()))) return;
      this.active = null;
      run.result._finish(run.error);
    });
  }

  /** The run's user message as committed (an agent's `onUserTurnCompleted` may have changed it). */
  private userContent(run: NonNullable<RunTracker['active']>): string {
    const sp = run.speechId === null ? undefined : this.router().state.speeches.get(run.speechId);
    return sp?.userInput ?? run.result.userInput;
  }
}

/**
 * The session is quiet: no speech left to serve, no agent transition under way (or asked for), no
 * `onEnter` still running. What an agent paused under an `AgentTask` owes (its speech waiting for the
 * tool that runs the task, its `onEnter` awaiting it) does not count: the task talks with the user now.
 * @example if (turnSettled(router, new Set())) result._finish(undefined);
 */
export function turnSettled(router: SessionRouter, enteringAgents: ReadonlySet<string>): boolean {
  const s = router.state;
  if (!s.started || s.transitions.length > 0 || s.held.length > 0) return false;
  for (const sp of s.speeches.values()) if (!router.agents.paused(sp.agent)) return false;
  for (const key of enteringAgents) if (!router.agents.paused(key)) return false;
  return true;
}
