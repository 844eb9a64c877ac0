import { describe, it } from 'vitest';
import { VOICE_BOUNDS, createComposedModel } from '../src/model/composed-model.js';
import { createRuntimeAdapter } from '../src/model/runtime-adapter.js';
import { createModelWalker, exploreModel, generatePathTests, sampleSimplePaths, shortestPaths } from '../src/testing/model-explorer.js';

// Generated tests of the user's voice turns against the real runtime: each case drives a fresh
// AgentSession with `attachUserTurn` (its timers on a virtual clock of their own) along a path of the
// composed model, and after every event compares the runtime with the model: the user turn's
// state, text and commits, the replies it made, their waiters, history and the agent state. A
// preemptive generation the model says is taken must be the stream the reply reads.

/** Exhaustive for 'vad' (the default): the shortest path to every state. */
const EXHAUSTIVE = VOICE_BOUNDS.filter((b) => b.voice!.turnDetection === 'vad');
/** Sampled for the other modes (their shortest paths are 6,000-8,000 each: minutes). */
const SAMPLED = VOICE_BOUNDS.filter((b) => b.voice!.turnDetection !== 'vad');
const SIMPLE_PATHS = { count: 150, maxDepth: 24, seed: 20261130 };

for (const bounds of EXHAUSTIVE) {
  const m = createComposedModel(bounds);
  const report = exploreModel({ logic: m.logic, events: m.events, serialize: m.serializeWithHistory });
  const paths = shortestPaths(report, { maximalOnly: true });
  describe(`voice turns ('${bounds.voice!.turnDetection}'): the shortest path to each of the ${report.states} states, on the real runtime`, () => {
    generatePathTests(it, report, paths, createRuntimeAdapter({ bounds: m.bounds }), { prefix: 'shortest' });
  });
}

for (const bounds of SAMPLED) {
  const m = createComposedModel(bounds);
  const walker = createModelWalker({ logic: m.logic, events: m.events });
  const paths = sampleSimplePaths(walker, { serialize: m.serialize, ...SIMPLE_PATHS });
  describe(`voice turns ('${bounds.voice!.turnDetection}'): ${paths.length} sampled simple paths, on the real runtime`, () => {
    generatePathTests(it, walker, paths, createRuntimeAdapter({ bounds: m.bounds }), { prefix: 'simple' });
  });
}
