import { AsyncLocalStorage } from 'node:async_hooks';
import type { AgentSession } from '../agent-session.js';

/**
 * Which agent's code is running: set around an agent's hooks and its tools, so a `say()` made
 * there is known to be that agent's (served even while the agent hands over: an `onExit` or a
 * tool that awaits its own speech cannot wedge a transition), and `AgentTask.run()` knows its
 * caller. LiveKit does the same with context variables.
 * @internal
 */
export interface AgentScope {
  session: AgentSession;
  /** The agent entry's key in the session's router. */
  key: string;
}

export const agentScope = new AsyncLocalStorage<AgentScope>();
