import { assign, setup } from 'xstate';

/**
 * Barge-in policy: when the user's voice interrupts the agent, LiveKit's semantics as one statechart.
 *
 *   idle ─USER_SPEECH_STARTED→ userSpeaking.measuring ─MIN_DURATION_ELAPSED→ userSpeaking.long
 *   userSpeaking.long (agent audible, interruptible, words ok) ─→ holding.userSpeaking (pauseSpeech)
 *       or, with no false-interruption resume or an output that cannot pause, interruptSpeech at once
 *   holding.userSpeaking ─USER_SPEECH_ENDED→ holding.awaitingWords ─FALSE_INTERRUPTION_TIMEOUT→ idle (resumeSpeech)
 *   holding.userSpeaking ─USER_SPEECH_ENDED, voiced less than the minimum→ idle (resumeSpeech: a noise)
 *   holding.* + enough words → interruptSpeech (a real interruption)
 *   a wordless interrupt on duration ─USER_SPEECH_ENDED→ interruptedAwaitingWords
 *       ─FALSE_INTERRUPTION_TIMEOUT→ idle (reportFalseInterruption: nothing to resume)
 *   idle + a final transcript → commitUserTurn (end of turn), declineUserTurn (too few words; the
 *       transcript is kept and counts toward the next) or dropUserTurn (over an uninterruptible speech)
 *   every non-final state ─CLOSE→ closed (a held speech is resumed first)
 *
 * With a VAD, the minimum duration applies to transcripts too: words interrupt only speech that has
 * lasted the minimum (LiveKit's regression #3515). Without one (transcripts only), words interrupt at once.
 *
 * Pure: no timers and no I/O. Timers are requested by name (`startMinDurationTimer`,
 * `startFalseInterruptionTimer` on entry of the one state each belongs to, `cancel…` on its exit) and
 * come back as `MIN_DURATION_ELAPSED` / `FALSE_INTERRUPTION_TIMEOUT`, which only those states handle,
 * so a late timer event is ignored. Effects on the agent are named actions the runtime provides:
 * `pauseSpeech`, `resumeSpeech`, `interruptSpeech`, `reportFalseInterruption`, `commitUserTurn`,
 * `declineUserTurn`, `dropUserTurn`.
 *
 * It never holds a playout waiter: nobody awaits this machine. The hold on agent audio is the speech
 * handle's own `paused` state, whose waiters keep waiting and which settles them at once on the
 * speech's INTERRUPT (from the API, a tool, or `interruptSpeech` here) whatever this machine's timers
 * are doing. So this machine has no INTERRUPT event: it learns that the held speech ended through
 * `AGENT_SILENT`, which drops the hold and its timer without touching the speech. CLOSE never leaves a
 * speech held: leaving `holding` on CLOSE runs `resumeSpeech`, and leaving a timer's state cancels it.
 */

/** The policy, with LiveKit's names and defaults (durations in milliseconds, as in agents-js). */
export interface BargeInOptions {
  /** User speech shorter than this never interrupts (a cough, a click). Default 500. */
  minInterruptionDuration: number;
  /** Words the transcript needs before the user's speech interrupts; 0 = duration alone suffices. Default 0. */
  minInterruptionWords: number;
  /**
   * After a barge-in with no words, how long to wait (from the end of the user's speech) for a
   * transcript before calling it a false interruption; null disables pause-and-resume. Default 2000.
   */
  falseInterruptionTimeout: number | null;
  /** Pause the agent on a barge-in and resume it after a false interruption (else interrupt at once). Default true. */
  resumeFalseInterruption: boolean;
  /** Drop what the user says while an uninterruptible speech plays (no user turn from it). Default true. */
  discardAudioIfUninterruptible: boolean;
}

export const DEFAULT_BARGE_IN_OPTIONS: Readonly<BargeInOptions> = Object.freeze({
  minInterruptionDuration: 500,
  minInterruptionWords: 0,
  falseInterruptionTimeout: 2000,
  resumeFalseInterruption: true,
  discardAudioIfUninterruptible: true,
});

