import type { InspectionEvent } from 'xstate';
import { AgentSession, type InspectObserver } from '../agent-session.js';
import { frameDuration, type AudioFrame } from '../ports/audio-frame.js';
import type { AudioOutput, PlayoutResult } from '../ports/audio-output.js';
import type { ChatItem } from '../ports/chat-item.js';
import type { Clock } from '../ports/clock.js';
import { formatLine, toneOf, type PlayProgress, type ViewLine } from '../cli/console-view.js';
import { InterruptionRefusedError, describe } from '../errors.js';
import { createTraceRecorder, type TraceRecord } from '../inspect/trace-recorder.js';
import type { TraceTextOptions } from '../inspect/trace-text.js';
import { conversationOf } from '../runtime/conversation-observer.js';
import type { SpeechHandle } from '../speech-handle.js';
import { stateKind, type StateSpan, type TimelineFigure, type TimelineInput, type TimelineLane, type TimelineMark } from '../cli/timeline-svg.js';
import type { TTS } from '../ports/tts.js';
import type { BargeInActivity } from '../voice/barge-in.js';
import type { EndOfTurnModel } from '../voice/end-of-turn.js';
import type { UserTurnActivity } from '../voice/user-turn.js';
import { withPause } from '../voice/pausable-output.js';
import { attachScenarioVoice, type PreparedUserAudio, type ScenarioVoiceRun } from '../voice/scenario-voice.js';
import type { UserSpeechEvent } from '../voice/user-audio-input.js';
import { scenarioAgentFactory } from './scenario-agents.js';
import { UserTurnFigureCollector, type UserTurnFigures } from './user-turn-figures.js';
import { ScenarioLLM } from './scenario-llm.js';
import type { Scenario, ScenarioInput } from './scenario-schema.js';
import { buildScenarioTools, type ScenarioToolEvent, type ScenarioToolRecord } from './scenario-tools.js';

export interface RunScenarioOptions {
  tts: TTS;
  audioOutput: AudioOutput;
  /** Every figure is measured on it: `realClock` in real runs, a `VirtualClock` in tests. */
  clock: Clock;
  /** Also receives the inspection events of every actor of the session (and the conversation, if it takes it). */
  inspect?: InspectObserver;
  /** What the result's `trace` keeps of the conversation (default: all of it, unredacted). */
  trace?: TraceTextOptions;
  /** Each live-view line, formatted. */
  onLine?: (line: string) => void;
  /** Each live-view line, as data (for a view of your own). */
  onView?: (line: ViewLine) => void;
  /** Where the playing segment is, every `progressEveryMs` while audio plays. */
  onProgress?: (p: PlayProgress) => void;
  /** Called when a segment ends (a view removes its progress bar). */
  onSegmentEnd?: () => void;
  progressEveryMs?: number;
  /** Keep running after the scenario's inputs are served, until `stop()` (a room agent serving live input). */
  live?: boolean;
  /** Text for live user input no reply of the scenario matches. */
  fallbackReply?: (userInput: string) => string;
  /**
   * The scenario's `userAudio` as a microphone track (`prepareUserAudio()`): played into the run
   * from its start through the real VAD and the barge-in policy. Without it, `userAudio` is skipped.
   */
  userAudio?: PreparedUserAudio;
  /** The end-of-turn model of 'eot' turn detection. Default: the real local model. Tests wrap it to keep virtual time from running ahead of it. */
  endOfTurn?: EndOfTurnModel;
}

/** Live input (e.g. from a room data message), served like a scenario input at the moment it arrives. */
export type LiveInput = Omit<ScenarioInput, 'atMs'>;

/** One input as it was served. */
export interface InputRecord {
  index: number;
  atMs: number;
  input: LiveInput;
  live: boolean;
  /** The speech this input created. */
  speechId?: string;
  /** Speeches its interrupt stopped. */
  interrupted: string[];
  /** The interrupt was refused (an uninterruptible speech, no force). */
  refused?: boolean;
  /** When the promise of `session.interrupt()` resolved: the audio had stopped. */
  interruptSettledAt?: number;
  /** The user's voice made this interrupt (the barge-in policy), not an API input. */
  voice?: boolean;
}

/** The measured recovery after one interrupt, in ms from the interrupt. */
export interface InterruptFigures {
  input: number;
  atMs: number;
  force: boolean;
  refused: boolean;
  interrupted: string[];
  /** A tool waiting for playout had its wait settled (rejected). */
  toolWaitSettledMs?: number;
  toolName?: string;
  /** The cut segment ended: the sink reported the cut. */
  audioCutMs?: number;
  /** Seconds of the cut segment the listener heard, and how much it held. */
  heardSec?: number;
  capturedSec?: number;
  /** `session.interrupt()` resolved. */
  interruptResolvedMs?: number;
  /** The first frame of the next speech went to the output. */
  nextReplyAudibleMs?: number;
  nextSpeechId?: string;
}

/** One segment of audio as the output reported it (ms from the start of the run). */
export interface AudioSegmentRecord {
  speechId: string;
  startMs: number;
  /** Ms the segment was held (paused by a barge-in) so far. */
  heldMs?: number;
  /** When the current hold began, while held. */
  heldSince?: number;
  endMs?: number;
  capturedSec: number;
  playedSec?: number;
  interrupted?: boolean;
}

