import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGENT_BOUNDS, MODEL_BOUNDS, TOOLS_SPEAK_BOUNDS, createComposedModel, describeComposed } from '../src/model/composed-model.js';
import { composedInvariants } from '../src/model/invariants.js';
import { createRuntimeAdapter } from '../src/model/runtime-adapter.js';
import { createModelWalker, formatPath, pathFromChoices, runPath } from '../src/testing/model-explorer.js';

// Random interleavings of API calls and pipeline events over the full composed model (3 speeches ×
// 2 tool runs), revisits allowed: each run checks the model's invariants along the walk and drives
// the real runtime, comparing after every event. fast-check shrinks a failure to a short path.
// The seed is fixed so a run is reproducible (and mutants are judged the same way each time);
// FC_SEED=<n> explores other interleavings.

const seed = Number(process.env.FC_SEED ?? 424242);
const numRuns = Number(process.env.FC_RUNS ?? 250);

// Walks revisit states freely, so they may go past the exhaustive bounds: three speeches here.
for (const bounds of [{ ...MODEL_BOUNDS, speeches: 3 }, { ...TOOLS_SPEAK_BOUNDS, speeches: 3 }, { ...AGENT_BOUNDS, speeches: 3, agentTransitions: 3 }]) {
const model = createComposedModel(bounds);
const walker = createModelWalker({ logic: model.logic, events: model.events });
const adapter = createRuntimeAdapter({ bounds: model.bounds });

describe(`random interleavings (fast-check) on the real runtime, ${JSON.stringify(bounds)}`, () => {
  it(`${numRuns} random walks of up to 40 events keep the invariants and match the runtime`, async () => {
    let events = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: 1_000 }), { minLength: 5, maxLength: 40, size: 'max' }), async (choices) => {
        const path = pathFromChoices(walker, choices);
        events += path.events.length;
        for (let i = 0; i < path.events.length; i++) {
          const step = walker.step(path.states[i]!, path.events[i]!);
          for (const inv of composedInvariants) {
            const r = inv.check(step);
            if (r !== true) throw new Error(`${inv.name}: ${r}\n  path: ${formatPath(path.events.slice(0, i + 1))}\n  state: ${describeComposed(step.to)}`);
          }
        }
        await runPath(walker, path.events, adapter);
      }),
      { numRuns, seed, endOnFailure: false },
    );
    console.log(`random interleavings: ${numRuns} walks, ${events} events driven on the runtime (seed ${seed})`);
    expect(events).toBeGreaterThan(numRuns);
  }, 120_000);
});
}
