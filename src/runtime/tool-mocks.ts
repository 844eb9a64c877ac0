import type { Agent } from '../agents/agent.js';
import type { ToolExecuteOptions } from '../tool.js';

/** A stand-in for a tool's `execute`: same arguments, same options. */
export type ToolMock = (args: any, o: ToolExecuteOptions) => unknown;

/** An agent instance, or an agent class (every instance of it, subclasses included). */
export type MockTarget = Agent | (abstract new (...args: any[]) => Agent);

interface Layer {
  target: MockTarget;
  mocks: Readonly<Record<string, ToolMock>>;
}

/** Mock layers in the order they were added; the latest one that covers a tool wins. */
const layers: Layer[] = [];

/**
 * Adds a layer of mocks; returns what removes it (only it, whatever was added since).
 * @internal Public through `withMockTools`.
 */
export function addMockLayer(target: MockTarget, mocks: Record<string, ToolMock>): () => void {
  const layer: Layer = { target, mocks: { ...mocks } };
  layers.push(layer);
  return () => {
    const i = layers.indexOf(layer);
    if (i >= 0) layers.splice(i, 1);
  };
}

/**
 * The mock standing in for `agent`'s tool `name`, if a test set one.
 * @example const run = mockFor(agent, 'lookup') ?? tool.execute;
 */
export function mockFor(agent: Agent, name: string): ToolMock | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i]!;
    const covers = typeof l.target === 'function' ? agent instanceof l.target : l.target === agent;
    if (covers && Object.hasOwn(l.mocks, name)) return l.mocks[name];
  }
  return undefined;
}
