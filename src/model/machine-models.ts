import type { AnyStateMachine, EventObject } from 'xstate';
import { agentActivityMachine, type AgentActivityEvent, type AgentActivityInput } from '../../machines/agent-activity.machine.js';
import { agentStateMachine, type AgentStateEvent } from '../../machines/agent-state.machine.js';
import { bargeInMachine } from '../../machines/barge-in.machine.js';
import { HOLDS_WAITERS } from '../../machines/interrupt-event.js';
import { schedulerMachine, type SchedulerEvent } from '../../machines/scheduler.machine.js';
import { speechHandleMachine, type SpeechHandleEvent, type SpeechHandleInput } from '../../machines/speech-handle.machine.js';
import { toolRunMachine, type ToolRunEvent, type ToolRunInput } from '../../machines/tool-run.machine.js';
import { definedTransitions, type Invariant, type ModelStep, type Progress } from '../testing/model-explorer.js';
import { BARGE_IN_MODEL_EVENTS, BARGE_IN_MODEL_INPUTS, bargeInInvariants, bargeInProgress, serializeBargeIn } from '../voice/barge-in-invariants.js';
import { USER_TURN_MODEL_EVENTS, USER_TURN_MODEL_INPUTS, serializeUserTurn, userTurnInvariants, userTurnMachine, userTurnProgress } from '../voice/user-turn-invariants.js';
import { fail, hasDelay, isFinal } from './check-helpers.js';
import { MODEL_BOUNDS } from './composed-model.js';

/**
 * Each machine on its own: every declared event (with payload variants) in every reachable state,
 * final states included, and the invariants each machine must keep.
 */

/** One machine's model: the events with payload variants, inputs, invariants. */
export interface MachineModel<M extends AnyStateMachine = AnyStateMachine> {
  name: string;
  machine: M;
  /** One exploration per input. */
  inputs: { label: string; input: unknown }[];
  events: (snapshot: any) => readonly EventObject[];
  /** Vertex identity, when the default (value and context) would not keep the graph finite. */
  serialize?: (snapshot: any) => string;
  invariants: Invariant<any, any>[];
  progress?: Progress<any, any>[];
}

/**
 * Every event type a machine's definition handles (delayed and eventless transitions aside).
 * @example declaredEventTypes(toolRunMachine) // ['RESULT', 'ERROR', 'INTERRUPT', 'SPEECH_FAILED', 'WAIT_FOR_PLAYOUT', 'PLAYOUT_DONE']
 */
export function declaredEventTypes(machine: AnyStateMachine): string[] {
  return [...new Set(definedTransitions(machine).map((t) => t.eventType).filter((t) => t !== '' && !t.startsWith('xstate.')))];
}

/** The given variants, plus a bare event for every type the machine declares that they miss (new events get explored too). */
function withDeclared(machine: AnyStateMachine, variants: readonly EventObject[]): EventObject[] {
  const have = new Set(variants.map((v) => v.type));
  return [...variants, ...declaredEventTypes(machine).filter((t) => !have.has(t)).map((type) => ({ type }))];
}

type AnyStep = ModelStep<any, any>;

/**
 * Invariants every machine of ours satisfies: final states absorb everything, no timers.
 * @example exploreModel({ logic: myMachine, events, invariants: commonInvariants() })
 */
export function commonInvariants(): Invariant<any, any>[] {
  return [
    {
      name: 'final states absorb everything',
      check: (t: AnyStep) => {
        if (!t.from || !isFinal(t.from)) return true;
        if (t.actions.length) return `${t.event.type} ran ${t.actions.map((a) => a.type).join(', ')} in final state ${JSON.stringify(t.from.value)}`;
        return JSON.stringify([t.from.value, t.from.context]) === JSON.stringify([t.to.value, t.to.context]) || `${t.event.type} left final state ${JSON.stringify(t.from.value)}`;
      },
    },
    {
      name: 'no state waits on a timer',
      check: (t: AnyStep) => !t.actions.some(hasDelay) || `entering ${JSON.stringify(t.to.value)} schedules a delayed event`,
    },
  ];
}