export interface SpeechRecord {
  id: string;
  source: 'say' | 'generate_reply';
  createdAt: number;
  input?: number;
  outcome?: 'done' | 'interrupted' | 'failed';
  doneAt?: number;
}

export interface ScenarioResult {
  scenario: string;
  /** `timedOut`: something was still busy after `maxDurationMs` (a hang); `stopped`: `stop()` was called. */
  status: 'completed' | 'timedOut' | 'stopped';
  durationMs: number;
  figures: InterruptFigures[];
  history: ChatItem[];
  inputs: InputRecord[];
  speeches: SpeechRecord[];
  tools: ScenarioToolRecord[];
  segments: AudioSegmentRecord[];
  errors: { atMs: number; source: string; message: string }[];
  discarded: { atMs: number; speechId: string; callId: string; name: string; outcome: 'result' | 'error' }[];
  /** What was still busy when the run timed out. */
  stuck: string[];
  /** Lanes, spans, marks and figures for {@link renderTimelineSvg}. */
  timeline: TimelineInput;
  /** The inspection trace of every actor (write it as JSON lines). */
  trace: readonly TraceRecord[];
  /** What the barge-in policy did to the agent, and each user turn committed (with `userAudio`). */
  bargeIn: BargeInActivity[];
  /** The user turn's end-of-turn predictions and user state changes (with `userAudio`). */
  userTurn: UserTurnActivity[];
  /** Speech boundaries the VAD reported on the user's audio. */
  userSpeech: UserSpeechEvent[];
  /** Each committed user turn's figures: endpointing delay, end-of-turn model answers, transcription and end-to-end delays. */
  turns: UserTurnFigures[];
  /** Every `agent_handoff` event (the first agent's entry included, without `oldAgentId`). */
  handoffs: HandoffRecord[];
}

/** An `agent_handoff` event of the run. */
export interface HandoffRecord {
  atMs: number;
  oldAgentId?: string;
  newAgentId: string;
}

/** A run in progress. */
export interface ScenarioRun {
  readonly session: AgentSession;
  /** Serves live input now (an interrupt first, if it asks for one). */
  inject(input: LiveInput): void;
  /** Ends the run now (the session is closed; the result says `stopped`). */
  stop(): void;
  readonly result: Promise<ScenarioResult>;
  /**
   * Resolves once the VAD has been through the whole user audio track (at once without one). On a
   * virtual clock, await it before driving time: the model runs on real threads.
   */
  readonly voiceReady: Promise<void>;
}

/**
 * Runs a scenario to its end on the given TTS, audio output and clock, and measures it.
 * @example
 * const clock = new VirtualClock();
 * const result = await clock.runUntil(runScenario(scenario, { tts: new FakeTTS(), audioOutput: new VirtualAudioOutput(clock), clock }));
 * console.log(result.figures[0]?.toolWaitSettledMs);
 */
export function runScenario(scenario: Scenario, o: RunScenarioOptions): Promise<ScenarioResult> {
  return startScenario(scenario, o).result;
}

/**
 * Starts a scenario and returns a handle to feed it live input or stop it.
 * @example
 * const run = startScenario(scenario, { tts, audioOutput, clock: realClock, live: true });
 * room.onUserInput = (i) => run.inject({ userInput: i.text, interrupt: true, force: false });
 * process.on('SIGINT', () => run.stop());
 * const result = await run.result;
 */
