import type { AgentState } from '../../machines/agent-state.machine.js';
import type { UserTurnEvent, UserTurnTimer } from '../../machines/user-turn.machine.js';
import { mayBindPrepared, mayPreemptReply, replyRequestKey, takePrepared } from '../core/preemptive-slot.js';
import type { ChatItem } from '../ports/chat-item.js';
import type { ActionRecord } from '../testing/model-explorer.js';
import type { ComposedState, ModelEvent, VoiceModel, VoiceTimer } from './composed-state.js';
import type { SessionRouter } from '../core/session-router.js';
import { BargeInWorld, bargeInIdentity, initialBargeIn } from './barge-in-world.js';
import { steppers } from './machine-steppers.js';

/**
 * The user's voice in the composed model: the user-turn machine stepped purely, its effects played
 * as `attachUserTurn` (src/voice/user-turn.ts) plays them on a live session: a commit is the
 * session's `generateReply({ userInput })` through the router, preemptive generation goes through
 * the same pure decisions as the runtime's (`src/core/preemptive-slot.ts`), timers run on the
 * model's clock and fire in deadline order, and the agent's state is told to the machine.
 */

/** The events of the user turn's timers. */
const TIMER_EVENT = { minEndpointing: 'MIN_ENDPOINTING_ELAPSED', maxEndpointing: 'MAX_ENDPOINTING_ELAPSED', userAway: 'USER_AWAY_TIMEOUT' } as const;
const BUSY: ReadonlySet<string> = new Set<AgentState>(['thinking', 'speaking']);
/** The end-of-turn model's answers: well above and well below English's "unlikely" threshold (0.36). */
const EOT_LIKELY = 0.9;
const EOT_UNLIKELY = 0.1;

/**
 * The transcript of the user's `n`-th final (1-based): one word, so joined turns stay comparable.
 * @example transcriptWord(2) // 'w2'
 */
export function transcriptWord(n: number): string {
  return `w${n}`;
}

/** What the voice needs of the model's world: a reply made as `generateReply` makes one. */
export interface UserTurnHost {
  readonly router: SessionRouter;
  /** `session.generateReply({ userInput })`: the new speech's id, or null when the session refuses (closed). */
  createUserReply(userInput: string): string | null;
}

/**
 * The initial voice of a model with voice bounds.
 * @example initialVoice({ turnDetection: 'vad', preemptiveGeneration: true, speechStarts: 2, transcripts: 2 })
 */
export function initialVoice(b: NonNullable<ComposedState['bounds']['voice']>): VoiceModel {
  const { snap, key, actions } = steppers.userTurn.initial({ turnDetection: b.turnDetection, preemptiveGeneration: b.preemptiveGeneration });
  const v: VoiceModel = { snap, key, now: 0, timers: {}, bargeIn: b.bargeIn ? initialBargeIn() : null, speaking: false, speechStarts: 0, transcripts: 0, eotAsked: false, agentBusy: false, prepared: null, said: [], took: [] };
  for (const a of actions) timerAction(v, a);
  return v;
}

/** Copies a voice model for a draft state. */
export function cloneVoice(v: VoiceModel): VoiceModel {
  return { ...v, timers: { ...v.timers }, bargeIn: v.bargeIn ? { ...v.bargeIn } : null, prepared: v.prepared ? { ...v.prepared } : null, said: [...v.said], took: [...v.took] };
}

/**
 * The voice events offered in a state (see {@link ModelEvent}).
 * @example voiceEvents(state) // [{ type: 'USER_SPEECH_STARTED' }, { type: 'TIMER_ELAPSED', timer: 'userAway' }]
 */
export function voiceEvents(s: ComposedState): ModelEvent[] {
  const v = s.voice;
  const b = s.bounds.voice;
  if (!v || !b || v.snap.status !== 'active') return [];
  const out: ModelEvent[] = [];
  if (!v.speaking && v.speechStarts < b.speechStarts) out.push({ type: 'USER_SPEECH_STARTED' });
  if (v.speaking) out.push({ type: 'USER_SPEECH_ENDED' });
  if (v.transcripts < b.transcripts) out.push({ type: 'USER_TRANSCRIPT' });
  if (b.turnDetection === 'stt' && !v.snap.context.sttEnded) out.push({ type: 'STT_END_OF_SPEECH' });
  if (v.eotAsked) out.push({ type: 'EOT_PREDICTED', likely: true }, { type: 'EOT_PREDICTED', likely: false });
  if (b.turnDetection === 'manual') out.push({ type: 'USER_COMMIT' }, { type: 'USER_CLEAR' });
  // Time passes to the earliest deadline (timers due together may fire in either order).
  const due = Object.values(v.timers);
  const first = due.length ? Math.min(...due) : undefined;
  for (const [timer, at] of Object.entries(v.timers)) if (at === first) out.push({ type: 'TIMER_ELAPSED', timer: timer as VoiceTimer });
  return out;
}