/** Invariants of the machines that hold waiters (speech handle, tool run). */
function waiterHolderInvariants(o: { forcedEndsIn: string }): Invariant<any, any>[] {
  return [
    {
      name: 'every non-final state is tagged holdsWaiters',
      check: ({ to }: AnyStep) => isFinal(to) || to.hasTag(HOLDS_WAITERS) || `${JSON.stringify(to.value)} is not tagged ${HOLDS_WAITERS}`,
    },
    {
      name: 'a forced INTERRUPT exits every non-final state',
      check: (t: AnyStep) => {
        if (!t.from || isFinal(t.from) || t.event.type !== 'INTERRUPT' || !t.event.force) return true;
        return t.to.matches(o.forcedEndsIn) || `a forced INTERRUPT in ${JSON.stringify(t.from.value)} led to ${JSON.stringify(t.to.value)}`;
      },
    },
  ];
}

const speechInvariants: Invariant<any, SpeechHandleEvent>[] = [
  ...commonInvariants(),
  ...waiterHolderInvariants({ forcedEndsIn: 'interrupted' }),
  {
    name: 'an allowed INTERRUPT interrupts; a refused one says so and changes nothing',
    check: (t) => {
      if (!t.from || isFinal(t.from) || t.event?.type !== 'INTERRUPT') return true;
      const allowed = t.event.force === true || t.from.context.allowInterruptions;
      if (allowed) return t.to.matches('interrupted') || `an allowed INTERRUPT in ${JSON.stringify(t.from.value)} did not interrupt`;
      if (!t.actions.some((a) => a.type === 'refuseInterrupt')) return `a refused INTERRUPT in ${JSON.stringify(t.from.value)} did not run refuseInterrupt`;
      return JSON.stringify(t.from.value) === JSON.stringify(t.to.value) || 'a refused INTERRUPT changed the state';
    },
  },
  {
    name: 'waiters settle with the outcome: done resolves, interrupted aborts, failed fails',
    check: (t) => {
      if (!t.from || isFinal(t.from) || !isFinal(t.to)) return true;
      const types = t.actions.map((a) => a.type);
      const want = t.to.matches('done') ? 'resolveWaiters' : t.to.matches('interrupted') ? 'abortWaiters' : 'failWaiters';
      const wrong = ['resolveWaiters', 'abortWaiters', 'failWaiters'].filter((x) => x !== want && types.includes(x));
      if (!types.includes(want) || wrong.length) return `reaching ${JSON.stringify(t.to.value)} ran ${types.join(', ') || 'nothing'} (want ${want})`;
      return types.includes('finishSpeech') || `reaching ${JSON.stringify(t.to.value)} did not finish the speech`;
    },
  },
  {
    name: 'a step ends only after its audio played and its tools settled',
    check: (t) => {
      if (!t.from || !t.to.matches('done') || t.from.matches('done')) return true;
      return t.to.context.pendingTools === 0 || `done with ${t.to.context.pendingTools} tools pending`;
    },
  },
  {
    name: 'a step that called tools, within maxToolSteps, is answered by a next step',
    description: 'The tool outputs are always read by the LLM: a speech ends done only after a step without tools, or after step maxToolSteps + 1.',
    check: (t) => {
      if (!t.from || !t.to.matches('done') || t.from.matches('done')) return true;
      const c = t.from.context;
      // A step whose tools all asked for no reply (a handoff returning nothing) ends the speech.
      return !c.stepHadTools || !c.stepWantsReply || c.step > c.maxToolSteps || `done after step ${c.step}, which called tools (maxToolSteps ${c.maxToolSteps}): its outputs are never answered`;
    },
  },
  {
    name: 'the floor is given up once a step has played, and asked for again for the next step',
    check: (t) => {
      if (!t.from) return true;
      const types = t.actions.map((a) => a.type);
      const entered = (v: string) => t.to.matches({ active: v } as never) && !t.from!.matches({ active: v } as never);
      const bad: string[] = [];
      const played = t.event?.type === 'PLAYOUT_DONE' && (t.from.matches({ active: 'playingOut' } as never) || t.from.matches({ active: 'paused' } as never));
      if (played && !types.includes('releaseFloor')) bad.push(`PLAYOUT_DONE in ${JSON.stringify(t.from.value)} kept the floor`);
      if (entered('awaitingFloor') && !types.includes('requestFloor')) bad.push('waits for the floor without asking for it');
      return fail(bad);
    },
  },
];

