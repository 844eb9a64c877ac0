import { fromTransition, type SnapshotFrom } from 'xstate';
import type { SessionState } from '../core/session-state.js';
import { blockedOn, blockedOnTask, currentSpeech, MODEL_BOUNDS, type ComposedState, type ModelBounds, type ModelEvent } from './composed-state.js';
import { isFinal } from './check-helpers.js';
import { initialComposedState, stepComposed } from './model-world.js';
import { voiceEvents, voiceIdentity } from './user-turn-world.js';

export * from './composed-state.js';
export { coverage, machineKey, resetCoverage } from './machine-steppers.js';
export { stepComposed } from './model-world.js';

/**
 * The composed system model: the session's own routing ({@link SessionRouter}, the code the
 * runtime runs) over the real machines of `machines/`, stepped purely (snapshots, no actors), within
 * {@link ModelBounds}. The routing itself is stepped in `model-world.ts`. Only the world around the router is modelled here:
 * the pipeline (LLM chunks, the end of a step, the audio output's reports, failures), the tools
 * (they await their preamble, return, fail, and may `say`/`generateReply` and await that speech, or
 * call `session.interrupt()`), and the callers awaiting each speech. A change to the routing is a
 * change to what this model explores.
 */

/**
 * The composed model as XState actor logic (`fromTransition`), with the events it offers in each
 * state and its state identity. Explore it with `exploreModel`, or run it with `createActor` as an
 * executable specification.
 * @example
 * const { logic, events, serialize } = createComposedModel({ speeches: 2 });
 * const report = exploreModel({ logic, events, serialize });
 */
export function createComposedModel(bounds: Partial<ModelBounds> = {}) {
  const b: Readonly<ModelBounds> = Object.freeze({ ...MODEL_BOUNDS, ...bounds });
  const logic = fromTransition((state: ComposedState, event: ModelEvent) => stepComposed(state, event), () => initialComposedState(b));
  return { logic, events: composedEvents, serialize: serializeComposed, serializeWithHistory: serializeComposedWithHistory, bounds: b };
}

/** The composed model at {@link MODEL_BOUNDS}. */
export const composedModel = createComposedModel().logic;

export type ComposedSnapshot = SnapshotFrom<typeof composedModel>;

/**
 * The events offered in a state: every API call (within the model's bounds), the pipeline events
 * of the speech holding the floor, and what each running tool may do next.
 * @example composedEvents(snapshot).map((e) => e.type) // ['START', 'REPLY', 'SAY', 'INTERRUPT', ...]
 */
