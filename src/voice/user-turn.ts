import { createActor, type Actor } from 'xstate';
import { resolveUserTurnOptions, userTurnMachine, type UserState, type UserTurnInput, type UserTurnOptions, type UserTurnTimer } from '../../machines/user-turn.machine.js';
import type { AgentSession, InspectObserver } from '../agent-session.js';
import type { AgentSessionEventMap } from '../session-events.js';
import type { Clock } from '../ports/clock.js';
import { InvalidArgumentError } from '../errors.js';
import type { EndOfTurnModel } from './end-of-turn.js';

/** What the user-turn runtime did, for logs, timelines and tests. `atMs` is clock time. */
export type UserTurnActivity =
  /** `preemptive`: a preemptive generation was running for exactly this text (its reply uses it if history and tools are unchanged). */
  | { type: 'userTurnCommitted'; atMs: number; text: string; speechId: string | undefined; turn: number; preemptive?: boolean }
  | { type: 'endOfTurnPredicted'; atMs: number; probability: number; latencyMs: number; language: string }
  | { type: 'userStateChanged'; atMs: number; oldState: UserState; newState: UserState };

export interface AttachUserTurnOptions {
  /** Runs the endpointing and away timers (a VirtualClock in tests). */
  clock: Clock;
  /** LiveKit's turn-taking options; LiveKit's defaults for the rest. */
  options?: UserTurnInput;
  /** The end-of-turn model ('eot' mode): asked at each pause, off the hot path. Required in 'eot' mode. */
  endOfTurn?: EndOfTurnModel;
  /** The user's latest 16 kHz audio for the end-of-turn model (the voice input keeps it). */
  recentAudio?: () => Int16Array;
  inspect?: InspectObserver;
  onActivity?: (a: UserTurnActivity) => void;
  /** Errors of effects and of the model (they never break the machine). Default: console.error. */
  onError?: (e: unknown) => void;
}

export interface UserTurn {
  readonly actor: Actor<typeof userTurnMachine>;
  readonly options: Readonly<UserTurnOptions>;
  readonly userState: UserState;
  /** True while a turn is pending (the user speaks, or what was said is not committed yet). */
  pending(): boolean;
  /** VAD: the user started speaking. */
  speechStarted(): void;
  /** VAD: the user stopped speaking `lagMs` ago (the VAD's detection lag). */
  speechEnded(lagMs?: number): void;
  /** A final transcript that belongs to the user's turn (accepted by the barge-in policy). */
  finalTranscript(text: string, language?: string): void;
  /** STT: end of speech. */
  sttEndOfSpeech(): void;
  commit(): void;
  clear(): void;
  close(): void;
}

const AGENT_BUSY_STATES = new Set(['thinking', 'speaking']);

/**
 * Runs the user-turn machine against a session: a committed turn becomes
 * `session.generateReply({ userInput })` (so the agent's `onUserTurnCompleted` runs), the user's
 * state changes become `user_state_changed`, and in 'eot' mode each pause asks the end-of-turn model,
 * whose answer comes back as an event (never awaited inline). `attachVoiceInput` calls this for you.
 * @example
 * const turn = attachUserTurn(session, { clock, options: { turnDetection: 'eot' }, endOfTurn: LocalEndOfTurnModel.load(), recentAudio: () => recent.latest() });
 * turn.speechStarted(); turn.finalTranscript("I'd like a table"); turn.speechEnded();
 */
