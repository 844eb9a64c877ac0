import { createComposedModel, describeComposed, type ModelBounds } from '../model/composed-model.js';
import { machineModels } from '../model/invariants.js';
import { exploreModel, formatPath, shortestPaths } from '../testing/model-explorer.js';

/** The composed model's bounds for `paths composed`: small enough to read. */
export const PATHS_COMPOSED_BOUNDS: Partial<ModelBounds> = { speeches: 1, toolsPerSpeech: 2 };

const ALIASES: Record<string, string> = {
  speechhandle: 'speechHandle',
  'speech-handle': 'speechHandle',
  speech: 'speechHandle',
  toolrun: 'toolRun',
  'tool-run': 'toolRun',
  tool: 'toolRun',
  scheduler: 'scheduler',
  agentstate: 'agentState',
  'agent-state': 'agentState',
  agent: 'agentState',
  bargein: 'bargeIn',
  'barge-in': 'bargeIn',
  composed: 'composed',
};

/**
 * `speechcharts paths <machine>`: the shortest event path to every reachable state of one machine
 * (speechHandle, toolRun, scheduler, agentState), or of the composed system at small bounds
 * (`composed`: the maximal shortest paths, which reach every state). Returns 2 for an unknown name.
 * @example await runPaths('toolRun', console.log);
 */
export async function runPaths(machineName: string, out: (line: string) => void): Promise<number> {
  const name = ALIASES[machineName.toLowerCase()] ?? machineName;
  if (name === 'composed') {
    const m = createComposedModel(PATHS_COMPOSED_BOUNDS);
    const r = exploreModel({ logic: m.logic, events: m.events, serialize: m.serialize });
    const paths = shortestPaths(r, { maximalOnly: true });
    out(`composed system at bounds ${JSON.stringify(m.bounds)}: ${r.states} states, ${r.transitions} transitions; ${paths.length} maximal shortest paths reach them all`);
    for (const p of paths) out(`${formatPath(p.events)}\n    ⇒ ${describeComposed(p.states.at(-1)!)}`);
    return 0;
  }
  const model = machineModels().find((m) => m.name === name);
  if (!model) {
    out(`speechcharts paths: unknown machine "${machineName}" (known: ${[...machineModels().map((m) => m.name), 'composed'].join(', ')})`);
    return 2;
  }
  for (const { label, input } of model.inputs) {
    const r = exploreModel({ logic: model.machine, input: input as never, events: model.events as never, ...(model.serialize ? { serialize: model.serialize } : {}) });
    out(`${model.name} (${label}): ${r.states} states, ${r.transitions} transitions; the shortest path to each state:`);
    for (const p of shortestPaths(r)) {
      const s = p.states.at(-1)! as { value: unknown; context: unknown };
      out(`  ${JSON.stringify(s.value)} ${JSON.stringify(s.context)}\n      ← ${formatPath(p.events)}`);
    }
    out('');
  }
  return 0;
}
