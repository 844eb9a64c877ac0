import { AGENT_BOUNDS, AGENT_CHAIN_BOUNDS, AGENT_HOOK_BOUNDS, DEEP_BOUNDS, DEEP_VOICE_BOUNDS, MODEL_BOUNDS, TOOLS_SPEAK_BOUNDS, VOICE_BOUNDS, coverage, createComposedModel, describeComposed, resetCoverage, type ModelBounds } from '../model/composed-model.js';
import { KNOWN_RUNTIME_BUGS, classifyStuck, composedInvariants, composedProgress, machineModels } from '../model/invariants.js';
import { exploreModel, formatCoverage, formatReport } from '../testing/model-explorer.js';

/**
 * `speechcharts check`: explores each machine (every event, with payload variants, in every
 * reachable state) and the composed system (the session's routing, with tools that speak; `deep`: three speeches), prints the invariant report with state and transition
 * counts, the shortest path to any violation, and the coverage of each machine's definition.
 * Returns 0 when every invariant holds (known, reported runtime bugs are listed apart), 1 otherwise.
 * @example process.exitCode = await runCheck(false, (line) => console.log(line));
 */
export async function runCheck(deep: boolean, out: (line: string) => void): Promise<number> {
  let failed = 0;
  out('speechcharts check — model-based verification of the machines');
  out('');
  for (const m of machineModels()) {
    for (const { label, input } of m.inputs) {
      const r = exploreModel({ logic: m.machine, input: input as never, name: `${m.name} (${label})`, events: m.events as never, ...(m.serialize ? { serialize: m.serialize } : {}), invariants: m.invariants, progress: m.progress ?? [] });
      formatReport(r).forEach((l) => out(l));
      out('');
      if (!r.ok) failed++;
    }
  }

  resetCoverage();
  const configs: { name: string; bounds: Readonly<ModelBounds> }[] = [
    { name: 'composed system', bounds: MODEL_BOUNDS },
    { name: 'composed system, tools that say, reply and interrupt', bounds: TOOLS_SPEAK_BOUNDS },
    { name: 'composed system with agents (handoffs, tasks, onExit, close)', bounds: AGENT_BOUNDS },
    { name: 'composed system with agents, chains of transitions', bounds: AGENT_CHAIN_BOUNDS },
    { name: 'composed system with agents whose hooks speak (onEnter greets, onExit says goodbye and awaits it)', bounds: AGENT_HOOK_BOUNDS },
    ...VOICE_BOUNDS.map((bounds) => ({ name: `composed system with the user's voice turns ('${bounds.voice!.turnDetection}'${bounds.voice!.bargeIn ? ', with barge-in' : ''})`, bounds })),
    ...(deep ? DEEP_VOICE_BOUNDS.map((bounds) => ({ name: `composed system with the user's voice turns (deep, '${bounds.voice!.turnDetection}'${bounds.voice!.bargeIn ? ' with barge-in' : ''}${bounds.apiSpeech === false ? '' : ', beside a reply asked from outside'}, ${bounds.voice!.speechStarts} stretches of speech)`, bounds })) : []),
    ...(deep ? DEEP_BOUNDS.map((bounds) => ({ name: `composed system (deep${bounds.hooksSpeak ? ', agents whose hooks speak' : bounds.agentTransitions ? ', agents' : bounds.toolsSpeak ? ', tools that speak' : ''})`, bounds })) : []),
  ];
  for (const { name, bounds } of configs) {
    const m = createComposedModel(bounds);
    const t0 = performance.now();
    const r = exploreModel({ logic: m.logic, name, events: m.events, serialize: m.serialize, invariants: composedInvariants, progress: composedProgress, maxStates: 2_000_000 });
    out(`${name}: scheduler × ${bounds.speeches} speeches × ${bounds.toolsPerSpeech} tool runs each${bounds.agentTransitions ? ` × ${bounds.agentTransitions} agent transitions` : ''} (bounds ${JSON.stringify(bounds)}), explored in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const lines = formatReport({ ...r, progress: [] }, { describeState: describeComposed });
    lines.forEach((l) => out(l));
    if (r.truncated || r.violations.length) failed++;
    for (const p of r.progress) {
      const { known, unexplained } = classifyStuck(r.graph.snapshots, p.stuckVertices);
      if (unexplained.length === 0) out(`  ✓ ${p.name}${known.size ? ' (except known bugs below)' : ''}`);
      else {
        failed++;
        const path = r.replay(eventsTo(r.graph, unexplained[0]!));
        out(`  ✗ ${p.name}: ${unexplained.length} stuck states`);
        out(`      shortest path to one (${path.events.length} events): ${path.events.map((e) => JSON.stringify(e)).join(' → ')}`);
        out(`      state: ${describeComposed(path.states.at(-1)!)}`);
      }
      for (const [bug, n] of known) out(`  ! KNOWN RUNTIME BUG (${n} stuck states): ${bug} — reproduced by ${KNOWN_RUNTIME_BUGS.find((b) => b.name === bug)!.test}`);
    }
    out('');
  }
  out('  coverage of our machines within the composed system:');
  for (const c of Object.values(coverage)) formatCoverage(c.report()).forEach((l) => out(`    ${l}`));
  out('');
  out(failed === 0 ? 'all invariants hold' : `${failed} model${failed === 1 ? '' : 's'} with violations`);
  return failed === 0 ? 0 : 1;
}

function eventsTo<E>(g: { parent: number[]; parentEvent: (E | undefined)[] }, v: number): E[] {
  const events: E[] = [];
  for (let x = v; g.parent[x]! !== -1; x = g.parent[x]!) events.push(g.parentEvent[x]!);
  return events.reverse();
}