export function attachUserTurn(session: AgentSession, o: AttachUserTurnOptions): UserTurn {
  if (!session || typeof session.generateReply !== 'function') throw new InvalidArgumentError('attachUserTurn: session must be an AgentSession');
  if (!o || !o.clock || typeof o.clock.setTimeout !== 'function') throw new InvalidArgumentError('attachUserTurn: options.clock is required');
  let options: UserTurnOptions;
  try {
    options = resolveUserTurnOptions(o.options);
  } catch (e) {
    throw new InvalidArgumentError(`attachUserTurn: ${(e as Error).message}`);
  }
  if (options.turnDetection === 'eot' && !o.endOfTurn) throw new InvalidArgumentError("attachUserTurn: turnDetection 'eot' needs an endOfTurn model (e.g. LocalEndOfTurnModel.load())");
  const clock = o.clock;
  const report = o.onError ?? ((e: unknown) => console.error('[speechcharts] user turn:', e));
  const tell = (a: UserTurnActivity) => {
    try {
      o.onActivity?.(a);
    } catch (e) {
      report(e);
    }
  };
  // Effects on the session run after the machine's transition, never nested inside it (as barge-in's).
  const effects: (() => void)[] = [];
  let flushing = false;
  const afterTransition = (fn: () => void) =>
    effects.push(() => {
      try {
        fn();
      } catch (e) {
        report(e);
      }
    });
  const flush = () => {
    if (flushing) return;
    flushing = true;
    try {
      for (let fx = effects.shift(); fx; fx = effects.shift()) fx();
    } finally {
      flushing = false;
    }
  };
  let userState: UserState = 'listening';
  // The machine's timers, by name, on the clock; each comes back as the machine's event.
  const TIMER_EVENTS = { minEndpointing: 'MIN_ENDPOINTING_ELAPSED', maxEndpointing: 'MAX_ENDPOINTING_ELAPSED', userAway: 'USER_AWAY_TIMEOUT' } as const;
  const timers = new Map<UserTurnTimer, unknown>();
  const cancelTimer = (timer: UserTurnTimer) => {
    const h = timers.get(timer);
    if (h === undefined) return;
    timers.delete(timer);
    clock.clearTimeout(h);
  };
  /** Bumped at each new speech: a model answer about an earlier pause is stale. */
  let pause = 0;
  let closed = false;

  const machine = userTurnMachine.provide({
    actions: {
      commitUserTurn: (_, { text, turn, usePreemptive }) =>
        afterTransition(() => {
          if (session.closed) return;
          if (!usePreemptive) session._cancelPreemptiveReply('the committed transcript differs');
          const h = session.generateReply({ userInput: text });
          // Its first step uses the prepared reply if history, instructions and tools are still those it was made with.
          if (usePreemptive) session._bindPreemptiveReply(h.id, text);
          tell({ type: 'userTurnCommitted', atMs: clock.now(), text, speechId: h.id, turn, preemptive: usePreemptive });
        }),
      startPreemptive: (_, { text }) =>
        afterTransition(() => {
          session._preemptReply(text);
        }),
      cancelPreemptive: () => afterTransition(() => session._cancelPreemptiveReply('the user turn went on')),
      predictEndOfTurn: ({ context }) => {
        if (context.options.turnDetection !== 'eot' || !o.endOfTurn) return;
        const asked = pause;
        const language = context.language;
        let pcm: Int16Array;
        try {
          pcm = o.recentAudio?.() ?? new Int16Array(0);
        } catch (e) {
          return report(e);
        }
        // Off the hot path: the answer comes back as an event; a failure leaves the maximum delay.
        o.endOfTurn.predict(pcm).then(
          ({ probability, latencyMs }) => {
            tell({ type: 'endOfTurnPredicted', atMs: clock.now(), probability, latencyMs, language });
            if (!closed && asked === pause) actor.send({ type: 'EOT_PREDICTED', probability });
          },
          (e: unknown) => report(e),
        );
      },
      startTimer: (_, { timer, ms }) => {
        cancelTimer(timer);
        timers.set(
          timer,
          clock.setTimeout(() => {
            timers.delete(timer);
            if (!closed) actor.send({ type: TIMER_EVENTS[timer] });
          }, ms),
        );
      },
      cancelTimer: (_, { timer }) => cancelTimer(timer),
      userStateChanged: (_, { oldState, newState }) => {
        userState = newState;
        afterTransition(() => {
          tell({ type: 'userStateChanged', atMs: clock.now(), oldState, newState });
          session._emitUserEvent('user_state_changed', { oldState, newState });
        });
      },
    },
  });

  const actor = createActor(machine, { id: 'userTurn', input: options, ...(o.inspect ? { inspect: o.inspect } : {}) });
  actor.subscribe({ next: flush, error: report });
  actor.start();

  const onAgentState = ({ newState }: AgentSessionEventMap['agent_state_changed']) => {
    if (!closed) actor.send({ type: AGENT_BUSY_STATES.has(newState) ? 'AGENT_BUSY' : 'AGENT_SILENT' });
  };
  session.on('agent_state_changed', onAgentState);
  if (AGENT_BUSY_STATES.has(session.agentState)) actor.send({ type: 'AGENT_BUSY' });
  const onSessionClose = () => close();
  session.on('close', onSessionClose);

  function close(): void {
    if (closed) return;
    actor.send({ type: 'CLOSE' });
    closed = true;
    session.off('agent_state_changed', onAgentState);
    session.off('close', onSessionClose);
    actor.stop();
    for (const t of [...timers.keys()]) cancelTimer(t);
  }

  const send = (ev: Parameters<typeof actor.send>[0]) => {
    if (!closed) actor.send(ev);
  };
  return {
    actor,
    options,
    get userState() {
      return userState;
    },
    pending() {
      const s = actor.getSnapshot();
      return s.status === 'active' && (s.context.text !== '' || s.hasTag('userSpeaking'));
    },
    speechStarted() {
      pause++;
      send({ type: 'USER_SPEECH_STARTED' });
    },
    speechEnded(lagMs = 0) {
      send({ type: 'USER_SPEECH_ENDED', lagMs });
    },
    finalTranscript(text, language) {
      if (typeof text !== 'string') throw new InvalidArgumentError('UserTurn.finalTranscript: text must be a string');
      send({ type: 'FINAL_TRANSCRIPT', text, ...(language ? { language } : {}) });
    },
    sttEndOfSpeech() {
      send({ type: 'STT_END_OF_SPEECH' });
    },
    commit() {
      send({ type: 'COMMIT' });
    },
    clear() {
      send({ type: 'CLEAR' });
    },
    close,
  };
}