export function startScenario(scenario: Scenario, o: RunScenarioOptions): ScenarioRun {
  const base = o.clock;
  const t0 = base.now();
  // Every time below is ms from the start of the run.
  const clock: Clock = { now: () => base.now() - t0, setTimeout: (fn, ms) => base.setTimeout(fn, ms), clearTimeout: (h) => base.clearTimeout(h) };
  const now = () => clock.now();

  let finished = false;
  const view = (l: Omit<ViewLine, 't'> & { t?: number }) => {
    if (finished) return;
    const line: ViewLine = { t: l.t ?? now(), who: l.who, what: l.what, ...(l.tone ? { tone: l.tone } : {}) };
    safe(() => o.onView?.(line));
    safe(() => o.onLine?.(formatLine(line)));
  };

  // ── the timeline, from the inspection stream ──
  const lanes: TimelineLane[] = [];
  const laneOf = new Map<string, TimelineLane>();
  const spans: StateSpan[] = [];
  const open = new Map<string, StateSpan>();
  const addLane = (lane: TimelineLane) => {
    if (laneOf.has(lane.id)) return;
    laneOf.set(lane.id, lane);
    lanes.push(lane);
  };
  addLane({ id: 'agent', label: 'agent state', kind: 'agent' });
  addLane({ id: 'scheduler', label: 'scheduler (floor)', kind: 'scheduler' });
  addLane({ id: 'audio', label: 'audio output', kind: 'audio' });
  const enter = (laneId: string, state: string, final: boolean, kind = stateKind(laneOf.get(laneId)!.kind, state)) => {
    const prev = open.get(laneId);
    if (prev && prev.state === state) return false;
    const t = now();
    if (prev) prev.endMs = t;
    const span: StateSpan = { lane: laneId, state, kind, startMs: t, endMs: t, ...(final ? { final } : {}) };
    spans.push(span);
    open.set(laneId, span);
    return true;
  };

  const observe = (ev: InspectionEvent) => {
    if (ev.type !== '@xstate.snapshot' || finished) return;
    const id = (ev.actorRef as unknown as { id: string }).id;
    const snap = ev.snapshot as unknown as { status: string; value: unknown; context?: Record<string, unknown> };
    let laneId: string;
    let label: string;
    let state = flatten(snap.value);
    if (id === 'agentState') {
      laneId = 'agent';
      label = 'agent';
    } else if (id === 'scheduler') {
      laneId = 'scheduler';
      label = 'scheduler';
      const current = snap.context?.current;
      const queued = Array.isArray(snap.context?.queue) ? (snap.context.queue as unknown[]).length : 0;
      if (typeof current === 'string') state = `${state} · ${current}`;
      if (queued) state = `${state} (+${queued} queued)`;
    } else if (id.startsWith('speech_')) {
      laneId = id;
      label = id;
      const sp = speeches.find((s) => s.id === id);
      addLane({ id, label: sp ? `${id} ${sp.source === 'say' ? 'say' : 'reply'}` : id, kind: 'speech' });
    } else if (id.startsWith('tool_')) {
      laneId = id;
      const name = typeof snap.context?.name === 'string' ? snap.context.name : 'tool';
      label = id;
      addLane({ id, label: `${name} (${id.slice(5)})`, kind: 'tool' });
    } else if (typeof snap.context?.agentId === 'string' && typeof snap.context?.key === 'string') {
      // An agent's activity (`agent_2:booking`): one lane per entry of an agent; the default agent alone needs none.
      if (!scenario.agents) return;
      laneId = id;
      label = `agent ${snap.context.agentId}`;
      addLane({ id, label: `agent ${snap.context.agentId} (${snap.context.key})`, kind: 'activity' });
    } else if (id === 'userTurn') {
      // The turn region only: presence (speaking, listening, away) is the VAD lane's story.
      laneId = 'userTurn';
      label = 'user turn';
      const v = snap.value as { active?: { turn?: unknown } } | string;
      state = typeof v === 'object' && v.active?.turn !== undefined ? flatten(v.active.turn) : flatten(v);
      addLane({ id: 'userTurn', label: 'user turn (endpointing)', kind: 'userTurn' });
    } else if (id === 'bargeIn') {
      laneId = 'bargeIn';
      label = 'barge-in';
      addLane({ id: 'bargeIn', label: 'barge-in policy', kind: 'bargeIn' });
    } else return;
    const final = snap.status === 'done';
    if (!enter(laneId, state, final)) return;
    view({ who: label, what: state, tone: toneOf(open.get(laneId)!.kind) });
  };

  const recorder = createTraceRecorder({ now, title: scenario.name, ...(o.trace ?? {}) });
  const userInspect = o.inspect;
  const userConversation = conversationOf(userInspect);
  const inspect = {
    next: (ev: InspectionEvent) => {
      safe(() => observe(ev));
      recorder.inspect.next(ev);
      if (typeof userInspect === 'function') safe(() => userInspect(ev));
      else safe(() => userInspect?.next?.(ev));
    },
    conversation: (item: ChatItem) => {
      recorder.inspect.conversation(item);
      if (userConversation) safe(() => userConversation(item));
    },
  };

  // ── the parts ──
  const runOver = new AbortController();
  const llm = new ScenarioLLM({ replies: scenario.replies, clock, ...(o.fallbackReply ? { fallback: o.fallbackReply } : {}) });
  const makeAgent = scenario.agents ? scenarioAgentFactory(scenario.agents, { llm, tools: () => toolSet }) : undefined;
  const toolSet = buildScenarioTools(scenario.tools, { clock, onEvent: (ev) => onToolEvent(ev), stop: runOver.signal, ...(makeAgent ? { makeAgent } : {}) });
  const segments: AudioSegmentRecord[] = [];
  const speeches: SpeechRecord[] = [];
  const inputs: InputRecord[] = [];
  const errors: ScenarioResult['errors'] = [];
  const discarded: ScenarioResult['discarded'] = [];
  const handoffs: HandoffRecord[] = [];
  const timers = new Set<unknown>();
  const later = (fn: () => void, ms: number) => {
    const h = clock.setTimeout(() => {
      timers.delete(h);
      fn();
    }, ms);
    timers.add(h);
    return h;
  };
  const cancel = (h: unknown) => {
    if (h === undefined) return;
    timers.delete(h);
    clock.clearTimeout(h);
  };

  let session!: AgentSession;
  const prepared = (scenario.userAudio ?? []).length > 0 ? o.userAudio : undefined;
  // A barge-in holds the agent's audio: give the output a pause if it has none (e.g. a recorder).
  const audio = new ObservedAudioOutput(prepared ? withPause(o.audioOutput) : o.audioOutput, {
    now,
    speechId: () => session.currentSpeech?.id ?? '?',
    onStart: (seg) => {
      enter('audio', seg.speechId, false, 'playing');
      view({ who: 'audio', what: `▶ ${seg.speechId} first frame`, tone: 'good' });
      if (o.onProgress) tickProgress(seg);
    },
    onHold: (seg, held) => {
      enter('audio', held ? `${seg.speechId} held` : seg.speechId, false, held ? 'paused' : 'playing');
      view(held ? { who: 'audio', what: `❚❚ ${seg.speechId} held`, tone: 'warn' } : { who: 'audio', what: `▶ ${seg.speechId} plays on`, tone: 'good' });
    },
    onEnd: (seg) => {
      enter('audio', 'silent', false, 'idle');
      safe(() => o.onSegmentEnd?.());
      const heard = `${seg.playedSec!.toFixed(2)} s`;
      view(
        seg.interrupted
          ? { who: 'audio', what: `■ ${seg.speechId} cut: ${heard} heard of ${seg.capturedSec.toFixed(2)} s`, tone: 'bad' }
          : { who: 'audio', what: `■ ${seg.speechId} played out: ${heard}` },
      );
    },
  });
  audio.segments = segments;
  const tickProgress = (seg: AudioSegmentRecord) => {
    later(() => {
      if (seg.endMs !== undefined || finished) return;
      // Time held by a barge-in was not played.
      const held = (seg.heldMs ?? 0) + (seg.heldSince !== undefined ? now() - seg.heldSince : 0);
      const played = Math.min(seg.capturedSec, (now() - seg.startMs - held) / 1000);
      safe(() => o.onProgress?.({ t: now(), speechId: seg.speechId, playedSec: played, capturedSec: seg.capturedSec }));
      tickProgress(seg);
    }, o.progressEveryMs ?? 100);
  };

  session = new AgentSession({
    llm,
    tts: o.tts,
    audioOutput: audio,
    // With agents, the first one brings its tools and instructions; without, the default agent has them all.
    ...(makeAgent && scenario.startAgent !== undefined ? { agent: makeAgent(scenario.startAgent) } : { tools: toolSet.tools }),
    inspect,
    clock,
    ...(scenario.session.allowInterruptions !== undefined ? { allowInterruptions: scenario.session.allowInterruptions } : {}),
    ...(scenario.session.maxToolSteps !== undefined ? { maxToolSteps: scenario.session.maxToolSteps } : {}),
    ...(scenario.session.instructions !== undefined ? { instructions: scenario.session.instructions } : {}),
  });

  let servingInput: number | undefined;
  session.on('speech_created', ({ speechHandle, source }) => {
    const rec: SpeechRecord = { id: speechHandle.id, source, createdAt: now(), ...(servingInput !== undefined ? { input: servingInput } : {}) };
    speeches.push(rec);
    const lane = laneOf.get(speechHandle.id);
    if (lane) lane.label = `${speechHandle.id} ${source === 'say' ? 'say' : 'reply'}`;
    speechHandle.addDoneCallback((h: SpeechHandle) => {
      rec.outcome = h.outcome;
      rec.doneAt = now();
    });
  });
  session.on('conversation_item_added', ({ item }) => view({ who: 'history', what: describeItem(item), tone: 'dim' }));
  session.on('agent_handoff', ({ oldAgentId, newAgentId }) => {
    handoffs.push({ atMs: now(), ...(oldAgentId !== undefined ? { oldAgentId } : {}), newAgentId });
    if (!scenario.agents) return; // the default agent alone: no news
    view({ who: 'agents', what: oldAgentId === undefined ? `${newAgentId} enters (the first agent)` : `handoff ${oldAgentId} → ${newAgentId}`, tone: 'good' });
  });
  session.on('tool_result_discarded', (e) => {
    discarded.push({ atMs: now(), speechId: e.speechId, callId: e.callId, name: e.name, outcome: e.outcome });
    view({ who: `tool_${e.callId}`, what: `${e.name} ${e.outcome === 'result' ? 'returned' : 'threw'} after its run was aborted: ignored, the abort's error output stands`, tone: 'dim' });
  });
  session.on('error', ({ error, source }) => {
    errors.push({ atMs: now(), source, message: error.message });
    view({ who: 'error', what: `${source}: ${error.message}`, tone: 'bad' });
  });

  function onToolEvent(ev: ScenarioToolEvent): void {
    const r = ev.record;
    const who = `tool_${r.callId}`;
    if (ev.type === 'waitStarted') view({ who, what: `${r.name}: await ctx.waitForPlayout()` });
    else if (ev.type === 'waitSettled')
      view(r.waitOutcome === 'resolved' ? { who, what: `${r.name}: waitForPlayout() resolved (preamble heard)` } : { who, what: `${r.name}: waitForPlayout() rejected ${r.waitError}`, tone: 'bad' });
    else if (ev.type === 'ended')
      view({ who, what: `${r.name}: body ${r.outcome} after ${(r.endedAt! - r.startedAt).toFixed(1)} ms${r.handoffTo ? `: handoff({ agent: ${r.handoffTo} }), applied once its step played whole` : ''}${r.completedWith !== undefined ? `: task completed with ${JSON.stringify(r.completedWith)}` : ''}`, tone: r.outcome === 'returned' ? undefined : 'warn' });
    else if (ev.type === 'taskStarted') view({ who, what: `${r.name}: await ${r.task!.name}.run() (the task takes over)` });
    else if (ev.type === 'taskSettled')
      view(r.task!.error === undefined ? { who, what: `${r.name}: ${r.task!.name}.run() resolved ${JSON.stringify(r.task!.result)}`, tone: 'good' } : { who, what: `${r.name}: ${r.task!.name}.run() rejected: ${r.task!.error}`, tone: 'bad' });
  }

  // ── inputs ──
  const serve = (input: LiveInput, live: boolean) => {
    if (finished) return;
    const index = inputs.length;
    const rec: InputRecord = { index, atMs: now(), input, live, interrupted: [] };
    inputs.push(rec);
    view({ who: live ? 'live input' : `input #${index}`, what: describeInput(input), tone: 'input' });
    if (input.interrupt) {
      const before = session.pendingSpeeches;
      // As the seed does: interrupt, and without waiting for it, ask for the reply.
      const stopped = session.interrupt({ force: input.force });
      rec.interrupted = before.filter((h) => h.interrupted).map((h) => h.id);
      stopped.then(
        () => {
          rec.interruptSettledAt = now();
          if (rec.interrupted.length) view({ who: 'session', what: `interrupt() resolved: audio stopped (${rec.interrupted.join(', ')})` });
        },
        (e: unknown) => {
          rec.refused = e instanceof InterruptionRefusedError;
          view({ who: 'session', what: `interrupt() refused: ${describe(e)}`, tone: 'warn' });
        },
      );
    }
    servingInput = index;
    try {
      const opts = {
        ...(input.priority !== undefined ? { priority: input.priority } : {}),
        ...(input.allowInterruptions !== undefined ? { allowInterruptions: input.allowInterruptions } : {}),
      };
      let h: SpeechHandle | undefined;
      if (input.userInput !== undefined) h = session.generateReply({ userInput: input.userInput, ...opts });
      else if (input.say !== undefined) h = session.say(input.say, opts);
      if (h) rec.speechId = h.id;
    } catch (e) {
      errors.push({ atMs: now(), source: 'input', message: describe(e) });
      view({ who: 'error', what: `input #${index}: ${describe(e)}`, tone: 'bad' });
    } finally {
      servingInput = undefined;
    }
  };

  let scheduled = 0;
  let resolveResult!: (r: ScenarioResult) => void;
  const result = new Promise<ScenarioResult>((r) => (resolveResult = r));

  const busy = (): string[] => {
    const out: string[] = [];
    for (const h of session.pendingSpeeches) out.push(`${h.id} in ${flatten(h.state)}`);
    for (const r of toolSet.records) if (r.endedAt === undefined) out.push(`tool ${r.name} (${r.callId}) still running`);
    const seg = segments.find((s) => s.endMs === undefined);
    if (seg) out.push(`audio of ${seg.speechId} still playing`);
    if (voice?.pending()) out.push(`user audio: ${describeVoice(voice)}`);
    return out;
  };

  const poll = () => {
    if (finished) return;
    if (!o.live && scheduled === scenario.inputs.length && busy().length === 0) return void finish('completed');
    later(poll, 20);
  };

  let maxTimer: unknown;
  let closing = false;
  const finish = async (status: ScenarioResult['status']) => {
    if (finished || closing) return;
    closing = true;
    const stuck = status === 'timedOut' ? busy() : [];
    // The user's microphone goes first: no barge-in acts on a closing session.
    voice?.close();
    if (status === 'timedOut') view({ who: 'run', what: `still busy after ${scenario.maxDurationMs} ms: ${stuck.join('; ')}`, tone: 'bad' });
    cancel(maxTimer);
    runOver.abort();
    // A stalled sink could hold close() forever: bound it, and say so.
    let bound: unknown;
    const closed = await Promise.race([
      session.close().then(() => true, () => true),
      new Promise<boolean>((r) => (bound = clock.setTimeout(() => r(false), 2000))),
    ]);
    clock.clearTimeout(bound);
    if (!closed) stuck.push('session.close() did not finish within 2 s');
    const endMs = now();
    for (const s of open.values()) s.endMs = endMs;
    finished = true;
    for (const h of [...timers]) cancel(h);
    await recorder.close().catch(() => {});
    const figures = measure(inputs, toolSet.records, segments);
    resolveResult({
      scenario: scenario.name,
      status,
      durationMs: endMs,
      figures,
      history: session.history.slice(),
      inputs,
      speeches,
      tools: toolSet.records,
      segments,
      errors,
      discarded,
      stuck,
      timeline: {
        title: `speechcharts · ${scenario.name}`,
        subtitle: subtitleOf(status, figures, endMs),
        lanes: lanes.filter((l) => spans.some((s) => s.lane === l.id)),
        spans,
        marks: [...marksOf(inputs), ...voiceMarks(prepared, bargeIn), ...handoffMarks(handoffs)],
        figures: [...timelineFigures(figures), ...bargeInFigures(bargeIn)],
        endMs,
      },
      trace: recorder.records,
      bargeIn,
      userTurn,
      userSpeech,
      turns: turnFigures.figures,
      handoffs,
    });
  };

  // ── the user's voice ──
  const bargeIn: BargeInActivity[] = [];
  const userTurn: UserTurnActivity[] = [];
  const userSpeech: UserSpeechEvent[] = [];
  const turnFigures = new UserTurnFigureCollector();
  session.on('metrics_collected', ({ metrics }) => turnFigures.metrics(metrics));
  let voice: ScenarioVoiceRun | undefined;
  let voiceAnalyzed!: () => void;
  const voiceReady = new Promise<void>((r) => (voiceAnalyzed = r));
  const startVoice = () => {
    if (!prepared) return voiceAnalyzed();
    addLane({ id: 'user', label: 'user voice (VAD)', kind: 'user' });
    enter('user', 'silent', false);
    voice = attachScenarioVoice(session, prepared, {
      clock,
      inspect,
      ...(scenario.voice ? { voice: scenario.voice } : {}),
      ...(o.endOfTurn ? { endOfTurn: o.endOfTurn } : {}),
      onSpeech: (e) => {
        userSpeech.push(e);
        enter('user', e.type === 'speechStart' ? 'speaking' : 'silent', false);
        view({ who: 'user (VAD)', what: e.type === 'speechStart' ? `speech started at ${e.atMs.toFixed(0)} ms` : `speech ended at ${e.atMs.toFixed(0)} ms`, tone: 'input' });
      },
      onActivity: (a) => onBargeIn(a),
      onUserTurn: (a) => onUserTurn(a),
      onError: (e) => {
        errors.push({ atMs: now(), source: 'voice', message: describe(e) });
        view({ who: 'error', what: `voice: ${describe(e)}`, tone: 'bad' });
      },
    });
    void voice.input!.analyzed.then(() => voiceAnalyzed());
    for (const c of prepared.clips) later(() => view({ who: 'user (mic)', what: `${c.words ? 'says' : 'makes a sound:'} ${c.label}`, tone: 'input' }), Math.max(0, c.atMs - now()));
  };
  const onUserTurn = (a: UserTurnActivity) => {
    userTurn.push(a);
    turnFigures.activity(a);
    if (a.type === 'userTurnCommitted') return; // told as a barge-in activity too
    if (a.type === 'endOfTurnPredicted') view({ who: 'user turn', what: `end-of-turn model: p=${a.probability.toFixed(3)} (${a.latencyMs.toFixed(1)} ms)`, tone: 'input' });
    else view({ who: 'user', what: `user_state_changed ${a.oldState} → ${a.newState}`, tone: 'dim' });
  };
  // A voice interrupt is recorded like an input's, so it gets the same recovery figures.
  let voiceInterrupt: InputRecord | undefined;
  const onBargeIn = (a: BargeInActivity) => {
    bargeIn.push(a);
    if (a.type === 'paused') view({ who: 'barge-in', what: `user speaking ≥ min duration: ${a.speechId} held (paused)`, tone: 'warn' });
    else if (a.type === 'resumed') view({ who: 'barge-in', what: `${a.reason === 'falseInterruption' ? 'no words: false interruption,' : 'closing:'} ${a.speechId} resumed where it stopped`, tone: 'good' });
    else if (a.type === 'interrupted') {
      view({ who: 'barge-in', what: `user words: interrupt ${a.speechId ?? '(nothing playing)'}`, tone: 'bad' });
      voiceInterrupt = { index: inputs.length, atMs: a.atMs, input: { interrupt: true, force: false }, live: false, interrupted: a.speechId ? [a.speechId] : [], voice: true };
      inputs.push(voiceInterrupt);
    } else if (a.type === 'userTurnCommitted') {
      view({ who: 'barge-in', what: `end of user turn: generateReply({ userInput: “${a.text}” })`, tone: 'input' });
      // The reply answers the interrupt that came just before it (same turn).
      if (voiceInterrupt && voiceInterrupt.speechId === undefined) {
        voiceInterrupt.speechId = a.speechId;
        voiceInterrupt.input = { ...voiceInterrupt.input, userInput: a.text };
      }
      const sp = speeches.find((x) => x.id === a.speechId);
      if (sp && voiceInterrupt) sp.input = voiceInterrupt.index;
    } else if (a.type === 'falseInterruption') view({ who: 'barge-in', what: `agent_false_interruption { resumed: ${a.resumed} }`, tone: 'dim' });
    else if (a.type === 'userTurnDeclined') view({ who: 'barge-in', what: `user turn declined (${a.words} word(s), kept for the next): “${a.text}”`, tone: 'dim' });
    else view({ who: 'barge-in', what: `user turn dropped (${a.reason}): “${a.text}”`, tone: 'dim' });
  };

  session.start().then(() => {
    startVoice();
    for (const input of scenario.inputs) {
      later(() => {
        scheduled++;
        const { atMs: _at, ...rest } = input;
        serve(rest, false);
      }, Math.max(0, input.atMs - now()));
    }
    maxTimer = later(() => void finish('timedOut'), scenario.maxDurationMs);
    later(poll, 0);
  }, (e: unknown) => {
    errors.push({ atMs: now(), source: 'session', message: describe(e) });
    void finish('stopped');
  });

  return {
    session,
    inject: (input) => serve(input, true),
    stop: () => void finish('stopped'),
    result,
    voiceReady,
  };
}

