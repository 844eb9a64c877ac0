import { describe, expect, it } from 'vitest';
import { initialTransition, pathToStateValue, transition, type AnyStateMachine, type AnyStateNode } from 'xstate';
import { getStateNodes } from 'xstate/graph';
import { HOLDS_WAITERS, agentStateMachine, bargeInMachine, schedulerMachine, speechHandleMachine, toolRunMachine } from '../machines/index.js';

// A walk over each machine's DEFINITION (not its runs): the statechart itself must say that every
// state that can hold a waiter is left on INTERRUPT, and no state waits on a timer.

const machines: { machine: AnyStateMachine; input: unknown; holdsWaiters: boolean }[] = [
  { machine: speechHandleMachine, input: { id: 's1' }, holdsWaiters: true },
  { machine: toolRunMachine, input: { callId: 'c1', name: 'probe', speechId: 's1', step: 1 }, holdsWaiters: true },
  { machine: schedulerMachine, input: undefined, holdsWaiters: false },
  { machine: agentStateMachine, input: undefined, holdsWaiters: false },
  // Holds the agent's speech by pausing it, never a waiter: the speech handle's INTERRUPT settles those.
  { machine: bargeInMachine, input: undefined, holdsWaiters: false },
];

const nodesOf = (m: AnyStateMachine): AnyStateNode[] => [m.root, ...getStateNodes(m.root)];
const ancestry = (n: AnyStateNode): AnyStateNode[] => (n.parent ? [n, ...ancestry(n.parent)] : [n]);
/** The INTERRUPT transitions a state may take, in XState's order: its own first, then its ancestors'. */
const interruptCandidates = (n: AnyStateNode) => ancestry(n).flatMap((a) => a.transitions.get('INTERRUPT') ?? []);
const tagged = (n: AnyStateNode) => ancestry(n).some((a) => a.tags.includes(HOLDS_WAITERS));
const leafStatesOf = (n: AnyStateNode): AnyStateNode[] => {
  if (n.type === 'atomic' || n.type === 'final') return [n];
  if (n.type === 'compound' && n.initial) return n.initial.target.flatMap(leafStatesOf);
  return Object.values(n.states).flatMap(leafStatesOf);
};
const actionName = (a: unknown) => (typeof a === 'string' ? a : typeof a === 'object' && a && 'type' in a ? String((a as { type: unknown }).type) : typeof a === 'function' ? a.name : '');

describe('interrupt coverage of each machine definition', () => {
  for (const { machine, input, holdsWaiters } of machines) {
    describe(machine.id, () => {
      const atomic = nodesOf(machine).filter((n) => n.type === 'atomic');

      it('no state waits on a timer (no `after`, no delayed transitions)', () => {
        expect(nodesOf(machine).filter((n) => n.after.length > 0).map((n) => n.id)).toEqual([]);
      });

      it('every non-final state tagged holdsWaiters handles INTERRUPT, directly or via an ancestor', () => {
        const missing = atomic.filter((n) => tagged(n) && interruptCandidates(n).length === 0).map((n) => n.id);
        expect(missing).toEqual([]);
      });

      it('every INTERRUPT transition from such a state leads to a state without the tag (or is an explicit refusal)', () => {
        const bad: string[] = [];
        for (const n of atomic.filter(tagged)) {
          for (const t of interruptCandidates(n)) {
            if (!t.target) {
              // A targetless INTERRUPT keeps the waiters: allowed only as a visible refusal.
              if (!t.actions.some((a: unknown) => /^refuse/i.test(actionName(a)))) bad.push(`${n.id}: INTERRUPT handled in ${t.source.id} without leaving the state and without a refusal`);
              continue;
            }
            for (const target of t.target as AnyStateNode[]) {
              const landing = leafStatesOf(target);
              for (const l of landing) if (tagged(l)) bad.push(`${n.id}: INTERRUPT (from ${t.source.id}) leads to ${l.id}, tagged ${HOLDS_WAITERS}`);
            }
          }
        }
        expect(bad).toEqual([]);
      });

      it('a forced INTERRUPT takes every tagged state to a final state', () => {
        const [init] = initialTransition(machine, input as never);
        const bad: string[] = [];
        for (const n of atomic.filter(tagged)) {
          const s = machine.resolveState({ value: pathToStateValue(n.path), context: init.context });
          const [next] = transition(machine, s, { type: 'INTERRUPT', force: true } as never);
          if (next.status !== 'done' || next.hasTag(HOLDS_WAITERS)) bad.push(`${n.id} → ${JSON.stringify(next.value)}`);
        }
        expect(bad).toEqual([]);
      });

      if (holdsWaiters) {
        it('every non-final state carries the holdsWaiters tag; no final state does', () => {
          expect(atomic.filter((n) => !tagged(n)).map((n) => n.id)).toEqual([]);
          expect(nodesOf(machine).filter((n) => n.type === 'final' && tagged(n)).map((n) => n.id)).toEqual([]);
        });
      } else {
        it('holds no waiters (no state is tagged, so INTERRUPT is not its business)', () => {
          expect(nodesOf(machine).filter(tagged).map((n) => n.id)).toEqual([]);
          // The scheduler must not even listen: an interrupt never pauses scheduling.
          if (machine === schedulerMachine) expect(nodesOf(machine).filter((n) => n.transitions.has('INTERRUPT')).map((n) => n.id)).toEqual([]);
        });
      }
    });
  }
});