const toolInvariants: Invariant<any, ToolRunEvent>[] = [
  ...commonInvariants(),
  ...waiterHolderInvariants({ forcedEndsIn: 'aborted' }),
  {
    name: 'an INTERRUPT is never refused by a tool run',
    check: (t) => !t.from || isFinal(t.from) || t.event?.type !== 'INTERRUPT' || t.to.matches('aborted') || `INTERRUPT in ${JSON.stringify(t.from.value)} led to ${JSON.stringify(t.to.value)}`,
  },
  {
    name: 'an abort rejects the playout waiters and fires the signal; a result resolves them',
    check: (t) => {
      if (!t.from || isFinal(t.from) || !isFinal(t.to)) return true;
      const types = t.actions.map((a) => a.type);
      if (t.to.matches('aborted')) {
        const missing = ['rejectPlayoutWaiters', 'abortSignal', 'recordAbortOutput'].filter((x) => !types.includes(x));
        if (types.includes('resolvePlayoutWaiters') || missing.length) return `aborting ran ${types.join(', ')}`;
        return true;
      }
      return (types.includes('resolvePlayoutWaiters') && types.includes('recordOutput') && !types.includes('rejectPlayoutWaiters')) || `${JSON.stringify(t.to.value)} ran ${types.join(', ')}`;
    },
  },
  {
    name: 'a playout wait resolves only once the preamble played',
    check: (t) => {
      if (!t.from || isFinal(t.from) || isFinal(t.to) || !t.actions.some((a) => a.type === 'resolvePlayoutWaiters')) return true;
      return t.to.context.playoutDone === true || `a wait resolved in ${JSON.stringify(t.to.value)} before PLAYOUT_DONE`;
    },
  },
];

const schedulerInvariants: Invariant<any, SchedulerEvent | { type: 'INTERRUPT' }>[] = [
  ...commonInvariants(),
  {
    name: 'the queue is ordered by priority and never holds the current speech or a duplicate',
    check: ({ to }) => {
      const q: { id: string; priority: number }[] = to.context.queue;
      const bad: string[] = [];
      for (let i = 1; i < q.length; i++) if (q[i - 1]!.priority < q[i]!.priority) bad.push(`${q[i]!.id} (priority ${q[i]!.priority}) is behind ${q[i - 1]!.id} (${q[i - 1]!.priority})`);
      if (new Set(q.map((x) => x.id)).size !== q.length) bad.push('a speech is queued twice');
      if (to.context.current && q.some((x) => x.id === to.context.current)) bad.push('the current speech is still queued');
      return fail(bad);
    },
  },
  {
    name: 'an interrupt never pauses scheduling',
    check: (t) => t.event?.type !== 'INTERRUPT' || JSON.stringify(t.from?.value) === JSON.stringify(t.to.value) || `INTERRUPT moved the scheduler from ${JSON.stringify(t.from?.value)} to ${JSON.stringify(t.to.value)}`,
  },
  {
    name: 'no input is dropped: ENQUEUE always queues (or grants) the speech',
    check: (t) => {
      if (t.event?.type !== 'ENQUEUE' || isFinal(t.from)) return true;
      const id = t.event.id;
      return t.to.context.current === id || t.to.context.queue.some((q: { id: string }) => q.id === id) || `ENQUEUE ${id} in ${JSON.stringify(t.from.value)} was dropped`;
    },
  },
  {
    name: 'ENQUEUE_ALL queues every speech, in priority order, before the floor is granted',
    check: (t) => {
      if (t.event?.type !== 'ENQUEUE_ALL' || !t.from || isFinal(t.from)) return true;
      const got = [...(t.to.context.current !== t.from.context.current && t.to.context.current ? [t.to.context.current] : []), ...t.to.context.queue.map((q: { id: string }) => q.id)];
      const merged = [...t.from.context.queue, ...t.event.items].sort((a: { priority: number }, b: { priority: number }) => b.priority - a.priority).map((q: { id: string }) => q.id);
      return JSON.stringify(got) === JSON.stringify(merged) || `ENQUEUE_ALL ${JSON.stringify(t.event.items)} into ${JSON.stringify(t.from.context.queue)} gave ${JSON.stringify(got)}, want ${JSON.stringify(merged)}`;
    },
  },
  {
    name: 'the floor is granted whenever it is free',
    check: ({ to }) => !(to.matches('active') && to.context.current === null && to.context.queue.length > 0) || 'the floor is free while speeches are queued',
  },
  {
    name: 'a new speech queues behind every speech of its priority or higher, ahead of lower ones (FIFO within a priority)',
    check: (t) => {
      if (t.event?.type !== 'ENQUEUE' || !t.from || isFinal(t.from)) return true;
      const { id, priority } = t.event;
      if (t.from.context.queue.some((q: { id: string }) => q.id === id) || t.from.context.current === id) return true;
      const want = [...t.from.context.queue.filter((q: { priority: number }) => q.priority >= priority), { id, priority }, ...t.from.context.queue.filter((q: { priority: number }) => q.priority < priority)].map((q) => q.id);
      const got = [...(t.to.context.current !== t.from.context.current && t.to.context.current ? [t.to.context.current] : []), ...t.to.context.queue.map((q: { id: string }) => q.id)];
      return JSON.stringify(want) === JSON.stringify(got) || `ENQUEUE ${id} (priority ${priority}) into ${JSON.stringify(t.from.context.queue)} gave ${JSON.stringify(got)}, want ${JSON.stringify(want)}`;
    },
  },
  {
    name: 'the floor goes to the head of the queue (highest priority, longest waiting)',
    check: (t) => {
      if (!t.from) return true;
      const now = t.to.context.current;
      if (!now || now === t.from.context.current || t.event?.type === 'ENQUEUE' || t.event?.type === 'ENQUEUE_ALL') return true;
      const head = t.from.context.queue[0]?.id;
      return now === head || `the floor went to ${now}, not to the head ${head}`;
    },
  },
  {
    name: 'a granted floor is announced (grantFloor) to the speech that took it',
    check: (t) => {
      if (!t.from) return true;
      const prev = t.from.context.current;
      const now = t.to.context.current;
      if (!now || now === prev) return true;
      return t.actions.some((a) => a.type === 'grantFloor' && (a.params as { id?: string } | undefined)?.id === now) || `${now} took the floor without grantFloor`;
    },
  },
];