function describeVoice(v: ScenarioVoiceRun): string {
  const s = v.bargeIn.actor.getSnapshot();
  return s.status === 'active' && !s.matches('idle') ? `barge-in ${flatten(s.value)}` : 'still playing into the VAD';
}

/** Each user audio clip where it was mixed in, and each resume after a false interruption. */
function voiceMarks(prepared: PreparedUserAudio | undefined, activity: BargeInActivity[]): TimelineMark[] {
  if (!prepared) return [];
  const marks: TimelineMark[] = prepared.clips.map((c) => ({ atMs: c.atMs, kind: 'input', label: c.words ? `user voice: ${c.label}` : `user: ${c.label}` }));
  // (A barge-in interrupt is marked with the inputs: it is recorded as one.)
  for (const a of activity) if (a.type === 'resumed' && a.reason === 'falseInterruption') marks.push({ atMs: a.atMs, kind: 'input', label: 'false interruption: resumed' });
  return marks;
}

/** How long each false interruption held the agent. */
function bargeInFigures(activity: BargeInActivity[]): TimelineFigure[] {
  const out: TimelineFigure[] = [];
  activity.forEach((a, i) => {
    if (a.type !== 'paused') return;
    const end = activity.slice(i + 1).find((b) => b.type === 'resumed' || b.type === 'interrupted');
    if (!end) return;
    out.push({ fromMs: a.atMs, ms: end.atMs - a.atMs, label: end.type === 'resumed' ? `${a.speechId} held, then resumed (false interruption)` : `${a.speechId} held until the words came` });
  });
  return out;
}

