import { assign, setup } from 'xstate';

/**
 * The user's turn: when what the user said is complete and goes to the agent, LiveKit's endpointing
 * as one statechart, and the user's presence (speaking, listening, away) beside it.
 *
 *   turn:     listening ─USER_SPEECH_STARTED→ userSpeaking ─USER_SPEECH_ENDED→ endpointing
 *             endpointing ─USER_SPEECH_STARTED→ userSpeaking (the same turn goes on: a pause is not an end)
 *             endpointing.waitingMin ─minEndpointingDelay→ afterMin ─(ready at the minimum)→ committed
 *             endpointing ─maxEndpointingDelay→ afterMax ─(a transcript)→ committed, or (no words) → listening
 *             committed (commitUserTurn) → listening
 *   presence: listening ─USER_SPEECH_STARTED→ speaking ─USER_SPEECH_ENDED→ listening
 *             listening.quiet ─userAwayTimeout→ away   (only while the agent is silent too)
 *   every non-final state ─CLOSE→ closed
 *   preemptive generation (`preemptive`): while endpointing, on a final transcript, with the agent silent,
 *   `startPreemptive` asks the LLM for the prospective turn's reply; a changed transcript starts it
 *   again with the whole text (the old one cancelled), the user speaking again, CLEAR and CLOSE
 *   cancel it (`cancelPreemptive`), and the commit says whether it may be used (`usePreemptive`:
 *   it was started for exactly the committed text).
 *
 * When the turn is ready at the minimum delay depends on the turn detection mode:
 * - 'vad': a transcript is there (the minimum delay after the VAD's end of speech);
 * - 'eot': the end-of-turn model said the turn is likely over (its probability at or above the
 *   language's "unlikely" threshold); unlikely, or no answer, waits for the maximum;
 * - 'stt': the STT said end of speech;
 * - 'manual': never by itself: `COMMIT` (the session's `commitUserTurn()`) asks for it.
 *
 * Pure: no timers and no I/O. A timer is requested by name on entry of the one state it belongs to
 * (`startMinEndpointingTimer`, `startMaxEndpointingTimer`, `startUserAwayTimer`, with its length in
 * ms) and cancelled on its exit; the runtime runs it on its clock and sends `MIN_ENDPOINTING_ELAPSED`,
 * `MAX_ENDPOINTING_ELAPSED` or `USER_AWAY_TIMEOUT`, which only those states handle. It holds no
 * playout waiter: no speech's waiter ever depends on these timers. Effects are named actions the runtime provides: `commitUserTurn` (→ `generateReply`),
 * `predictEndOfTurn` (the runtime runs the model off the hot path and answers `EOT_PREDICTED`),
 * `userStateChanged` (→ the `user_state_changed` event).
 */

export type TurnDetectionMode = 'vad' | 'stt' | 'eot' | 'manual';
export type UserState = 'speaking' | 'listening' | 'away';

/** LiveKit's turn-taking options, with its names and defaults (ms). */
export interface UserTurnOptions {
  /** What decides that the user's turn is over. Default 'vad'. */
  turnDetection: TurnDetectionMode;
  /** Wait at least this long after the user stopped speaking. Default 500. */
  minEndpointingDelay: number;
  /** Wait at most this long (when the end-of-turn model finds the end unlikely). Default 3000. */
  maxEndpointingDelay: number;
  /** The user is `away` after this long with both sides silent; null: never. Default 15000. */
  userAwayTimeout: number | null;
  /**
   * The end-of-turn probability under which the turn is "unlikely" over, by language (its first
   * subtag: 'en-US' → 'en'). A language not listed uses the minimum delay, as LiveKit does for a
   * language its model does not support. Default LiveKit's local model: en 0.36, de 0.245, fr 0.285.
   */
  unlikelyThresholds: Readonly<Record<string, number>>;
  /**
   * Preemptive generation (LiveKit's `preemptive_generation`): on a final transcript while the turn
   * is endpointing, the LLM starts on the prospective turn; its reply is used only if the transcript,
   * history, instructions and tools are unchanged at the commit, else cancelled. Default true.
   */
  preemptiveGeneration: boolean;
}

