import { describe, it } from 'vitest';
import { VOICE_BOUNDS, createComposedModel } from '../src/model/composed-model.js';
import { createRuntimeAdapter } from '../src/model/runtime-adapter.js';
import { createModelWalker, exploreModel, generatePathTests, sampleSimplePaths, shortestPaths } from '../src/testing/model-explorer.js';

// Generated tests of the user's voice turns against the real runtime: each case drives a fresh
// AgentSession with the real voice attached ('vad': `attachVoiceInput`, the barge-in policy and the
// user turn fed by a scripted VAD and STT; the other modes: `attachUserTurn`), its timers on a
// virtual clock of their own, along a path of the composed model, and after every event compares
// the runtime with the model: the user turn's and the barge-in policy's states, the turn's text and
// commits, the replies it made, their waiters, history and the agent state. A preemptive generation
// the model says is taken must be the stream the reply reads.

/**
 * Sampled simple paths per mode. `SPEECHCHARTS_EXHAUSTIVE_VOICE=1` drives the shortest path to every
 * state instead ('vad' with barge-in: 17,904 cases, ~4 min on 2 shared cores; all passed, 2026-11-30).
 */
const SIMPLE_PATHS = { maxDepth: 24, seed: 20261130 };
const COUNT: Record<string, number> = { vad: 400, eot: 150, stt: 150, manual: 150 };
const exhaustive = process.env.SPEECHCHARTS_EXHAUSTIVE_VOICE === '1';

for (const bounds of VOICE_BOUNDS) {
  const mode = bounds.voice!.turnDetection;
  const label = `voice turns ('${mode}'${bounds.voice!.bargeIn ? ', with barge-in' : ''})`;
  const m = createComposedModel(bounds);
  if (exhaustive) {
    const report = exploreModel({ logic: m.logic, events: m.events, serialize: m.serializeWithHistory });
    const paths = shortestPaths(report, { maximalOnly: true });
    describe(`${label}: the shortest path to each of the ${report.states} states, on the real runtime`, () => {
      generatePathTests(it, report, paths, createRuntimeAdapter({ bounds: m.bounds }), { prefix: 'shortest' });
    });
    continue;
  }
  const walker = createModelWalker({ logic: m.logic, events: m.events });
  const paths = sampleSimplePaths(walker, { serialize: m.serialize, count: COUNT[mode]!, ...SIMPLE_PATHS });
  describe(`${label}: ${paths.length} sampled simple paths, on the real runtime`, () => {
    generatePathTests(it, walker, paths, createRuntimeAdapter({ bounds: m.bounds }), { prefix: 'simple' });
  });
}