export function composedEvents(snapshot: ComposedSnapshot): ModelEvent[] {
  const s = snapshot.context;
  const b = s.bounds;
  const out: ModelEvent[] = [{ type: 'START' }];
  const room = s.speeches.length < b.speeches;
  // Input before start() is queued while scheduling is paused; one such speech shows it is kept.
  if (b.apiSpeech !== false && s.speeches.length < (s.session.started || s.session.closed ? b.speeches : Math.min(b.speeches, b.speechesBeforeStart))) out.push({ type: 'REPLY' }, { type: 'SAY' });
  out.push({ type: 'INTERRUPT', force: false }, { type: 'INTERRUPT', force: true }, { type: 'CLOSE' });
  const agents = b.agentTransitions > 0 && !s.session.closed;
  const moreTransitions = agents && s.transitionsAsked < b.agentTransitions;
  if (moreTransitions) out.push({ type: 'UPDATE_AGENT' });
  if (agents) {
    s.activities.forEach((a, i) => {
      // An onExit that said goodbye settles once that speech did (it awaits its playout).
      const goodbye = a.goodbye ? s.speeches.find((sp) => sp.id === a.goodbye) : undefined;
      if (a.exitPending && goodbye?.waiter !== 'pending') out.push({ type: 'EXIT_DONE', agent: i });
    });
    const key = s.session.activeAgent;
    const task = s.activities.find((a) => a.key === key && a.agentId === 't' && !a.completed && a.snap.status !== 'done');
    if (task) out.push({ type: 'TASK_COMPLETE' });
  }
  s.speeches.forEach((sp, i) => {
    if (isFinal(sp.snap)) return;
    out.push({ type: 'INTERRUPT_SPEECH', speech: i, force: false });
    if (!sp.allowInterruptions) out.push({ type: 'INTERRUPT_SPEECH', speech: i, force: true });
    sp.tools.forEach((t, j) => {
      // Tools past maxToolSteps never ran (they failed at once); a tool awaiting its own status speech is blocked.
      if (isFinal(t.snap) || t.step > b.maxToolSteps || blockedOn(t, s) || blockedOnTask(t)) return;
      const at = { speech: i, tool: j };
      // Your tools do what they declare; the probe may do anything the bounds allow.
      const spec = b.tools?.find((x) => x.name === t.name)?.behavior;
      const may = (k: keyof NonNullable<typeof spec>) => (spec ? spec[k] === true : true);
      // A tool that ran a task returns once it settled; it does not start another.
      if (moreTransitions && t.task === 'none') {
        if (may('handsOff')) out.push({ type: 'TOOL_HANDOFF', ...at });
        if (may('runsTask')) out.push({ type: 'TOOL_RUN_TASK', ...at });
      }
      // A second wait once the first one settled.
      if (t.waiter !== 'pending' && may('awaitsPlayout')) out.push({ type: 'TOOL_WAIT', ...at });
      out.push({ type: 'TOOL_RESULT', ...at });
      if (may('throws')) out.push({ type: 'TOOL_ERROR', ...at });
      if (spec?.awaitsOwnSpeech && !t.awaits) out.push({ type: 'TOOL_AWAIT_SPEECH', ...at });
      if (!b.toolsSpeak) return;
      if (room && !s.session.closed) {
        if (may('says')) out.push({ type: 'TOOL_SAY', ...at });
        if (may('replies')) out.push({ type: 'TOOL_REPLY', ...at });
      }
      if (may('interrupts')) out.push({ type: 'TOOL_INTERRUPT', ...at });
    });
  });
  out.push(...voiceEvents(s));
  // Hooks that speak (with one agent too: its onEnter greets).
  if (b.hooksSpeak && room && !s.session.closed)
    s.activities.forEach((a, i) => {
      if (!a.greeted) out.push({ type: 'ENTER_REPLY', agent: i });
      if (a.exitPending && !a.goodbye) out.push({ type: 'EXIT_SAY', agent: i });
    });
  const cur = currentSpeech(s);
  const p = cur?.pipeline;
  const st = cur ? s.session.speeches.get(cur.id)?.step : undefined;
  if (!cur || !p || !st || st.index !== p.index || isFinal(cur.snap)) return out;
  if (cur.snap.can({ type: 'PAUSE' })) out.push({ type: 'PAUSE' });
  if (cur.snap.matches({ active: 'paused' } as never)) out.push({ type: 'RESUME' });
  if (!p.llmDone && cur.snap.matches('active')) {
    if (p.chunks < b.textChunksPerStep) out.push({ type: 'TEXT_CHUNK' });
    if (cur.kind === 'reply' && cur.tools.length < b.toolsPerSpeech) {
      if (b.tools) for (const t of b.tools) out.push({ type: 'TOOL_CALL', name: t.name });
      else out.push({ type: 'TOOL_CALL' });
    }
    out.push({ type: 'STEP_DONE' }, { type: 'LLM_ERROR' }, { type: 'TTS_ERROR' });
  }
  if (p.playoutRequested && !st.playoutDone && !s.audioPaused) out.push({ type: 'PLAYOUT_DONE' });
  return out;
}

/**
 * The state's identity for the exploration: machine snapshots and the data that decides behaviour.
 * A finished speech is reduced to its outcome and waiter (its tools are final too).
 */
export function serializeComposed(snapshot: ComposedSnapshot): string {
  // e.g. exploreModel({ logic: composedModel, events: composedEvents, serialize: serializeComposed })
  return identity(snapshot, false);
}

/**
 * {@link serializeComposed}, plus whether each finished speech left an interrupted message:
 * for generated runtime tests, so the shortest paths also cover what history records of a cut speech.
 */
export function serializeComposedWithHistory(snapshot: ComposedSnapshot): string {
  return identity(snapshot, true);
}