export const DEFAULT_UNLIKELY_THRESHOLDS: Readonly<Record<string, number>> = Object.freeze({ en: 0.36, de: 0.245, fr: 0.285 });

export const DEFAULT_USER_TURN_OPTIONS: Readonly<UserTurnOptions> = Object.freeze({
  turnDetection: 'vad' as TurnDetectionMode,
  minEndpointingDelay: 500,
  maxEndpointingDelay: 3000,
  userAwayTimeout: 15000,
  unlikelyThresholds: DEFAULT_UNLIKELY_THRESHOLDS,
  preemptiveGeneration: true,
});

export type UserTurnInput = Partial<UserTurnOptions>;

export interface UserTurnContext {
  options: UserTurnOptions;
  /** Final transcripts of this turn not yet committed. */
  text: string;
  /** Language of the last final transcript ('' until one arrived). */
  language: string;
  /** The end-of-turn model's answer for the current pause (null until it answers). */
  eotProbability: number | null;
  /** The STT reported end of speech since the user last started speaking ('stt' mode). */
  sttEnded: boolean;
  /** `COMMIT` was asked and not yet served (it waits for the user to stop and for a transcript). */
  commitRequested: boolean;
  /** How late the VAD reported the end of speech (ms): the endpointing delays count from the speech's end. */
  endLagMs: number;
  /** The agent is thinking or speaking: the user is not away while it is. */
  agentBusy: boolean;
  /** Turns committed so far (turn ids: the next commit is turn `committed + 1`). */
  committed: number;
  /** The transcript a preemptive generation runs for (null: none runs). */
  preemptive: string | null;
  /** A final transcript came since the user last started speaking (preemptive generation starts on one, as LiveKit's). */
  newFinal: boolean;
}

export type UserTurnEvent =
  /** VAD: the user started speaking. */
  | { type: 'USER_SPEECH_STARTED' }
  /** VAD: the user stopped speaking; `lagMs`: how long ago that was (the VAD's detection lag). */
  | { type: 'USER_SPEECH_ENDED'; lagMs?: number }
  /** A final transcript the barge-in policy accepted as part of the user's turn. */
  | { type: 'FINAL_TRANSCRIPT'; text: string; language?: string }
  /** STT: end of speech (the 'stt' mode's end of turn). */
  | { type: 'STT_END_OF_SPEECH' }
  /** The end-of-turn model's answer for the current pause. */
  | { type: 'EOT_PREDICTED'; probability: number }
  /** Manual turn detection: commit what the user said / forget it. */
  | { type: 'COMMIT' }
  | { type: 'CLEAR' }
  /** The agent thinks or speaks / is silent (listening or idle). */
  | { type: 'AGENT_BUSY' }
  | { type: 'AGENT_SILENT' }
  /** Timer events, sent by the runtime when a timer this machine started expires. */
  | { type: 'MIN_ENDPOINTING_ELAPSED' }
  | { type: 'MAX_ENDPOINTING_ELAPSED' }
  | { type: 'USER_AWAY_TIMEOUT' }
  | { type: 'CLOSE' };

/** The timers the machine asks the runtime for, by name. */
export type UserTurnTimer = 'minEndpointing' | 'maxEndpointing' | 'userAway';

export const USER_TURN_TAGS = Object.freeze({ userSpeaking: 'userSpeaking', endpointing: 'endpointing' });

/** The language's first subtag, lower case: 'en-US' → 'en'. */
export const baseLanguage = (lang: string) => lang.toLowerCase().split(/[-_]/)[0] ?? '';

/** The end-of-turn model's probability is below the language's threshold: the user may go on. */
const eotUnlikely = (c: UserTurnContext) => {
  const threshold = c.options.unlikelyThresholds[baseLanguage(c.language)];
  return threshold !== undefined && c.eotProbability !== null && c.eotProbability < threshold;
};
const hasText = (c: UserTurnContext) => c.text !== '';