/** The voice part of a state's identity: timers relative to now (the clock itself grows for ever). */
export function voiceIdentity(v: VoiceModel | null): string {
  if (!v) return '';
  const timers = Object.entries(v.timers)
    .map(([t, at]) => `${t[0]}${at - v.now}`)
    .sort()
    .join(',');
  const p = v.prepared;
  const took = v.took.filter((t) => t.preparedFor !== t.userInput || !t.sameRequest).length;
  return `|V${v.key}:${timers}:${+v.speaking}${v.speechStarts}${v.transcripts}${+v.eotAsked}${+v.agentBusy}:${p ? `${p.userInput}>${p.speechId ?? ''}#${p.key}` : '-'}:${v.said.join(' ')}:${v.took.length}${took}${bargeInIdentity(v)}`;
}

/** A timer asked for or cancelled by an action: it runs on the model's clock, at once (as the runtime's clock calls). */
function timerAction(v: VoiceModel, a: ActionRecord): boolean {
  if (a.type === 'startTimer') {
    const { timer, ms } = a.params as { timer: UserTurnTimer; ms: number };
    v.timers[timer] = v.now + ms;
    return true;
  }
  if (a.type === 'cancelTimer') {
    delete v.timers[(a.params as { timer: UserTurnTimer }).timer];
    return true;
  }
  return false;
}

/** One step's worth of the user turn in the model: the machine, its effects, the prepared reply. */
export class UserTurnWorld {
  /** The barge-in policy, when composed in: it hears the voice first and passes on the transcripts it accepts. */
  private readonly bargeIn: BargeInWorld | null;

  constructor(
    private readonly s: ComposedState,
    private readonly v: VoiceModel,
    private readonly host: UserTurnHost,
  ) {
    this.bargeIn = v.bargeIn ? new BargeInWorld(s, v, v.bargeIn, { router: host.router, userTurnTranscript: (text) => this.finalTranscript(text) }) : null;
  }

  /** The scheduler changed, or speech `id` did (the barge-in policy follows the agent's speech). */
  agentChanged(id?: string): void {
    this.bargeIn?.changed(id);
  }

  /** A final transcript for the user turn (from the STT, or accepted by the barge-in policy). */
  private finalTranscript(text: string): void {
    if (this.v.snap.status !== 'active') return;
    this.v.said.push(text);
    this.send({ type: 'FINAL_TRANSCRIPT', text, language: 'en' });
  }

  /** A voice event of the model. */
  apply(ev: ModelEvent): void {
    const v = this.v;
    if (v.snap.status !== 'active') return;
    switch (ev.type) {
      case 'USER_SPEECH_STARTED':
        v.speechStarts++;
        v.speaking = true;
        // A new pause: an answer about the last one is stale (the runtime drops it).
        v.eotAsked = false;
        // The voice input tells the barge-in policy first, then the turn.
        this.bargeIn?.userSpeechStarted();
        return this.send({ type: 'USER_SPEECH_STARTED' });
      case 'USER_SPEECH_ENDED':
        v.speaking = false;
        // The policy first: a final it held while the user spoke joins the turn before endpointing starts.
        this.bargeIn?.userSpeechEnded();
        return this.send({ type: 'USER_SPEECH_ENDED' });
      case 'USER_TRANSCRIPT': {
        v.transcripts++;
        const text = transcriptWord(v.transcripts);
        if (this.bargeIn) return this.bargeIn.transcript(text);
        return this.finalTranscript(text);
      }
      case 'STT_END_OF_SPEECH':
        return this.send({ type: 'STT_END_OF_SPEECH' });
      case 'EOT_PREDICTED':
        v.eotAsked = false;
        return this.send({ type: 'EOT_PREDICTED', probability: ev.likely ? EOT_LIKELY : EOT_UNLIKELY });
      case 'USER_COMMIT':
        return this.send({ type: 'COMMIT' });
      case 'USER_CLEAR':
        // What the user said so far is forgotten, by the user's own call.
        v.said = [];
        return this.send({ type: 'CLEAR' });
      case 'TIMER_ELAPSED': {
        const at = v.timers[ev.timer];
        if (at === undefined) return;
        v.now = at;
        delete v.timers[ev.timer];
        if (ev.timer === 'minDuration' || ev.timer === 'falseInterruption') return this.bargeIn?.timer(ev.timer);
        return this.send({ type: TIMER_EVENT[ev.timer] });
      }
      default:
        return;
    }
  }