function identity(snapshot: ComposedSnapshot, history: boolean): string {
  const s = snapshot.context;
  const ses = s.session;
  let out = `${+ses.started}${+ses.closed}${+s.audioPaused}${ses.audioHeldBy ?? '-'}:${s.schedulerKey}:${s.agentKey}:${s.shownAgentState}`;
  for (const sp of s.speeches) {
    if (sp.released && isFinal(sp.snap)) {
      out += `#${sp.kind}${+sp.allowInterruptions}${sp.createdBy ?? ''}:${String(sp.snap.value)}:${sp.waiter}`;
      if (history) out += `:${+s.history.some((l) => l.startsWith(`assistant:${sp.id.replace('speech_', 's')}.`) && l.endsWith('[interrupted]'))}`;
      continue;
    }
    const p = sp.pipeline;
    const r = ses.speeches.get(sp.id);
    const st = r?.step;
    out += `#${sp.kind}${+sp.allowInterruptions}${+sp.released}${sp.createdBy ?? ''}:${sp.key}:${sp.waiter}:`;
    out += p ? `${p.index}${p.chunks}${+p.heard}${+p.llmDone}${+p.playoutRequested}` : '-';
    out += st ? `/${st.index}${+st.segmentOpen}${+st.speaking}${+st.playoutDone}${+st.messageCommitted}${+st.toolsCommitted}[${st.tools.join(',')}]` : '/-';
    if (r) out += `${r.cut[0]}${+r.userCommitted}${r.finishing ?? ''}${r.commitsAfterMessage.length}`;
    for (const t of sp.tools) out += `;${s.bounds.tools ? `${t.name}:` : ''}${t.key}/${t.waiter}/${historyOutput(ses, t.callId)}/${t.awaits ?? ''}/${t.task[0]}${t.awaitsTask ?? ''}${t.handoffTo ?? ''}`;
    if (r) out += `@${r.origin ?? ''}>${r.agent ?? ''}${r.held ? 'H' : ''}`;
  }
  if (s.bounds.agentTransitions > 0 || s.bounds.hooksSpeak) {
    out += `|${s.transitionsAsked}:${ses.activeAgent ?? '-'}`;
    for (const a of s.activities) out += `;${a.key}${a.agentId}:${a.skey}${+a.exitPending}${+a.completed}${+a.greeted}${a.goodbye ?? ''}`;
    for (const t of ses.transitions) out += `;T${t.kind}${'to' in t ? t.to : t.task}${t.leaving ?? ''}${+t.begun}${+t.switched}`;
    for (const [k, a] of ses.agents) out += `;${k}${a.parent ?? ''}${+a.entered}`;
    out += `;H${ses.held.join(',')}`;
  }
  return out + voiceIdentity(s.voice);
}

function historyOutput(ses: SessionState, callId: string): string {
  const o = ses.tools.get(callId)?.output;
  return o ? `${+o.isError}${o.output.length}` : '-';
}

/**
 * A one-line summary of a state, for violation reports.
 * @example formatReport(report, { describeState: describeComposed })
 */
export function describeComposed(snapshot: ComposedSnapshot): string {
  const s = snapshot.context;
  const sp = s.speeches.map((x) => {
    const v = typeof x.snap.value === 'string' ? x.snap.value : JSON.stringify(x.snap.value);
    const tools = x.tools.map((t) => `${t.callId}=${JSON.stringify(t.snap.value)}${t.waiter === 'pending' ? '(waiting for preamble)' : ''}${blockedOn(t, s) ? `(awaiting ${t.awaits})` : ''}`);
    return `${x.id}[${x.kind}${x.allowInterruptions ? '' : ',uninterruptible'}${x.createdBy ? `,by ${x.createdBy}` : ''}]=${v}${x.waiter === 'pending' ? '(waited on)' : ''}${tools.length ? ` tools{${tools.join(' ')}}` : ''}`;
  });
  const agents = s.activities.map((a) => `${a.key}(${a.agentId})=${String(a.snap.value)}${a.exitPending ? `(onExit running${a.goodbye ? `, awaiting ${a.goodbye}` : ''})` : ''}`).join(' ');
  const tr = s.session.transitions.map((t) => `${t.kind}→${'to' in t ? t.to : t.task}`).join(',');
  const v = s.voice;
  const voice = v
    ? ` user{turn=${JSON.stringify(v.snap.value)}${v.snap.context.text ? ` text="${v.snap.context.text}"` : ''}${v.prepared ? ` prepared="${v.prepared.userInput}"${v.prepared.speechId ? `→${v.prepared.speechId}` : ''}` : ''} timers=[${Object.entries(v.timers).map(([t, at]) => `${t}@+${at - v.now}ms`).join(',')}]}`
    : '';
  return `${agents ? `agents{${agents}} active=${s.session.activeAgent ?? '-'}${tr ? ` transitions=[${tr}]` : ''}${s.session.held.length ? ` held=[${s.session.held.join(',')}]` : ''} ` : ''}scheduler=${JSON.stringify(s.scheduler.value)} current=${s.scheduler.context.current ?? '-'} queue=[${s.scheduler.context.queue.map((q) => q.id).join(',')}] agent=${String(s.agent.value)}${s.audioPaused ? ' audio=paused' : ''}${s.session.closed ? ' closed' : ''}${voice}; ${sp.join('; ')}`;
}
