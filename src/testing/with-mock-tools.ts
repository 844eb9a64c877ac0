import { Agent } from '../agents/agent.js';
import { InvalidArgumentError } from '../errors.js';
import { addMockLayer, type MockTarget, type ToolMock } from '../runtime/tool-mocks.js';

export type { MockTarget, ToolMock } from '../runtime/tool-mocks.js';

/**
 * Replaces the `execute` of some of an agent's tools for one test, as LiveKit's `mock_tools`: the
 * LLM still sees the real tools (names, descriptions, parameters, which still validate the
 * arguments); a call runs the mock instead, with the same arguments and options. `agent` is an
 * agent, or an agent class (every instance of it). Without `scope` it returns the function that
 * removes the mocks; with `scope` the mocks hold while it runs (until its promise settles) and
 * its result is returned.
 * @example
 * const restore = withMockTools(agent, { lookup: async () => 'rainy' });
 * try { ... } finally { restore(); }
 * // or scoped:
 * await withMockTools(BookingAgent, { book: () => { throw new ToolError('fully booked'); } }, async () => { ... });
 */
export function withMockTools(agent: MockTarget, mocks: Record<string, ToolMock>): () => void;
export function withMockTools<T>(agent: MockTarget, mocks: Record<string, ToolMock>, scope: () => T): T;
export function withMockTools<T>(agent: MockTarget, mocks: Record<string, ToolMock>, scope?: () => T): T | (() => void) {
  const isClass = typeof agent === 'function' && (agent === Agent || agent.prototype instanceof Agent);
  if (!(agent instanceof Agent) && !isClass) throw new InvalidArgumentError('withMockTools: agent must be an Agent or an Agent class');
  if (mocks === null || typeof mocks !== 'object' || Array.isArray(mocks)) throw new InvalidArgumentError('withMockTools: mocks must be an object of functions by tool name');
  for (const [name, fn] of Object.entries(mocks)) {
    if (typeof fn !== 'function') throw new InvalidArgumentError(`withMockTools: mocks.${name} must be a function`);
    // An instance's tools are known: a mock for a tool it does not have is a typo, not a mock.
    if (agent instanceof Agent && !Object.hasOwn(agent.tools, name))
      throw new InvalidArgumentError(`withMockTools: agent ${agent.id} has no tool '${name}' (its tools: ${Object.keys(agent.tools).join(', ') || 'none'})`);
  }
  if (scope !== undefined && typeof scope !== 'function') throw new InvalidArgumentError('withMockTools: scope must be a function');
  const remove = addMockLayer(agent, mocks);
  if (!scope) return remove;
  let result: T;
  try {
    result = scope();
  } catch (e) {
    remove();
    throw e;
  }
  if (result && typeof (result as unknown as PromiseLike<unknown>).then === 'function') {
    return Promise.resolve(result).finally(remove) as T;
  }
  remove();
  return result;
}