/**
 * Wraps the caller's output to see each segment: first frame, captured seconds, and the sink's
 * report of its end. Everything passes through unchanged.
 */
class ObservedAudioOutput implements AudioOutput {
  segments: AudioSegmentRecord[] = [];
  private current: AudioSegmentRecord | undefined;

  constructor(
    private readonly inner: AudioOutput,
    private readonly o: {
      now: () => number;
      speechId: () => string;
      onStart: (s: AudioSegmentRecord) => void;
      onEnd: (s: AudioSegmentRecord) => void;
      onHold?: (s: AudioSegmentRecord, held: boolean) => void;
    },
  ) {}

  captureFrame(frame: AudioFrame): Promise<void> {
    let seg = this.current;
    const opening = !seg;
    if (!seg) {
      seg = { speechId: this.o.speechId(), startMs: this.o.now(), capturedSec: 0 };
      this.current = seg;
      this.segments.push(seg);
    }
    seg.capturedSec += frameDuration(frame);
    const captured = this.inner.captureFrame(frame);
    if (opening) {
      // The inner output opened its segment in the call above: its report is this segment's end.
      const s = seg;
      this.inner.waitForPlayout().then(
        (r) => this.ended(s, r),
        () => this.ended(s, { playbackPosition: 0, interrupted: true }),
      );
      this.o.onStart(s);
    }
    return captured;
  }

