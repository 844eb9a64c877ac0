import type { AgentSession } from '../agent-session.js';
import { agentScope } from '../agents/agent-context.js';
import { Agent, attachAgent, detachAgent, overridesUserTurnCompleted } from '../agents/agent.js';
import { AgentTaskError, taskOutcome, type AgentTask } from '../agents/agent-task.js';
import { StopResponse } from '../agents/stop-response.js';
import type { SessionRouter } from '../core/session-router.js';
import { InvalidArgumentError } from '../errors.js';
import type { ChatMessage } from '../ports/chat-item.js';
import type { AgentSessionEventMap } from '../session-events.js';

/**
 * The runtime side of the session's agents: which `Agent` object each router key stands for,
 * their hooks (run in the agent's scope, errors reported), and the `AgentTask.run()` waiters. What
 * happens when is the router's ({@link AgentTransitions}); this only runs it.
 * @internal
 */
export class AgentHost {
  private readonly agents = new Map<string, Agent>();
  /** The key of each agent's latest entry. */
  private readonly latest = new Map<Agent, string>();
  private readonly taskWaiters = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  /** Agent entries whose `onEnter` has not settled: a `session.run()` turn is not over while one runs. */
  readonly entering = new Set<string>();
  router!: SessionRouter;

  constructor(
    private readonly session: AgentSession,
    private readonly reportError: (e: unknown, source: AgentSessionEventMap['error']['source']) => void,
    /** A hook ran or settled (what a run waits for may have changed). */
    private readonly changed: () => void = () => {},
  ) {}

  /** The agent of an entry key. */
  agent(key: string | null): Agent | undefined {
    return key === null ? undefined : this.agents.get(key);
  }

  /** The agent whose hook or tool is running now in this session, as a router key. */
  currentScope(): string | null {
    const scope = agentScope.getStore();
    return scope && scope.session === this.session ? scope.key : null;
  }

  /** Runs `fn` as agent `key`'s code (its speeches are its own). */
  inScope<T>(key: string, fn: () => T): T {
    return agentScope.run({ session: this.session, key }, fn);
  }

  updateAgent(agent: Agent): void {
    this.router.updateAgent(this.register(agent));
  }

  /** A new entry for `agent` (not yet entered). */
  register(agent: Agent): string {
    if (!(agent instanceof Agent)) throw new InvalidArgumentError(`expected an Agent, got ${agent === null ? 'null' : typeof agent}`);
    const key = this.router.registerAgent(agent.id);
    this.agents.set(key, agent);
    this.latest.set(agent, key);
    return key;
  }

  runTask(task: AgentTask<unknown>): Promise<unknown> {
    if (this.session.closed) return Promise.reject(new AgentTaskError(task.id, 'close'));
    const key = this.register(task);
    const p = new Promise<unknown>((resolve, reject) => this.taskWaiters.set(key, { resolve, reject }));
    this.router.runTask(key);
    return p;
  }

  completeTask(task: AgentTask<unknown>): void {
    const key = this.latest.get(task);
    if (key) this.router.completeTask(key);
  }

  /** The models hook for the first step of a reply to user input, when the agent overrides it. */
  userTurnHook(key: string | null): ((userInput: string) => Promise<string | null>) | undefined {
    const agent = this.agent(key);
    if (!agent || key === null || !overridesUserTurnCompleted(agent)) return undefined;
    return async (userInput) => {
      const msg: ChatMessage = { type: 'message', id: 'pending', role: 'user', content: userInput };
      try {
        await this.inScope(key, () => agent.onUserTurnCompleted(this.session.history.slice(), msg));
      } catch (e) {
        if (e instanceof StopResponse) return null;
        throw e;
      }
      return typeof msg.content === 'string' ? msg.content : userInput;
    };
  }

  // ── the shell's agent hooks ──

  enterAgent(key: string): void {
    const agent = this.agents.get(key)!;
    attachAgent(agent, this.session);
    this.entering.add(key);
    const settled = () => {
      this.entering.delete(key);
      this.changed();
    };
    // In a later microtask, like every step: user code never runs inside the router's call.
    queueMicrotask(() => {
      try {
        const r = this.inScope(key, () => agent.onEnter());
        if (r && typeof (r as Promise<void>).then === 'function') (r as Promise<void>).then(settled, (e) => (this.reportError(e, 'agent'), settled()));
        else settled();
      } catch (e) {
        this.reportError(e, 'agent');
        settled();
      }
      // onEnter is not awaited: a long one never holds the session (LiveKit #6500).
      this.router.agentEntered(key);
      this.changed();
    });
  }

  exitAgent(key: string): void {
    const agent = this.agents.get(key)!;
    queueMicrotask(() => {
      let r: Promise<void>;
      try {
        r = Promise.resolve(this.inScope(key, () => agent.onExit()));
      } catch (e) {
        r = Promise.reject(e);
      }
      r.then(undefined, (e) => this.reportError(e, 'agent')).then(() => {
        this.router.agentExited(key);
        this.changed();
      });
    });
  }

  activityEnded(key: string, endedBy: 'exit' | 'close'): void {
    const agent = this.agents.get(key);
    if (!agent) return;
    // An entry the router dropped before it entered (a handoff that did not happen): forget it.
    if (!this.router.state.agents.has(key)) {
      this.agents.delete(key);
      return;
    }
    detachAgent(agent);
    const w = this.taskWaiters.get(key);
    if (!w) return;
    this.taskWaiters.delete(key);
    const outcome = taskOutcome(agent as AgentTask<unknown>);
    if (outcome?.ok) w.resolve(outcome.value);
    else if (outcome) w.reject(outcome.error);
    else w.reject(new AgentTaskError(agent.id, endedBy === 'close' && this.router.state.closed ? 'close' : 'handoff'));
  }
}
