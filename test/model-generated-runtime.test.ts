import { describe, it } from 'vitest';
import { AGENT_BOUNDS, AGENT_CHAIN_BOUNDS, AGENT_HOOK_BOUNDS, MODEL_BOUNDS, TOOLS_SPEAK_BOUNDS, createComposedModel, type ModelBounds } from '../src/model/composed-model.js';
import { createRuntimeAdapter } from '../src/model/runtime-adapter.js';
import { createModelWalker, exploreModel, generatePathTests, sampleSimplePaths, shortestPaths } from '../src/testing/model-explorer.js';

// Generated tests against the real runtime: each case drives a fresh AgentSession (fakes, virtual
// clock) along a model path and, after every event, compares the runtime's observable state
// (scheduler, agent state, handles, tool runs, waiters, abort signals, history, errors, what the
// API call returned) with the model's. Bounds: see docs/model-based-testing.md.

/** Exhaustive: the shortest path to every state of the composed model at these bounds. */
export const SHORTEST_PATH_BOUNDS: Partial<ModelBounds>[] = [
  { speeches: 2, toolsPerSpeech: 1 },
  { ...TOOLS_SPEAK_BOUNDS },
  { ...AGENT_CHAIN_BOUNDS },
  // Hooks that greet and say goodbye, with handoffs from outside (no tools: the sampled paths below have them).
  { ...AGENT_HOOK_BOUNDS, toolsPerSpeech: 0 },
];
/** Sampled: simple paths through the full composed model, with tools quiet and with tools that speak. */
export const SIMPLE_PATHS = { count: 100, maxDepth: 24, seed: 20260401 };

for (const bounds of SHORTEST_PATH_BOUNDS) {
  const small = createComposedModel(bounds);
  // History-aware identity: shortest paths also reach each variant of what a cut speech left in history.
  const smallReport = exploreModel({ logic: small.logic, events: small.events, serialize: small.serializeWithHistory });
  const shortest = shortestPaths(smallReport, { maximalOnly: true });
  console.log(`generated runtime cases at ${JSON.stringify(bounds)}: ${shortest.length} shortest paths (every one of the ${smallReport.states} states, maximal paths only)`);
  describe(`shortest paths (${JSON.stringify(bounds)}): every reachable state, driven on the real runtime`, () => {
    generatePathTests(it, smallReport, shortest, createRuntimeAdapter({ bounds: small.bounds }), { prefix: 'shortest' });
  });
}

for (const bounds of [MODEL_BOUNDS, TOOLS_SPEAK_BOUNDS, AGENT_BOUNDS, AGENT_HOOK_BOUNDS]) {
  const full = createComposedModel(bounds);
  const fullWalker = createModelWalker({ logic: full.logic, events: full.events });
  const simple = sampleSimplePaths(fullWalker, { serialize: full.serialize, ...SIMPLE_PATHS });
  describe(`simple paths of the composed model ${JSON.stringify(bounds)}, driven on the real runtime`, () => {
    generatePathTests(it, fullWalker, simple, createRuntimeAdapter({ bounds: full.bounds }), { prefix: 'simple' });
  });
}