  flush(): void {
    this.inner.flush();
  }

  clearBuffer(): void {
    this.inner.clearBuffer();
  }

  pause(): void {
    this.inner.pause?.();
    const seg = this.current;
    if (seg && seg.heldSince === undefined && this.inner.pause) {
      seg.heldSince = this.o.now();
      this.o.onHold?.(seg, true);
    }
  }

  resume(): void {
    this.inner.resume?.();
    const seg = this.current;
    if (seg && seg.heldSince !== undefined) {
      seg.heldMs = (seg.heldMs ?? 0) + this.o.now() - seg.heldSince;
      delete seg.heldSince;
      this.o.onHold?.(seg, false);
    }
  }

  waitForPlayout(): Promise<PlayoutResult> {
    return this.inner.waitForPlayout();
  }

  private ended(seg: AudioSegmentRecord, r: PlayoutResult): void {
    if (seg.endMs !== undefined) return;
    seg.endMs = this.o.now();
    if (seg.heldSince !== undefined) {
      // Cut while held (a barge-in that turned out real).
      seg.heldMs = (seg.heldMs ?? 0) + seg.endMs - seg.heldSince;
      delete seg.heldSince;
    }
    seg.playedSec = r.playbackPosition;
    seg.interrupted = r.interrupted;
    if (this.current === seg) this.current = undefined;
    this.o.onEnd(seg);
  }
}

