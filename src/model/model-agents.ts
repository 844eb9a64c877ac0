import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent } from '../agents/agent.js';
import { AgentTask } from '../agents/agent-task.js';
import type { Tool } from '../tool.js';

// The agents the runtime adapter drives along model paths: their hooks' settling and speech are the
// model's events (EXIT_DONE, ENTER_REPLY, EXIT_SAY).

/** Runs code in a hook's own async scope, as code inside that hook would (its speech is its agent's). */
type HookScope = <R>(fn: () => R) => R;

/** The model agents' hooks as the test drives them. */
export interface ModelAgentHooks {
  /** Each pending `onExit`'s settle (EXIT_DONE). */
  exits: Map<Agent, () => void>;
  /** The scope of each agent's `onEnter` (ENTER_REPLY greets in it, later: a slow onEnter). */
  enters: Map<Agent, HookScope>;
  /** The scope of each running `onExit` (EXIT_SAY says goodbye in it). */
  exitScopes: Map<Agent, HookScope>;
}

function onEnterOf(agent: Agent, hooks: ModelAgentHooks): void {
  hooks.enters.set(agent, AsyncLocalStorage.snapshot());
}

function onExitOf(agent: Agent, hooks: ModelAgentHooks): Promise<void> {
  hooks.exitScopes.set(agent, AsyncLocalStorage.snapshot());
  return new Promise((resolve) => hooks.exits.set(agent, resolve));
}

/**
 * The model's agents: instructions `A`, `H` (handed to), `T` (a task); each has the probe tool, an
 * `onEnter` that may greet later (ENTER_REPLY) and an `onExit` that may say goodbye (EXIT_SAY) and
 * that the test settles (EXIT_DONE).
 */
export class ModelAgent extends Agent {
  constructor(
    id: string,
    tools: Record<string, Tool>,
    private readonly hooks: ModelAgentHooks,
  ) {
    super({ id, instructions: id.toUpperCase(), tools });
  }
  override onEnter(): void {
    onEnterOf(this, this.hooks);
  }
  override onExit(): Promise<void> {
    return onExitOf(this, this.hooks);
  }
}

export class ModelTask extends AgentTask<string> {
  constructor(
    tools: Record<string, Tool>,
    private readonly hooks: ModelAgentHooks,
  ) {
    super({ id: 't', instructions: 'T', tools });
  }
  override onEnter(): void {
    onEnterOf(this, this.hooks);
  }
  override onExit(): Promise<void> {
    return onExitOf(this, this.hooks);
  }
}