export type BargeInInput = Partial<BargeInOptions>;

export interface BargeInContext {
  options: BargeInOptions;
  /** The session has a current speech that is not over (audible, or waiting for its tools). */
  agentSpeaking: boolean;
  /** That speech's audio is playing or about to (generating, playing out, or held): there is something to hold. */
  agentAudible: boolean;
  /** The current speech's allowInterruptions (meaningful while agentSpeaking). */
  allowInterruptions: boolean;
  /** The audio output can hold audio: a barge-in pauses it; else it interrupts at once (as LiveKit). */
  canPause: boolean;
  /** Final transcripts of declined turns (too few words): kept, they count toward the next turn's words and text. */
  keptText: string;
  /** Final transcripts of the user turn not yet committed. */
  finalText: string;
  /** The latest interim transcript (replaced by each interim, cleared by a final). */
  interimText: string;
  /** The user turn began (or was transcribed) over an uninterruptible speech: it is dropped. */
  discardTurn: boolean;
  /**
   * What the VAD measured of the user's latest speech: `none` (no VAD speech this turn: transcripts
   * alone), `short` (below the minimum duration so far, or voiced less than it), `long`.
   */
  vadSpeech: 'none' | 'short' | 'long';
  /** The agent was interrupted on duration alone: words or the false-interruption timeout decide what it was. */
  interruptedWithoutWords: boolean;
}

export type BargeInEvent =
  /** VAD: the user started speaking. */
  | { type: 'USER_SPEECH_STARTED' }
  /**
   * VAD: the user stopped speaking. `voicedMs`: how long the speech lasted without the VAD's trailing
   * silence (end of speech − start), when known; shorter than the minimum duration, it was a noise.
   */
  | { type: 'USER_SPEECH_ENDED'; voicedMs?: number }
  | { type: 'INTERIM_TRANSCRIPT'; text: string }
  | { type: 'FINAL_TRANSCRIPT'; text: string }
  /**
   * The session has a current speech (sent again when its audibility changes): `audible` (default
   * true) while its audio plays or is about to; false while it only waits for its tools.
   */
  | { type: 'AGENT_SPEAKING'; allowInterruptions: boolean; audible?: boolean; canPause?: boolean }
  /** The current speech is over (done, interrupted, failed), or there is none. */
  | { type: 'AGENT_SILENT' }
  /** Timer events, sent by the runtime when a timer this machine started expires. */
  | { type: 'MIN_DURATION_ELAPSED' }
  | { type: 'FALSE_INTERRUPTION_TIMEOUT' }
  | { type: 'CLOSE' };

/** Tags: which timer a state runs, and whether it holds the agent's speech paused. */
export const BARGE_IN_TAGS = Object.freeze({
  minDurationTimer: 'minDurationTimer',
  falseInterruptionTimer: 'falseInterruptionTimer',
  holdsSpeech: 'holdsSpeech',
  userSpeaking: 'userSpeaking',
});

/**
 * Counts words as an STT would: runs of letters or digits (apostrophes inside words kept).
 * @example countWords("wait, don't go") // 3
 */
export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu)?.length ?? 0;
}

/** Words of the turn so far: kept (declined) finals, finals and the latest interim. */
export const wordsOf = (c: Pick<BargeInContext, 'keptText' | 'finalText' | 'interimText'>) => countWords(c.keptText) + countWords(c.finalText) + countWords(c.interimText);
const agentInterruptible = (c: BargeInContext) => c.agentSpeaking && c.allowInterruptions && !c.discardTurn;
/**
 * The transcript alone proves a real interruption: at least one word, at least the minimum, and (with
 * a VAD) speech that lasted the minimum duration.
 */