const agentInvariants: Invariant<any, AgentStateEvent>[] = [
  ...commonInvariants(),
  { name: 'CLOSE ends every state', check: (t) => t.event?.type !== 'CLOSE' || t.to.matches('closed') || `CLOSE in ${JSON.stringify(t.from?.value)} did not close` },
];

const activityInvariants: Invariant<any, AgentActivityEvent>[] = [
  ...commonInvariants(),
  { name: 'CLOSE ends every state at once', check: (t) => t.event?.type !== 'CLOSE' || !t.from || isFinal(t.from) || isFinal(t.to) || `CLOSE in ${JSON.stringify(t.from.value)} did not end the activity` },
  {
    name: 'every non-final state handles CLOSE (a task waiter never outlives the session)',
    check: ({ to }) => isFinal(to) || to.can({ type: 'CLOSE' }) || `${JSON.stringify(to.value)} does not handle CLOSE`,
  },
  {
    name: 'an activity ends only by its exit or by CLOSE, and says which',
    check: (t) => !t.from || isFinal(t.from) || !isFinal(t.to) || t.to.context.endedBy === (t.event?.type === 'CLOSE' ? 'close' : 'exit') || `ended by ${t.event?.type} but endedBy is ${t.to.context.endedBy}`,
  },
];

const SPEECH_VARIANTS: SpeechHandleEvent[] = [
  { type: 'AUTHORIZE' },
  { type: 'TOOL_STARTED', callId: 'c1' },
  { type: 'TOOL_SETTLED', callId: 'c1' },
  { type: 'TOOL_SETTLED', callId: 'c1', reply: false },
  { type: 'GENERATION_DONE' },
  { type: 'PLAYOUT_DONE' },
  { type: 'FAIL', error: 'boom' },
  { type: 'INTERRUPT', force: false, reason: 'interrupt' },
  { type: 'INTERRUPT', force: true, reason: 'interrupt' },
  { type: 'INTERRUPT', force: true, reason: 'close' },
];

const TOOL_VARIANTS: ToolRunEvent[] = [
  { type: 'WAIT_FOR_PLAYOUT' },
  { type: 'PLAYOUT_DONE' },
  { type: 'RESULT', output: 'ok' },
  { type: 'ERROR', output: 'failed' },
  { type: 'SPEECH_FAILED' },
  { type: 'INTERRUPT', force: false },
  { type: 'INTERRUPT', force: true, reason: 'interrupt' },
  { type: 'INTERRUPT', force: true, reason: 'close' },
];

const IDS = ['a', 'b', 'c'] as const;
const PRIORITIES = [0, 5, 10] as const;

/**
 * The per-machine models: every declared event (with payload variants) in every reachable state.
 * @example for (const m of machineModels()) for (const { input } of m.inputs) exploreModel({ logic: m.machine, input, events: m.events, invariants: m.invariants });
 */