/** The recovery figures of every input that interrupted something (or tried to). */
function measure(inputs: InputRecord[], tools: ScenarioToolRecord[], segments: AudioSegmentRecord[]): InterruptFigures[] {
  const out: InterruptFigures[] = [];
  for (const rec of inputs) {
    if (!rec.input.interrupt) continue;
    const at = rec.atMs;
    const f: InterruptFigures = { input: rec.index, atMs: at, force: rec.input.force, refused: rec.refused === true, interrupted: rec.interrupted };
    const wait = tools.find((t) => t.waitOutcome === 'rejected' && t.waitSettledAt !== undefined && t.waitSettledAt >= at && rec.interrupted.includes(t.speechId));
    if (wait) {
      f.toolWaitSettledMs = wait.waitSettledAt! - at;
      f.toolName = wait.name;
    }
    const cut = segments.find((s) => s.interrupted && s.endMs !== undefined && s.endMs >= at && rec.interrupted.includes(s.speechId));
    if (cut) {
      f.audioCutMs = cut.endMs! - at;
      f.heardSec = cut.playedSec;
      f.capturedSec = cut.capturedSec;
    }
    if (rec.interruptSettledAt !== undefined) f.interruptResolvedMs = rec.interruptSettledAt - at;
    // The speech this input asked for, else whatever is heard next.
    const next = segments.find((s) => s.speechId === rec.speechId && s.startMs >= at) ?? segments.find((s) => s.startMs >= at && !rec.interrupted.includes(s.speechId));
    if (next) {
      f.nextReplyAudibleMs = next.startMs - at;
      f.nextSpeechId = next.speechId;
    }
    out.push(f);
  }
  return out;
}

