import { describe, expect, it } from 'vitest';
import { createMachine, initialTransition, transition, type AnyStateMachine } from 'xstate';
import { getAdjacencyMap, getStateNodes } from 'xstate/graph';
import { bargeInMachine, type BargeInEvent, type BargeInInput } from '../machines/barge-in.machine.js';
import { exploreModel, formatPath } from '../src/testing/index.js';
import {
  BARGE_IN_MODEL_EVENTS,
  BARGE_IN_MODEL_INPUTS,
  bargeInInvariants,
  bargeInProgress,
  serializeBargeIn,
  type BargeInSnapshot,
  type BargeInStep,
} from '../src/voice/barge-in-invariants.js';

// Model-based check of the barge-in machine: xstate/graph enumerates every reachable state (for each
// policy variant) under every event with its payload variants; xstate's pure `transition()` gives
// each edge's actions; every invariant is checked on every edge, and the progress properties on the graph.

interface Edge {
  from: string;
  to: string;
  event: BargeInEvent;
}

function explore(input: BargeInInput, machine: typeof bargeInMachine = bargeInMachine) {
  const [initial, initialActions] = initialTransition(machine, input);
  const adjacency = getAdjacencyMap(machine as unknown as AnyStateMachine, {
    fromState: initial,
    events: BARGE_IN_MODEL_EVENTS,
    serializeState: (s) => serializeBargeIn(s as BargeInSnapshot),
  });
  const states = new Map<string, BargeInSnapshot>();
  const edges: Edge[] = [];
  const violations: string[] = [];
  const checkStep = (step: BargeInStep, where: string) => {
    for (const inv of bargeInInvariants) {
      const r = inv.check(step);
      if (r !== true) violations.push(`${inv.name}: ${r === false ? 'violated' : r} (${where})`);
    }
  };
  checkStep({ from: undefined, event: undefined, to: initial, actions: initialActions }, 'initial');
  for (const [key, v] of Object.entries(adjacency)) {
    const from = v.state as BargeInSnapshot;
    states.set(key, from);
    for (const t of Object.values(v.transitions)) {
      const event = t.event as BargeInEvent;
      // The adjacency map keeps the next state; its actions come from the same pure transition.
      const [to, actions] = transition(machine, from, event);
      expect(serializeBargeIn(to)).toBe(serializeBargeIn(t.state as BargeInSnapshot));
      edges.push({ from: key, to: serializeBargeIn(to), event });
      checkStep({ from, event, to, actions }, `${JSON.stringify(from.value)} --${JSON.stringify(event)}-->`);
    }
  }
  return { states, edges, violations, initialKey: serializeBargeIn(initial) };
}

/** States from which no goal state can be reached using only the events `via` accepts. */
function stuckStates(g: ReturnType<typeof explore>, p: (typeof bargeInProgress)[number]): string[] {
  const reached = new Set([...g.states].filter(([, s]) => p.goal(s)).map(([k]) => k));
  for (let changed = true; changed; ) {
    changed = false;
    for (const e of g.edges) {
      if (reached.has(e.from) || !reached.has(e.to) || (p.via && !p.via(e.event))) continue;
      reached.add(e.from);
      changed = true;
    }
  }
  return [...g.states.keys()].filter((k) => !reached.has(k));
}

describe('barge-in machine: invariants on every reachable state (xstate/graph)', () => {
  for (const input of BARGE_IN_MODEL_INPUTS) {
    describe(`policy ${JSON.stringify(input)}`, () => {
      const g = explore(input);

      it('explores a finite graph and checks every invariant on every transition', () => {
        expect(g.states.size).toBeGreaterThan(20);
        expect([...new Set(g.violations.map((v) => v.slice(0, 400)))].slice(0, 5)).toEqual([]);
      });

      for (const p of bargeInProgress) {
        it(`progress: ${p.name}`, () => {
          expect(stuckStates(g, p).map((k) => g.states.get(k)!.value)).toEqual([]);
        });
      }
    });
  }

  it('the default policy reaches every state node of the machine', () => {
    const g = explore({});
    const reached = new Set<string>();
    for (const s of g.states.values()) for (const n of s._nodes) reached.add(n.id);
    const all = getStateNodes(bargeInMachine.root).map((n) => n.id);
    expect(all.filter((id) => !reached.has(id))).toEqual([]);
  });

  // Mutants of the machine's definition: each must be caught by the exploration.
  // A deep copy of plain objects and arrays; functions (context factory, inline params) are shared.
  const copy = (x: unknown): any =>
    Array.isArray(x) ? x.map(copy) : x && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, copy(v)])) : x;
  const mutate = (edit: (states: Record<string, any>) => void) => {
    const config = copy(bargeInMachine.config) as { states: Record<string, any> };
    edit(config.states);
    return createMachine(config as never, bargeInMachine.implementations as never) as unknown as typeof bargeInMachine;
  };
  const mutants: [string, (states: Record<string, any>) => void, string][] = [
    ['CLOSE leaves the hold without resuming', (st) => (st.holding.on.CLOSE = { target: 'closed' }), 'a held speech is never left behind'],
    ['the minimum-duration timer is not cancelled on exit', (st) => delete st.userSpeaking.states.measuring.exit, 'each timer runs exactly while its state is active'],
    ['words no longer interrupt while the agent is held', (st) => delete st.holding.states.awaitingWords.always, 'no state waits (on a timer or anything else) while an interrupt is pending'],
    ['the user turn commits while the user still speaks', (st) => (st.userSpeaking.always = st.idle.always), 'a user turn is committed once, with the user silent'],
    ['the timeout handled while the user speaks', (st) => (st.holding.states.userSpeaking.on.FALSE_INTERRUPTION_TIMEOUT = st.holding.states.awaitingWords.on.FALSE_INTERRUPTION_TIMEOUT), 'a timer event acts only in its own state'],
  ];
  for (const [name, edit, caughtBy] of mutants) {
    it(`catches a mutant: ${name}`, () => {
      const g = explore({}, mutate(edit));
      expect(g.violations.some((v) => v.startsWith(caughtBy))).toBe(true);
    });
  }

  // The same invariants in the project's model explorer (the model-based suite's engine): every
  // transition definition of the machine is exercised, and nothing is violated or stuck.
  it('joins the model-based suite: exploreModel finds no violation, no stuck state; the policy variants together cover every transition', () => {
    let uncoveredByAll: string[] | undefined;
    for (const input of BARGE_IN_MODEL_INPUTS) {
      const report = exploreModel({
        logic: bargeInMachine,
        input,
        name: `bargeIn ${JSON.stringify(input)}`,
        events: BARGE_IN_MODEL_EVENTS,
        serialize: serializeBargeIn,
        invariants: bargeInInvariants,
        progress: bargeInProgress,
      });
      const problems = report.violations.map((v) => `${v.invariant}: ${v.message} after ${formatPath(v.path.events)}`);
      expect(problems, report.name).toEqual([]);
      expect(report.progress.filter((p) => p.stuck > 0)).toEqual([]);
      expect(report.ok).toBe(true);
      // Without pause-and-resume the `holding` states are unreachable: coverage is over all variants.
      const uncovered = [...report.coverage!.stateNodes.uncovered, ...report.coverage!.transitions.uncovered];
      uncoveredByAll = uncoveredByAll ? uncoveredByAll.filter((t) => uncovered.includes(t)) : uncovered;
    }
    expect(uncoveredByAll).toEqual([]);
  });
});
