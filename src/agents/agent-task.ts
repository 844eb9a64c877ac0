import { InvalidArgumentError, SpeechchartsError } from '../errors.js';
import { Agent, type AgentOptions } from './agent.js';
import { agentScope } from './agent-context.js';

/** An `AgentTask` ended without a result: another handoff replaced it, or the session closed. */
export class AgentTaskError extends SpeechchartsError {
  readonly reason: 'handoff' | 'close';
  constructor(taskId: string, reason: 'handoff' | 'close') {
    super(reason === 'close' ? `agent task ${taskId} ended because the session closed` : `agent task ${taskId} ended by a handoff before it completed`);
    this.reason = reason;
  }
}

/** The outcome a task was completed with. @internal */
export type TaskOutcome<T> = { ok: true; value: T } | { ok: false; error: Error };

const outcomes = new WeakMap<AgentTask<unknown>, TaskOutcome<unknown> | null>();

/**
 * An agent that takes over for a bounded job and returns a value, as LiveKit's `AgentTask`:
 * `await task.run()` from a tool or a hook of the agent speaking now pauses that agent; the task
 * enters (its `onEnter` runs), talks with the user, and calls `complete(result)`; then it exits,
 * the caller's agent resumes, and `run()` resolves. The task shares the session's history.
 *
 * @example
 * class CollectEmail extends AgentTask<string> {
 *   constructor() { super({ instructions: 'Ask for the email address', tools: { save: tool({ description: 'save', execute: async ({ email }) => { this.complete(email); return 'saved'; } }) } }); }
 * }
 * const email = await new CollectEmail().run(); // inside a tool of the current agent
 */
export class AgentTask<T = unknown> extends Agent {
  #started = false;

  constructor(o: AgentOptions) {
    super(o);
    outcomes.set(this, null);
  }

  /**
   * Runs the task from a tool or a hook: resolves with `complete()`'s value (rejects with the
   * Error given to it), or rejects {@link AgentTaskError} when the task ends without a result.
   */
  run(): Promise<T> {
    const scope = agentScope.getStore();
    if (!scope) return Promise.reject(new InvalidArgumentError(`AgentTask.run (${this.id}): call it from a tool or a hook of the agent speaking now`));
    if (this.#started) return Promise.reject(new InvalidArgumentError(`AgentTask.run (${this.id}): this task was already run; make a new one`));
    this.#started = true;
    return scope.session._agentHost.runTask(this) as Promise<T>;
  }

  /** Ends the task: it exits, the agent that ran it resumes, `run()` settles with `result`. */
  complete(result: T | Error): void {
    if (outcomes.get(this) !== null) throw new InvalidArgumentError(`AgentTask.complete (${this.id}): the task was already completed`);
    const session = this.session; // throws AgentNotRunningError when the task is not running
    outcomes.set(this, result instanceof Error ? { ok: false, error: result } : { ok: true, value: result });
    session._agentHost.completeTask(this);
  }
}

/** @internal How the task was completed, if it was. */
export function taskOutcome<T>(task: AgentTask<T>): TaskOutcome<T> | null {
  return (outcomes.get(task) ?? null) as TaskOutcome<T> | null;
}
