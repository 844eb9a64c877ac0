import { describe, it } from 'vitest';
import { createComposedModel, type ModelBounds } from '../src/model/composed-model.js';
import { createRuntimeAdapter } from '../src/model/runtime-adapter.js';
import { createModelWalker, exploreModel, generatePathTests, sampleSimplePaths, shortestPaths } from '../src/testing/model-explorer.js';

// Generated tests against the real runtime: each case drives a fresh AgentSession (fakes, virtual
// clock) along a model path and, after every event, compares the runtime's observable state
// (scheduler, agent state, handles, tool runs, waiters, abort signals, history, errors, what the
// API call returned) with the model's. Bounds: see docs/model-based-testing.md.

/** Exhaustive: the shortest path to every state of the composed model at these bounds. */
export const SHORTEST_PATH_BOUNDS: Partial<ModelBounds> = { speeches: 2, toolsPerSpeech: 2 };
/** Sampled: simple paths through the full composed model (3 speeches × 2 tools). */
export const SIMPLE_PATHS = { count: 150, maxDepth: 24, seed: 20260401 };

const small = createComposedModel(SHORTEST_PATH_BOUNDS);
// History-aware identity: shortest paths also reach each variant of what a cut speech left in history.
const smallReport = exploreModel({ logic: small.logic, events: small.events, serialize: small.serializeWithHistory });
const shortest = shortestPaths(smallReport, { maximalOnly: true });

const full = createComposedModel();
const fullWalker = createModelWalker({ logic: full.logic, events: full.events });
const simple = sampleSimplePaths(fullWalker, { serialize: full.serialize, ...SIMPLE_PATHS });

console.log(
  `generated runtime cases: ${shortest.length + simple.length} — ${shortest.length} shortest paths (every one of the ${smallReport.states} states of the ` +
    `${JSON.stringify(SHORTEST_PATH_BOUNDS)} model, maximal paths only) + ${simple.length} simple paths of the full model (≤ ${SIMPLE_PATHS.maxDepth} events)`,
);

describe(`shortest paths (${JSON.stringify(SHORTEST_PATH_BOUNDS)}): every reachable state, driven on the real runtime`, () => {
  generatePathTests(it, smallReport, shortest, createRuntimeAdapter({ bounds: small.bounds }), { prefix: 'shortest' });
});

describe('simple paths of the full composed model, driven on the real runtime', () => {
  generatePathTests(it, fullWalker, simple, createRuntimeAdapter({ bounds: full.bounds }), { prefix: 'simple' });
});