export function machineModels(): MachineModel[] {
  const speechEvents = withDeclared(speechHandleMachine, SPEECH_VARIANTS);
  const toolEvents = withDeclared(toolRunMachine, TOOL_VARIANTS);
  const agentEvents = withDeclared(agentStateMachine, []);
  const bargeInEvents = withDeclared(bargeInMachine, BARGE_IN_MODEL_EVENTS);
  const userTurnEvents = withDeclared(userTurnMachine, USER_TURN_MODEL_EVENTS);
  return [
    {
      name: 'speechHandle',
      machine: speechHandleMachine,
      inputs: [
        { label: 'interruptible', input: { id: 's1', maxToolSteps: MODEL_BOUNDS.maxToolSteps } satisfies SpeechHandleInput },
        { label: 'uninterruptible', input: { id: 's1', maxToolSteps: MODEL_BOUNDS.maxToolSteps, allowInterruptions: false } satisfies SpeechHandleInput },
      ],
      // At most two tools pending: more only repeats the same states.
      events: (s) => speechEvents.filter((e) => e.type !== 'TOOL_STARTED' || s.context.pendingTools < MODEL_BOUNDS.toolsPerSpeech),
      invariants: speechInvariants,
      progress: [{ name: 'every speech can end', goal: (s) => isFinal(s) }],
    },
    {
      name: 'toolRun',
      machine: toolRunMachine,
      inputs: [{ label: 'default', input: { callId: 'c1', name: 'probe', speechId: 's1', step: 1 } satisfies ToolRunInput }],
      events: () => toolEvents,
      invariants: toolInvariants,
      progress: [{ name: 'every tool run can end', goal: (s) => isFinal(s) }],
    },
    {
      name: 'scheduler',
      machine: schedulerMachine,
      inputs: [{ label: 'default', input: undefined }],
      events: (s) => {
        const present = (id: string) => s.context.current === id || s.context.queue.some((q: { id: string }) => q.id === id);
        const out: (EventObject & Record<string, unknown>)[] = [];
        for (const id of IDS) {
          if (!present(id)) for (const priority of PRIORITIES) out.push({ type: 'ENQUEUE', id, priority });
          out.push({ type: 'RELEASE', id }, { type: 'REMOVE', id });
        }
        // Turns held for an agent transition return together, the lower priority first.
        const absent = IDS.filter((id) => !present(id));
        if (absent.length >= 2) out.push({ type: 'ENQUEUE_ALL', items: [{ id: absent[0]!, priority: 0 }, { id: absent[1]!, priority: 10 }] });
        // INTERRUPT is not a scheduler event: it must be ignored (an interrupt never pauses scheduling).
        out.push(...withDeclared(schedulerMachine, [{ type: 'PAUSE' }, { type: 'RESUME' }, { type: 'DRAIN' }, { type: 'CLOSE' }, { type: 'INTERRUPT' }]).filter((e) => !['ENQUEUE', 'ENQUEUE_ALL', 'RELEASE', 'REMOVE'].includes(e.type)));
        return out;
      },
      invariants: schedulerInvariants,
    },
    {
      name: 'agentState',
      machine: agentStateMachine,
      inputs: [{ label: 'default', input: undefined }],
      events: () => agentEvents,
      invariants: agentInvariants,
    },
    {
      name: 'agentActivity',
      machine: agentActivityMachine,
      inputs: [{ label: 'default', input: { key: 'agent_1', agentId: 'a' } satisfies AgentActivityInput }],
      events: () => withDeclared(agentActivityMachine, []),
      invariants: activityInvariants,
      progress: [{ name: 'every activity can end', goal: (s) => isFinal(s) }],
    },
    {
      // Its owner's model (src/voice/barge-in-invariants.ts): events, policy variants, identity, invariants.
      name: 'bargeIn',
      machine: bargeInMachine,
      inputs: BARGE_IN_MODEL_INPUTS.map((input) => ({ label: JSON.stringify(input) === '{}' ? 'defaults' : JSON.stringify(input), input })),
      events: () => bargeInEvents,
      serialize: serializeBargeIn,
      invariants: [...commonInvariants(), ...(bargeInInvariants as Invariant<any, any>[])],
      progress: bargeInProgress as Progress<any, any>[],
    },
    {
      // Its owner's model (src/voice/user-turn-invariants.ts). Its timers are the runtime's (requested
      // by name, back as events), so their events are explored in every state like any other.
      name: 'userTurn',
      machine: userTurnMachine,
      inputs: USER_TURN_MODEL_INPUTS.map((input) => ({ label: JSON.stringify(input), input })),
      events: () => userTurnEvents,
      serialize: serializeUserTurn,
      invariants: [...commonInvariants(), ...userTurnInvariants],
      progress: userTurnProgress,
    },
  ];
}