export const userTurnMachine = setup({
  types: {
    context: {} as UserTurnContext,
    events: {} as UserTurnEvent,
    input: {} as UserTurnInput | undefined,
  },
  actions: {
    // Provided by the runtime; no-ops keep the machine pure and traversable.
    /** Start timer `timer` for `ms`; it comes back as its event unless cancelled first. */
    startTimer: (_, _params: { timer: UserTurnTimer; ms: number }) => {},
    cancelTimer: (_, _params: { timer: UserTurnTimer }) => {},
    /** `usePreemptive`: the preemptive generation running was started for exactly `text`. */
    commitUserTurn: (_, _params: { text: string; turn: number; usePreemptive: boolean }) => {},
    /** Start the LLM on the prospective turn `text` (cancelling one running for an older text). */
    startPreemptive: (_, _params: { text: string }) => {},
    /** Cancel the preemptive generation, if one runs. */
    cancelPreemptive: () => {},
    predictEndOfTurn: () => {},
    userStateChanged: (_, _params: { oldState: UserState; newState: UserState }) => {},
    addText: assign({
      text: ({ context, event }) => (event.type === 'FINAL_TRANSCRIPT' ? [context.text, event.text.trim()].filter((x) => x !== '').join(' ') : context.text),
      language: ({ context, event }) => (event.type === 'FINAL_TRANSCRIPT' && event.language ? event.language : context.language),
      newFinal: ({ context, event }) => context.newFinal || (event.type === 'FINAL_TRANSCRIPT' && event.text.trim() !== ''),
    }),
    // A new stretch of speech: the model's answer and the STT's end of speech were about the last pause.
    speechStarted: assign({ eotProbability: null, sttEnded: false, newFinal: false }),
    speechEnded: assign({ endLagMs: ({ event }) => (event.type === 'USER_SPEECH_ENDED' ? Math.max(0, event.lagMs ?? 0) : 0) }),
    sttEnded: assign({ sttEnded: true }),
    eotPredicted: assign({ eotProbability: ({ event }) => (event.type === 'EOT_PREDICTED' ? event.probability : null) }),
    requestCommit: assign({ commitRequested: true }),
    resetTurn: assign({ text: '', eotProbability: null, sttEnded: false, commitRequested: false, endLagMs: 0, newFinal: false }),
    countCommit: assign({ committed: ({ context }) => context.committed + 1 }),
    preemptiveStarted: assign({ preemptive: ({ context }) => context.text }),
    preemptiveCleared: assign({ preemptive: null }),
    agentBusy: assign({ agentBusy: true }),
    agentSilent: assign({ agentBusy: false }),
  },
  guards: {
    hasText: ({ context }) => hasText(context),
    noText: ({ context }) => !hasText(context),
    commitRequested: ({ context }) => context.commitRequested && hasText(context),
    readyAtMin: ({ context: c }) => {
      if (!hasText(c)) return false;
      switch (c.options.turnDetection) {
        case 'vad':
          return true;
        case 'eot':
          return c.eotProbability !== null && !eotUnlikely(c);
        case 'stt':
          return c.sttEnded;
        case 'manual':
          return false;
      }
    },
    // At the maximum the model's answer no longer matters (nor its absence: it failed or is slow).
    readyAtMax: ({ context: c }) => hasText(c) && (c.options.turnDetection === 'vad' || c.options.turnDetection === 'eot' || (c.options.turnDetection === 'stt' && c.sttEnded)),
    agentBusy: ({ context }) => context.agentBusy,
    // Not while the agent thinks or speaks (LiveKit: not while a speech is active); again when the text changed.
    // On a final transcript: not at the end of a speech whose words have not come yet (the text would be an old one).
    shouldPreempt: ({ context: c }) => c.options.preemptiveGeneration && hasText(c) && c.newFinal && !c.agentBusy && c.preemptive !== c.text,
    // The transcript changed while the agent is busy: the running one is for an old text.
    preemptiveStale: ({ context: c }) => c.preemptive !== null && c.preemptive !== c.text,
    awayDisabled: ({ context }) => context.options.userAwayTimeout === null,
  },
}).createMachine({
  id: 'userTurn',
  context: ({ input }) => ({
    options: resolveUserTurnOptions(input),
    text: '',
    language: '',
    eotProbability: null,
    sttEnded: false,
    commitRequested: false,
    endLagMs: 0,
    agentBusy: false,
    committed: 0,
    preemptive: null,
    newFinal: false,
  }),
  initial: 'active',
  states: {
    active: {
      type: 'parallel',
      on: {
        CLOSE: { target: 'closed', actions: ['cancelPreemptive', 'preemptiveCleared'] },
        FINAL_TRANSCRIPT: { actions: 'addText' },
        STT_END_OF_SPEECH: { actions: 'sttEnded' },
        COMMIT: { actions: 'requestCommit' },
        AGENT_BUSY: { actions: 'agentBusy' },
        AGENT_SILENT: { actions: 'agentSilent' },
      },
      states: {
        turn: {
          initial: 'listening',
          on: {
            // Forget what the user said so far (the user goes on speaking, if speaking).
            CLEAR: { actions: ['cancelPreemptive', 'preemptiveCleared', 'resetTurn'] },
          },
          states: {
            // The user is silent and nothing is pending; a transcript with no speech the VAD saw is endpointed from now.
            listening: {
              on: { USER_SPEECH_STARTED: { target: 'userSpeaking', actions: 'speechStarted' } },
              always: [{ guard: 'commitRequested', target: 'committed' }, { guard: 'hasText', target: 'endpointing' }],
            },
            userSpeaking: {
              tags: [USER_TURN_TAGS.userSpeaking],
              on: { USER_SPEECH_ENDED: { target: 'endpointing', actions: 'speechEnded' } },
            },
            // The user paused: is the turn over? Each new pause starts the delays again.
            endpointing: {
              tags: [USER_TURN_TAGS.endpointing],
              initial: 'waitingMin',
              on: {
                // LiveKit #5509: a reply prepared for what the user said is never played over the user speaking again.
                USER_SPEECH_STARTED: { target: 'userSpeaking', actions: ['speechStarted', 'cancelPreemptive', 'preemptiveCleared'] },
                EOT_PREDICTED: { actions: 'eotPredicted' },
                MAX_ENDPOINTING_ELAPSED: '.afterMax',
              },
              // Counted from when the user stopped speaking, not from when the VAD noticed.
              entry: { type: 'startTimer', params: ({ context }) => ({ timer: 'maxEndpointing' as const, ms: Math.max(0, context.options.maxEndpointingDelay - context.endLagMs) }) },
              exit: { type: 'cancelTimer', params: { timer: 'maxEndpointing' } },
              always: [
                { guard: 'commitRequested', target: 'committed' },
                { guard: 'shouldPreempt', actions: [{ type: 'startPreemptive', params: ({ context }) => ({ text: context.text }) }, 'preemptiveStarted'] },
                { guard: 'preemptiveStale', actions: ['cancelPreemptive', 'preemptiveCleared'] },
              ],
              states: {
                waitingMin: {
                  entry: [
                    { type: 'predictEndOfTurn' },
                    { type: 'startTimer', params: ({ context }) => ({ timer: 'minEndpointing' as const, ms: Math.max(0, context.options.minEndpointingDelay - context.endLagMs) }) },
                  ],
                  exit: { type: 'cancelTimer', params: { timer: 'minEndpointing' } },
                  on: { MIN_ENDPOINTING_ELAPSED: 'afterMin' },
                },
                afterMin: { always: [{ guard: 'readyAtMin', target: '#userTurn.active.turn.committed' }] },
                afterMax: {
                  always: [
                    { guard: 'readyAtMax', target: '#userTurn.active.turn.committed' },
                    // A pause after a wordless sound (a cough): no turn. A late transcript starts endpointing again.
                    { guard: 'noText', target: '#userTurn.active.turn.listening' },
                  ],
                },
              },
            },
            // The turn goes to the agent, exactly once: the text is spent in the same step.
            committed: {
              entry: [
                { type: 'commitUserTurn', params: ({ context }) => ({ text: context.text, turn: context.committed + 1, usePreemptive: context.preemptive !== null && context.preemptive === context.text }) },
                'countCommit',
                'resetTurn',
                'preemptiveCleared',
              ],
              always: 'listening',
            },
          },
        },
        presence: {
          initial: 'listening',
          states: {
            listening: {
              initial: 'quiet',
              on: { USER_SPEECH_STARTED: { target: 'speaking', actions: { type: 'userStateChanged', params: { oldState: 'listening', newState: 'speaking' } } } },
              states: {
                // Both sides silent: the away timer runs.
                quiet: {
                  always: [{ guard: 'agentBusy', target: 'agentBusy' }, { guard: 'awayDisabled', target: 'awayOff' }],
                  entry: { type: 'startTimer', params: ({ context }) => ({ timer: 'userAway' as const, ms: context.options.userAwayTimeout ?? 0 }) },
                  exit: { type: 'cancelTimer', params: { timer: 'userAway' } },
                  on: { USER_AWAY_TIMEOUT: { target: '#userTurn.active.presence.away', actions: { type: 'userStateChanged', params: { oldState: 'listening', newState: 'away' } } } },
                },
                agentBusy: { on: { AGENT_SILENT: { target: 'quiet', actions: 'agentSilent' } } },
                // userAwayTimeout null: never away.
                awayOff: { always: [{ guard: 'agentBusy', target: 'agentBusy' }] },
              },
            },
            speaking: {
              on: { USER_SPEECH_ENDED: { target: 'listening', actions: { type: 'userStateChanged', params: { oldState: 'speaking', newState: 'listening' } } } },
            },
            away: {
              on: { USER_SPEECH_STARTED: { target: 'speaking', actions: { type: 'userStateChanged', params: { oldState: 'away', newState: 'speaking' } } } },
            },
          },
        },
      },
    },
    closed: { type: 'final' },
  },
});