const wordsConfirm = (c: BargeInContext) => c.vadSpeech !== 'short' && wordsOf(c) >= Math.max(1, c.options.minInterruptionWords);
/** The word requirement that long speech must also meet (none when the minimum is 0). */
const wordsMet = (c: BargeInContext) => wordsOf(c) >= c.options.minInterruptionWords;
const pauseMode = (c: BargeInContext) => c.options.resumeFalseInterruption && c.options.falseInterruptionTimeout !== null;
const joinText = (...parts: string[]) => parts.map((x) => x.trim()).filter((x) => x !== '').join(' ');
const voicedTooShort = (c: BargeInContext, e: BargeInEvent) => e.type === 'USER_SPEECH_ENDED' && e.voicedMs !== undefined && e.voicedMs < c.options.minInterruptionDuration;

// Interrupting ends the audible speech; the runtime's AGENT_SILENT confirms it later. Marking it now
// keeps the eventless transitions below from interrupting twice, and the interim words are spent:
// only a new transcript (or the turn's final) may interrupt a speech that starts later.
const interrupt = ['interruptSpeech', 'spendInterruption'] as const;

/** A held speech that can no longer be held is let go (resumed); the state it goes to decides what follows. */
const releaseUnholdable = <T extends string>(target: T) => ({
  guard: 'unholdable' as const,
  target,
  actions: ['agentSpeaking' as const, { type: 'resumeSpeech' as const, params: { reason: 'released' as const } }],
});

/** Words confirm a real interruption of an audible, interruptible speech: interrupt now, whatever the timers. */
const interruptOnWords = { guard: 'interruptOnWords', actions: interrupt } as const;

