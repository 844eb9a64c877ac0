import { MODEL_BOUNDS, composedEvents, composedModel, coverage, describeComposed, resetCoverage, serializeComposed } from '../model/composed-model.js';
import { KNOWN_RUNTIME_BUGS, classifyStuck, composedInvariants, composedProgress, machineModels } from '../model/invariants.js';
import { exploreModel, formatCoverage, formatReport } from '../testing/model-explorer.js';

/**
 * `speechcharts check`: explores each machine (every event, with payload variants, in every
 * reachable state) and the composed system, prints the invariant report with state and transition
 * counts, the shortest path to any violation, and the coverage of each machine's definition.
 * Returns 0 when every invariant holds (known, reported runtime bugs are listed apart), 1 otherwise.
 * @example process.exitCode = await runCheck((line) => console.log(line));
 */
export async function runCheck(out: (line: string) => void): Promise<number> {
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
  const t0 = performance.now();
  const r = exploreModel({ logic: composedModel, name: 'composed system', events: composedEvents, serialize: serializeComposed, invariants: composedInvariants, progress: composedProgress });
  out(`composed system: scheduler × ${MODEL_BOUNDS.speeches} speeches × ${MODEL_BOUNDS.toolsPerSpeech} tool runs each (bounds ${JSON.stringify(MODEL_BOUNDS)}), explored in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
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
