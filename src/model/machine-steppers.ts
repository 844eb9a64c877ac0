import type { AnyStateMachine, EventFromLogic, SnapshotFrom } from 'xstate';
import { agentActivityMachine } from '../../machines/agent-activity.machine.js';
import { agentStateMachine } from '../../machines/agent-state.machine.js';
import { schedulerMachine } from '../../machines/scheduler.machine.js';
import { speechHandleMachine } from '../../machines/speech-handle.machine.js';
import { toolRunMachine } from '../../machines/tool-run.machine.js';
import { userTurnMachine } from '../../machines/user-turn.machine.js';
import { bargeInMachine } from '../../machines/barge-in.machine.js';
import { CoverageRecorder, createMachineStepper, type ActionRecord, type StepResult } from '../testing/model-explorer.js';

/** What the composed explorations exercised of each machine. */
export const coverage = {
  speechHandle: new CoverageRecorder(speechHandleMachine),
  toolRun: new CoverageRecorder(toolRunMachine),
  scheduler: new CoverageRecorder(schedulerMachine),
  agentState: new CoverageRecorder(agentStateMachine),
  agentActivity: new CoverageRecorder(agentActivityMachine),
  userTurn: new CoverageRecorder(userTurnMachine),
  bargeIn: new CoverageRecorder(bargeInMachine),
};

/**
 * Forgets what the composed explorations exercised so far.
 * @example resetCoverage(); exploreModel({ logic: composedModel, ... }); coverage.scheduler.report();
 */
export function resetCoverage(): void {
  for (const c of Object.values(coverage)) {
    c.nodes.clear();
    c.transitions.clear();
  }
}

/**
 * Machine snapshot identity: value and context (counters, such as the user turn's commits, stay within the model's bounds).
 * @example machineKey(snapshot) // '[{"active":"generating"},{"id":"speech_1",...}]'
 */
export function machineKey(s: { value: unknown; context: unknown }): string {
  return JSON.stringify([s.value, s.context]);
}

// Equal snapshots share one object and a short key: the graph holds many states, few distinct
// machine snapshots.
const interned = new Map<string, { snap: unknown; key: string }>();
function intern<T extends { value: unknown; context: unknown }>(machine: string, s: T): { snap: T; key: string } {
  const k = `${machine}|${machineKey(s)}`;
  let hit = interned.get(k);
  if (!hit) interned.set(k, (hit = { snap: s, key: String(interned.size) }));
  return hit as { snap: T; key: string };
}

function eventKey(e: object): string {
  let k = '';
  // Objects (ENQUEUE_ALL's items) by value: String() would make every list '[object Object]'.
  for (const [name, v] of Object.entries(e)) k += `${name}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)};`;
  return k;
}

/**
 * Memoized pure stepping: snapshots are interned (one object per value and context) and our
 * machines are functions of value, context and event, so a step computed once is the same every time.
 */
function memoStepper<M extends AnyStateMachine>(machine: M, cov: CoverageRecorder) {
  const stepper = createMachineStepper(machine, cov);
  const memo = new WeakMap<object, Map<string, StepResult<SnapshotFrom<M>> & { key: string }>>();
  return {
    initial(input?: unknown): { snap: SnapshotFrom<M>; key: string; actions: ActionRecord[] } {
      const r = stepper.initial(input as never);
      return { ...(intern(machine.id, r.snapshot as never) as { snap: SnapshotFrom<M>; key: string }), actions: r.actions };
    },
    next(snapshot: SnapshotFrom<M>, event: EventFromLogic<M>): StepResult<SnapshotFrom<M>> & { key: string } {
      let m = memo.get(snapshot as object);
      if (!m) memo.set(snapshot as object, (m = new Map()));
      const k = eventKey(event);
      let r = m.get(k);
      if (!r) {
        const fresh = stepper.next(snapshot, event);
        const i = intern(machine.id, fresh.snapshot as never);
        r = { snapshot: i.snap as SnapshotFrom<M>, key: i.key, actions: fresh.actions };
        m.set(k, r);
      }
      return r;
    },
  };
}

/** The machines of `machines/`, stepped purely (no actors), with coverage. */
export const steppers = {
  speech: memoStepper(speechHandleMachine, coverage.speechHandle),
  tool: memoStepper(toolRunMachine, coverage.toolRun),
  scheduler: memoStepper(schedulerMachine, coverage.scheduler),
  agent: memoStepper(agentStateMachine, coverage.agentState),
  activity: memoStepper(agentActivityMachine, coverage.agentActivity),
  userTurn: memoStepper(userTurnMachine, coverage.userTurn),
  bargeIn: memoStepper(bargeInMachine, coverage.bargeIn),
};

/** The delay of a delayed action (a timer), if it is one. */
export function delayOf(a: ActionRecord): number | undefined {
  const p = a.params as { delay?: unknown } | undefined;
  return typeof p?.delay === 'number' ? p.delay : undefined;
}