export const bargeInMachine = setup({
  types: {
    context: {} as BargeInContext,
    events: {} as BargeInEvent,
    input: {} as BargeInInput | undefined,
  },
  actions: {
    // Provided by the runtime; no-ops keep the machine pure and traversable.
    startMinDurationTimer: () => {},
    cancelMinDurationTimer: () => {},
    startFalseInterruptionTimer: () => {},
    cancelFalseInterruptionTimer: () => {},
    pauseSpeech: () => {},
    resumeSpeech: (_, _params: { reason: 'falseInterruption' | 'tooShort' | 'released' | 'close' }) => {},
    interruptSpeech: () => {},
    /** The false-interruption timeout passed after a wordless interrupt: nothing was held, nothing resumes. */
    reportFalseInterruption: () => {},
    commitUserTurn: (_, _params: { text: string }) => {},
    /** A turn with fewer words than the minimum while the agent speaks: not committed, its transcript kept. */
    declineUserTurn: (_, _params: { text: string; words: number }) => {},
    dropUserTurn: (_, _params: { text: string; reason: 'uninterruptible' }) => {},
    agentSpeaking: assign({
      agentSpeaking: true,
      agentAudible: ({ event }) => (event.type === 'AGENT_SPEAKING' ? event.audible !== false : true),
      allowInterruptions: ({ event }) => (event.type === 'AGENT_SPEAKING' ? event.allowInterruptions : true),
      canPause: ({ event }) => (event.type === 'AGENT_SPEAKING' ? event.canPause !== false : true),
    }),
    markAgentSilent: assign({ agentSpeaking: false, agentAudible: false }),
    spendInterruption: assign({ agentSpeaking: false, agentAudible: false, interimText: '' }),
    markInterruptedWithoutWords: assign({ interruptedWithoutWords: true }),
    // A user turn that starts over an uninterruptible speech is dropped, when the policy says so.
    startTurn: assign({
      discardTurn: ({ context: c }) =>
        c.discardTurn || (c.options.discardAudioIfUninterruptible && c.agentSpeaking && !c.allowInterruptions),
      vadSpeech: 'short' as const,
    }),
    speechLong: assign({ vadSpeech: 'long' as const }),
    // The VAD's end of speech comes after its trailing silence: what was voiced decides.
    speechEnded: assign({ vadSpeech: ({ context: c, event }) => (voicedTooShort(c, event) ? ('short' as const) : c.vadSpeech) }),
    interim: assign({
      interimText: ({ event }) => (event.type === 'INTERIM_TRANSCRIPT' ? event.text : ''),
      discardTurn: ({ context: c }) =>
        c.discardTurn || (c.options.discardAudioIfUninterruptible && c.agentSpeaking && !c.allowInterruptions),
    }),
    final: assign({
      finalText: ({ context, event }) => (event.type === 'FINAL_TRANSCRIPT' ? joinText(context.finalText, event.text) : context.finalText),
      interimText: '',
      discardTurn: ({ context: c }) =>
        c.discardTurn || (c.options.discardAudioIfUninterruptible && c.agentSpeaking && !c.allowInterruptions),
    }),
    keepDeclined: assign({ keptText: ({ context: c }) => joinText(c.keptText, c.finalText), finalText: '', interimText: '' }),
    resetTurn: assign({ keptText: '', finalText: '', interimText: '', discardTurn: false, interruptedWithoutWords: false }),
    clearFalseInterruption: assign({ interruptedWithoutWords: false }),
  },
  guards: {
    interruptOnWords: ({ context }) => agentInterruptible(context) && wordsConfirm(context),
    // Something to hold: pause and wait for words. Nothing audible (the speech waits for its tools):
    // wait for words or the end of the turn. Without pause-and-resume: interrupt on duration alone.
    // An output that cannot pause is interrupted at once (as LiveKit): holding it would let it play on.
    pauseOnDuration: ({ context }) =>
      agentInterruptible(context) && context.agentAudible && wordsMet(context) && pauseMode(context) && context.canPause,
    interruptOnDuration: ({ context }) =>
      agentInterruptible(context) && wordsMet(context) && (!pauseMode(context) || (context.agentAudible && !context.canPause)),
    /** The held speech's next step starts (a tool reply after a silent tool step): hold it too. */
    becomesAudible: ({ context, event }) => event.type === 'AGENT_SPEAKING' && event.audible !== false && !context.agentAudible,
    voicedTooShort: ({ context, event }) => voicedTooShort(context, event),
    /** The held speech can no longer be held: it turned uninterruptible, or the output cannot pause. */
    unholdable: ({ event }) => event.type === 'AGENT_SPEAKING' && (!event.allowInterruptions || event.canPause === false),
    /** After a wordless interrupt, the user stopped with no words yet: the timeout decides. */
    awaitWordsAfterInterrupt: ({ context }) =>
      context.interruptedWithoutWords && context.options.falseInterruptionTimeout !== null && wordsOf(context) === 0 && !context.discardTurn,
    hasWords: ({ context }) => wordsOf(context) > 0 || context.finalText !== '',
    hasFinal: ({ context }) => context.finalText !== '',
    dropUninterruptible: ({ context }) => context.finalText !== '' && context.discardTurn,
    // LiveKit's backchannel rule: a turn with fewer words than the minimum does not cut the agent;
    // its transcript stays, so the next words add up to it.
    declineTooFewWords: ({ context }) =>
      context.finalText !== '' &&
      context.options.minInterruptionWords > 0 &&
      context.agentSpeaking &&
      context.allowInterruptions &&
      countWords(context.keptText) + countWords(context.finalText) < context.options.minInterruptionWords,
    finalWhileInterruptible: ({ context }) => context.finalText !== '' && context.agentSpeaking && context.allowInterruptions,
    hasText: ({ event }) => (event.type === 'FINAL_TRANSCRIPT' || event.type === 'INTERIM_TRANSCRIPT') && event.text.trim() !== '',
  },
}).createMachine({
  id: 'bargeIn',
  context: ({ input }) => ({
    options: resolveBargeInOptions(input),
    agentSpeaking: false,
    agentAudible: false,
    allowInterruptions: true,
    canPause: true,
    keptText: '',
    finalText: '',
    interimText: '',
    discardTurn: false,
    vadSpeech: 'none',
    interruptedWithoutWords: false,
  }),
  initial: 'idle',
  on: {
    AGENT_SPEAKING: { actions: 'agentSpeaking' },
    AGENT_SILENT: { actions: 'markAgentSilent' },
    INTERIM_TRANSCRIPT: { actions: 'interim' },
    FINAL_TRANSCRIPT: { guard: 'hasText', actions: 'final' },
  },
  states: {
    // The user is silent. A pending final transcript means the user turn has ended: commit or drop it.
    idle: {
      on: {
        USER_SPEECH_STARTED: { target: 'userSpeaking', actions: 'startTurn' },
        CLOSE: 'closed',
      },
      always: [
        {
          guard: 'dropUninterruptible',
          actions: [{ type: 'dropUserTurn', params: ({ context }) => ({ text: context.finalText, reason: 'uninterruptible' as const }) }, 'resetTurn'],
        },
        {
          guard: 'declineTooFewWords',
          actions: [
            { type: 'declineUserTurn', params: ({ context }) => ({ text: context.finalText, words: countWords(context.keptText) + countWords(context.finalText) }) },
            'keepDeclined',
          ],
        },
        {
          guard: 'finalWhileInterruptible',
          actions: [...interrupt, { type: 'commitUserTurn', params: ({ context }) => ({ text: joinText(context.keptText, context.finalText) }) }, 'resetTurn'],
        },
        { guard: 'hasFinal', actions: [{ type: 'commitUserTurn', params: ({ context }) => ({ text: joinText(context.keptText, context.finalText) }) }, 'resetTurn'] },
        // Words that arrive after the user stopped (STT lags the VAD) still interrupt, if the speech lasted.
        interruptOnWords,
      ],
    },
    userSpeaking: {
      tags: [BARGE_IN_TAGS.userSpeaking],
      initial: 'measuring',
      on: {
        USER_SPEECH_ENDED: [
          { guard: 'awaitWordsAfterInterrupt', target: 'interruptedAwaitingWords', actions: 'speechEnded' },
          { target: 'idle', actions: 'speechEnded' },
        ],
        CLOSE: 'closed',
      },
      states: {
        // Too short so far to interrupt (a cough may still end here). Words wait too: with a VAD, the
        // minimum duration applies to transcripts (LiveKit's regression #3515).
        measuring: {
          tags: [BARGE_IN_TAGS.minDurationTimer],
          entry: 'startMinDurationTimer',
          exit: 'cancelMinDurationTimer',
          on: { MIN_DURATION_ELAPSED: { target: 'long', actions: 'speechLong' } },
        },
        // Long enough: an audible, interruptible speech is paused (or interrupted) as soon as there is one.
        long: {
          always: [
            interruptOnWords,
            { guard: 'pauseOnDuration', target: '#bargeIn.holding', actions: 'pauseSpeech' },
            { guard: 'interruptOnDuration', actions: [...interrupt, 'markInterruptedWithoutWords'] },
          ],
        },
      },
    },
    // The agent's speech is paused by this machine, waiting to learn whether the barge-in is real.
    holding: {
      tags: [BARGE_IN_TAGS.holdsSpeech],
      initial: 'userSpeaking',
      on: {
        CLOSE: { target: 'closed', actions: { type: 'resumeSpeech', params: { reason: 'close' } } },
        // The held speech stays held between its steps: a step that only called a tool ends (nothing
        // audible while its tool runs), and its tool reply is held as soon as it starts.
        AGENT_SPEAKING: [{ guard: 'becomesAudible', actions: ['agentSpeaking', 'pauseSpeech'] }, { actions: 'agentSpeaking' }],
      },
      states: {
        userSpeaking: {
          tags: [BARGE_IN_TAGS.userSpeaking],
          on: {
            USER_SPEECH_ENDED: [
              // Voiced less than the minimum (the rest was the VAD's trailing silence): a noise, resume now.
              { guard: 'voicedTooShort', target: '#bargeIn.idle', actions: ['speechEnded', { type: 'resumeSpeech', params: { reason: 'tooShort' } }] },
              { target: 'awaitingWords', actions: 'speechEnded' },
            ],
            // The held speech ended without us (API interrupt, or its audio ran out): nothing to resume.
            AGENT_SILENT: { target: '#bargeIn.userSpeaking.long', actions: 'markAgentSilent' },
            AGENT_SPEAKING: releaseUnholdable('#bargeIn.userSpeaking.long'),
          },
          always: [{ ...interruptOnWords, target: '#bargeIn.userSpeaking.long' }],
        },
        // The user stopped with no words yet: the transcript has until the timeout to arrive.
        awaitingWords: {
          tags: [BARGE_IN_TAGS.falseInterruptionTimer],
          entry: 'startFalseInterruptionTimer',
          exit: 'cancelFalseInterruptionTimer',
          on: {
            USER_SPEECH_STARTED: { target: 'userSpeaking', actions: 'startTurn' },
            FALSE_INTERRUPTION_TIMEOUT: { target: '#bargeIn.idle', actions: { type: 'resumeSpeech', params: { reason: 'falseInterruption' } } },
            AGENT_SILENT: { target: '#bargeIn.idle', actions: 'markAgentSilent' },
            AGENT_SPEAKING: releaseUnholdable('#bargeIn.idle'),
          },
          always: [{ ...interruptOnWords, target: '#bargeIn.idle' }],
        },
      },
    },
    // The agent was interrupted on duration alone (it could not be held) and the user stopped with no
    // words: words (or the turn's final) make it a real interruption; the timeout a false one, reported.
    interruptedAwaitingWords: {
      tags: [BARGE_IN_TAGS.falseInterruptionTimer],
      entry: 'startFalseInterruptionTimer',
      exit: 'cancelFalseInterruptionTimer',
      on: {
        USER_SPEECH_STARTED: { target: 'userSpeaking', actions: 'startTurn' },
        FALSE_INTERRUPTION_TIMEOUT: { target: 'idle', actions: ['reportFalseInterruption', 'clearFalseInterruption'] },
        CLOSE: 'closed',
      },
      always: [{ guard: 'hasWords', target: 'idle', actions: 'clearFalseInterruption' }],
    },
    closed: { type: 'final' },
  },
});