  /** The agent's state changed (the runtime's `agent_state_changed` listener). */
  agentState(state: AgentState): void {
    const busy = BUSY.has(state);
    this.v.agentBusy = busy;
    this.send({ type: busy ? 'AGENT_BUSY' : 'AGENT_SILENT' });
  }

  /** The session closed: the user turn closes with it, its timers cancelled. */
  close(): void {
    // The user turn hears the session's close first (it was attached first), then the policy.
    if (this.v.snap.status === 'active') this.send({ type: 'CLOSE' });
    this.bargeIn?.close();
    this.v.timers = {};
    this.v.said = [];
  }

  /** Reply `id` starts its first step: it takes the prepared reply if made for exactly its request. */
  firstStep(id: string): void {
    const v = this.v;
    const key = this.requestKey(this.s.session.history);
    const taken = takePrepared(v.prepared, id, key);
    if (taken === 'none') return;
    if (taken === 'use') v.took.push({ speechId: id, preparedFor: v.prepared!.userInput, userInput: this.s.session.speeches.get(id)?.userInput ?? '', sameRequest: v.prepared!.key === key });
    v.prepared = null;
  }

  /** Reply `id` was released: a prepared reply bound to it and never taken is cancelled. */
  released(id: string): void {
    if (this.v.prepared?.speechId === id) this.v.prepared = null;
  }

  // ── the machine and its effects, as attachUserTurn provides them ──

  private send(ev: UserTurnEvent): void {
    const v = this.v;
    const r = steppers.userTurn.next(v.snap, ev);
    v.snap = r.snapshot;
    v.key = r.key;
    // Effects on the session run after the transition (attachUserTurn's flush); timers and the model's question at once.
    const after: (() => void)[] = [];
    for (const a of r.actions) {
      if (timerAction(v, a)) continue;
      switch (a.type) {
        case 'predictEndOfTurn':
          if (v.snap.context.options.turnDetection === 'eot') v.eotAsked = true;
          break;
        case 'commitUserTurn':
          after.push(() => this.commit(a.params as { text: string; usePreemptive: boolean }));
          break;
        case 'startPreemptive':
          after.push(() => this.preempt((a.params as { text: string }).text));
          break;
        case 'cancelPreemptive':
          after.push(() => (v.prepared = null));
          break;
        default:
          // Assignments and `userStateChanged` (an event for listeners): nothing routes.
          break;
      }
    }
    for (const fx of after) fx();
  }

  private commit({ text, usePreemptive }: { text: string; usePreemptive: boolean }): void {
    const v = this.v;
    this.s.effects.push(`voiceCommit:${text}|${v.said.join(' ')}`);
    v.said = [];
    if (this.s.session.closed) return;
    if (!usePreemptive) v.prepared = null;
    const id = this.host.createUserReply(text);
    if (id === null || !usePreemptive) return;
    if (mayBindPrepared(v.prepared, text)) v.prepared!.speechId = id;
    else v.prepared = null;
  }

  /** `session._preemptReply(text)`: starts only when the session may (else the one before stays). */
  private preempt(text: string): void {
    const ses = this.s.session;
    const schedulerActive = this.s.scheduler.value === 'active';
    if (!mayPreemptReply(ses, schedulerActive)) return;
    const history: ChatItem[] = [...ses.history, { type: 'message', id: 'preemptive_user_message', role: 'user', content: text }];
    this.v.prepared = { userInput: text, key: this.requestKey(history), speechId: undefined };
  }

  /** The request a reply's first step makes: the model's agents differ by key, their tools are the same. */
  private requestKey(history: readonly ChatItem[]): string {
    return replyRequestKey({ history, instructions: this.s.session.activeAgent ?? '', tools: [] });
  }
}