function timelineFigures(figures: InterruptFigures[]): TimelineFigure[] {
  const out: TimelineFigure[] = [];
  for (const f of figures) {
    if (f.refused || f.interrupted.length === 0) continue;
    if (f.toolWaitSettledMs !== undefined) out.push({ fromMs: f.atMs, ms: f.toolWaitSettledMs, label: `interrupt → ${f.toolName} wait settled` });
    if (f.audioCutMs !== undefined) out.push({ fromMs: f.atMs, ms: f.audioCutMs, label: 'interrupt → audio cut' });
    if (f.nextReplyAudibleMs !== undefined) out.push({ fromMs: f.atMs, ms: f.nextReplyAudibleMs, label: `interrupt → next reply audible (${f.nextSpeechId})` });
  }
  return out;
}

/** Each move from one agent to another (the first agent's entry is no handoff). */
function handoffMarks(handoffs: HandoffRecord[]): TimelineMark[] {
  return handoffs.filter((h) => h.oldAgentId !== undefined).map((h) => ({ atMs: h.atMs, kind: 'handoff', label: `handoff ${h.oldAgentId} → ${h.newAgentId}` }));
}

function marksOf(inputs: InputRecord[]): TimelineMark[] {
  return inputs.map((r) => {
    const i = r.input;
    if (r.voice) return { atMs: r.atMs, kind: 'interrupt', label: `barge-in: the user's words interrupt${i.userInput !== undefined ? ` + “${i.userInput}”` : ''}` };
    if (i.interrupt) {
      const what = r.refused ? 'interrupt refused' : `interrupt${i.force ? ' (force)' : ''}`;
      return { atMs: r.atMs, kind: r.refused ? 'input' : 'interrupt', label: `${what}${i.userInput !== undefined ? ` + “${i.userInput}”` : i.say !== undefined ? ` + say “${i.say}”` : ''}` };
    }
    return { atMs: r.atMs, kind: 'input', label: i.userInput !== undefined ? `user: “${i.userInput}”` : `say: “${i.say ?? ''}”` };
  });
}

function subtitleOf(status: ScenarioResult['status'], figures: InterruptFigures[], endMs: number): string {
  const f = figures.find((x) => !x.refused && x.interrupted.length > 0);
  const parts = [`${status === 'completed' ? 'completed' : status === 'timedOut' ? 'TIMED OUT (a hang)' : 'stopped'} in ${(endMs / 1000).toFixed(2)} s`];
  if (f) parts.push(`recovered from the interrupt at ${Math.round(f.atMs)} ms with no timeout`);
  return parts.join(' · ');
}

/**
 * A state value as a dotted path: `{ active: 'playingOut' }` → `active.playingOut`.
 * @example flatten({ active: 'playingOut' }) // 'active.playingOut'
 */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => (typeof v === 'string' || (v && typeof v === 'object' && Object.keys(v).length) ? `${k}.${flatten(v)}` : k))
      .join(',');
  }
  return String(value);
}

/**
 * A history item as one short line.
 * @example describeItem({ type: 'message', id: 'item_1', role: 'user', content: 'hi' }) // 'user: “hi”'
 */
export function describeItem(i: ChatItem): string {
  if (i.type === 'message') return `${i.role}: “${i.content}”${i.interrupted ? ' [interrupted]' : ''}`;
  if (i.type === 'function_call') return `call ${i.name}(${i.arguments})`;
  if (i.type === 'agent_handoff') return `handoff ${i.oldAgentId ?? '-'} → ${i.newAgentId}`;
  return `output of ${i.name}${i.isError ? ' (error)' : ''}: ${i.output}`;
}

function describeInput(i: LiveInput): string {
  const parts: string[] = [];
  if (i.interrupt) parts.push(`interrupt(${i.force ? '{ force: true }' : ''})`);
  if (i.userInput !== undefined) parts.push(`generateReply({ userInput: “${i.userInput}” })`);
  if (i.say !== undefined) parts.push(`say(“${i.say}”)`);
  const opts = [i.priority !== undefined ? `priority ${i.priority}` : '', i.allowInterruptions === false ? 'uninterruptible' : ''].filter(Boolean);
  return parts.join(' then ') + (opts.length ? ` [${opts.join(', ')}]` : '');
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch {
    /* a view or observer must not break the run */
  }
}