/**
 * Fills in LiveKit's defaults and checks the values.
 * @example resolveBargeInOptions({ minInterruptionWords: 2 }).falseInterruptionTimeout // 2000
 */
export function resolveBargeInOptions(o: BargeInInput | undefined): BargeInOptions {
  const r: BargeInOptions = { ...DEFAULT_BARGE_IN_OPTIONS, ...definedOnly(o ?? {}) };
  const bad = (what: string) => {
    throw new RangeError(`barge-in options: ${what}`);
  };
  if (!(Number.isFinite(r.minInterruptionDuration) && r.minInterruptionDuration >= 0)) bad(`minInterruptionDuration must be a non-negative number of ms, got ${String(r.minInterruptionDuration)}`);
  if (!(Number.isInteger(r.minInterruptionWords) && r.minInterruptionWords >= 0)) bad(`minInterruptionWords must be a non-negative integer, got ${String(r.minInterruptionWords)}`);
  if (r.falseInterruptionTimeout !== null && !(Number.isFinite(r.falseInterruptionTimeout) && r.falseInterruptionTimeout >= 0))
    bad(`falseInterruptionTimeout must be null or a non-negative number of ms, got ${String(r.falseInterruptionTimeout)}`);
  if (typeof r.resumeFalseInterruption !== 'boolean') bad('resumeFalseInterruption must be a boolean');
  if (typeof r.discardAudioIfUninterruptible !== 'boolean') bad('discardAudioIfUninterruptible must be a boolean');
  return r;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
