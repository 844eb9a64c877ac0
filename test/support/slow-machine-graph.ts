import type { MachineGraph } from '../../src/inspect/index.js';

/**
 * A flat machine graph whose transitions join random states: Graphviz's crossing minimisation
 * makes it slow to lay out (measured in-process on this repo's 2-core box: 50 states and
 * 200 transitions, 26 KB of JSON, took 11.5 s; 100 and 400, 52 KB, took 137 s).
 * Deterministic for a given size.
 * @example const graph = slowMachineGraph(100, 400);
 */
export function slowMachineGraph(states: number, transitions: number): MachineGraph {
  let seed = 1;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const state = () => `slow.s${Math.floor(random() * states)}`;
  const nodes: MachineGraph['nodes'] = [{ id: 'slow', path: [], parent: null, type: 'compound', initial: 'slow.s0', tags: [], entry: [], exit: [], invoke: [], bad: false }];
  for (let i = 0; i < states; i++) nodes.push({ id: `slow.s${i}`, path: [`s${i}`], parent: 'slow', type: 'atomic', initial: null, tags: [], entry: [], exit: [], invoke: [], bad: false });
  const edges: MachineGraph['transitions'] = [];
  for (let i = 0; i < transitions; i++) edges.push({ source: state(), event: `E${i}`, targets: [state()], guard: null, fallback: false, actions: [] });
  return { id: 'slow', nodes, transitions: edges };
}

/** A two-state machine graph: renders at once. */
export const LAMP_GRAPH: MachineGraph = {
  id: 'lamp',
  nodes: [
    { id: 'lamp', path: [], parent: null, type: 'compound', initial: 'lamp.off', tags: [], entry: [], exit: [], invoke: [], bad: false },
    { id: 'lamp.off', path: ['off'], parent: 'lamp', type: 'atomic', initial: null, tags: [], entry: [], exit: [], invoke: [], bad: false },
    { id: 'lamp.on', path: ['on'], parent: 'lamp', type: 'atomic', initial: null, tags: [], entry: [], exit: [], invoke: [], bad: false },
  ],
  transitions: [
    { source: 'lamp.off', event: 'TOGGLE', targets: ['lamp.on'], guard: null, fallback: false, actions: [] },
    { source: 'lamp.on', event: 'TOGGLE', targets: ['lamp.off'], guard: null, fallback: false, actions: [] },
  ],
};
