import { InvalidArgumentError } from '../errors.js';
import { Agent } from './agent.js';

/**
 * What a tool returns to hand the conversation to another agent. The handoff takes effect once the
 * step that called the tool has played whole; if that speech is interrupted first, it does not
 * happen and the tool's output says so. `returns` becomes the tool's output: with it the current
 * agent still replies (without tools), without it the new agent speaks first (its `onEnter`).
 */
export class Handoff {
  constructor(
    readonly agent: Agent,
    readonly returns: unknown,
  ) {}
}

/**
 * A tool's handoff to `agent`.
 * @example
 * const transfer = tool({ description: 'Transfer to billing', execute: async () => handoff({ agent: new BillingAgent() }) });
 */
export function handoff(o: { agent: Agent; returns?: unknown }): Handoff {
  if (!o || !(o.agent instanceof Agent)) throw new InvalidArgumentError(`handoff: agent must be an Agent, got ${o?.agent === null ? 'null' : typeof o?.agent}`);
  return new Handoff(o.agent, o.returns);
}