/**
 * Fills in LiveKit's defaults and checks the values.
 * @example resolveUserTurnOptions({ turnDetection: 'eot' }).maxEndpointingDelay // 3000
 */
export function resolveUserTurnOptions(o: UserTurnInput | undefined): UserTurnOptions {
  const defined = Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<UserTurnOptions>;
  const r: UserTurnOptions = { ...DEFAULT_USER_TURN_OPTIONS, ...defined };
  const bad = (what: string) => {
    throw new RangeError(`user turn options: ${what}`);
  };
  if (!['vad', 'stt', 'eot', 'manual'].includes(r.turnDetection)) bad(`turnDetection must be 'vad', 'stt', 'eot' or 'manual', got ${String(r.turnDetection)}`);
  if (!(Number.isFinite(r.minEndpointingDelay) && r.minEndpointingDelay >= 0)) bad(`minEndpointingDelay must be a non-negative number of ms, got ${String(r.minEndpointingDelay)}`);
  if (!(Number.isFinite(r.maxEndpointingDelay) && r.maxEndpointingDelay >= r.minEndpointingDelay)) bad(`maxEndpointingDelay must be a number of ms ≥ minEndpointingDelay (${r.minEndpointingDelay}), got ${String(r.maxEndpointingDelay)}`);
  if (r.userAwayTimeout !== null && !(Number.isFinite(r.userAwayTimeout) && r.userAwayTimeout > 0)) bad(`userAwayTimeout must be null or a positive number of ms, got ${String(r.userAwayTimeout)}`);
  if (typeof r.preemptiveGeneration !== 'boolean') bad(`preemptiveGeneration must be a boolean, got ${String(r.preemptiveGeneration)}`);
  if (!r.unlikelyThresholds || typeof r.unlikelyThresholds !== 'object') bad('unlikelyThresholds must be an object of language → probability');
  for (const [lang, p] of Object.entries(r.unlikelyThresholds)) if (!(typeof p === 'number' && p >= 0 && p <= 1)) bad(`unlikelyThresholds.${lang} must be a probability in [0, 1], got ${String(p)}`);
  return r;
}
