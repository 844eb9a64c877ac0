import { createActor, type Actor, type Subscription } from 'xstate';
import { bargeInMachine, resolveBargeInOptions, type BargeInInput, type BargeInOptions } from '../../machines/barge-in.machine.js';
import type { AgentSession, InspectObserver } from '../agent-session.js';
import type { Clock } from '../ports/clock.js';
import { InvalidArgumentError } from '../errors.js';
import type { SpeechHandle } from '../speech-handle.js';

/** What the barge-in runtime did, for logs, timelines and tests. `atMs` is clock time. */
export type BargeInActivity =
  | { type: 'paused'; atMs: number; speechId: string }
  | { type: 'resumed'; atMs: number; speechId: string; reason: 'falseInterruption' | 'tooShort' | 'released' | 'close' }
  | { type: 'interrupted'; atMs: number; speechId: string | undefined }
  /** A barge-in that brought no words before the timeout (or a noise): `agent_false_interruption` was emitted. */
  | { type: 'falseInterruption'; atMs: number; speechId: string | undefined; resumed: boolean }
  | { type: 'userTurnCommitted'; atMs: number; text: string; speechId: string | undefined }
  /** Too few words while the agent speaks: no turn, but the transcript is kept and counts toward the next. */
  | { type: 'userTurnDeclined'; atMs: number; text: string; words: number }
  | { type: 'userTurnDropped'; atMs: number; text: string; reason: 'uninterruptible' };

export interface AttachBargeInOptions {
  /** Runs the policy's timers (a VirtualClock in tests). */
  clock: Clock;
  /** LiveKit's policy options; LiveKit's defaults for the rest. */
  options?: BargeInInput;
  /** An XState inspection observer (pass the session's, so the barge-in lane shows up beside the others). */
  inspect?: InspectObserver;
  /** Told about each effect the policy had on the agent. */
  onActivity?: (a: BargeInActivity) => void;
  /** Errors of effects (they never break the machine). Default: console.error. */
  onError?: (e: unknown) => void;
  /**
   * Takes the transcript of each user turn the policy accepts (the user-turn machine decides when the
   * turn ends). Without it, the policy answers each one at once with `generateReply({ userInput })`.
   */
  onUserTurn?: (text: string) => void;
}

export interface BargeIn {
  /** The running barge-in machine (inspect it, subscribe to it). */
  readonly actor: Actor<typeof bargeInMachine>;
  readonly options: Readonly<BargeInOptions>;
  /** VAD: the user started speaking. `atMs` is when the speech began (clock time), default now; detection lag shortens the minimum-duration wait. */
  userSpeechStarted(o?: { atMs?: number }): void;
  /**
   * VAD: the user stopped speaking. `atMs` is when the speech ended (clock time, before the VAD's
   * trailing silence); given, a speech voiced for less than the minimum duration is a noise.
   */
  userSpeechEnded(o?: { atMs?: number }): void;
  /** STT: an interim or final transcript of the user's current turn. */
  transcript(t: { text: string; final: boolean }): void;
  /** Stops the policy: a held speech is resumed, timers are cancelled, the session is left alone. Idempotent. */
  close(): void;
}

/** States of the speech handle in which its audio is (or is about to be) heard, and so can be held. */
function audible(h: SpeechHandle): boolean {
  const s = h.actor.getSnapshot();
  return s.status === 'active' && (s.matches({ active: 'generating' }) || s.matches({ active: 'playingOut' }) || s.matches({ active: 'paused' }));
}

/**
 * Wires the barge-in machine to a session: the user's voice (VAD events and transcripts) pauses,
 * resumes or interrupts the agent's current speech, and a final transcript at the end of the user's
 * turn becomes `session.generateReply({ userInput })`. The machine decides; this runtime provides
 * its timers (on `clock`) and effects, and tells it whether a speech is audible and interruptible.
 *
 * An interrupt here is the API's `session.interrupt()`: a tool waiting for its preamble is released
 * inside that call, and its signal aborts, exactly as with API input.
 *
 * @example
 * const bargeIn = attachBargeIn(session, { clock: realClock, options: { minInterruptionDuration: 500 } });
 * vadInput.on('speechStart', (e) => bargeIn.userSpeechStarted({ atMs: e.atMs }));
 * vadInput.on('speechEnd', () => bargeIn.userSpeechEnded());
 * stt.onTranscript((t) => bargeIn.transcript(t));
 */
export function attachBargeIn(session: AgentSession, o: AttachBargeInOptions): BargeIn {
  if (!session || typeof session.interrupt !== 'function') throw new InvalidArgumentError('attachBargeIn: session must be an AgentSession');
  if (!o || !o.clock || typeof o.clock.setTimeout !== 'function') throw new InvalidArgumentError('attachBargeIn: options.clock is required');
  const clock = o.clock;
  const options = resolveBargeInOptions(o.options);
  const report = o.onError ?? ((e: unknown) => console.error('[speechcharts] barge-in:', e));
  const tell = (a: BargeInActivity) => {
    try {
      o.onActivity?.(a);
    } catch (e) {
      report(e);
    }
  };
  // Effects run inside the machine's transitions: one that throws must not stop the machine.
  const safely = (fn: () => void) => () => {
    try {
      fn();
    } catch (e) {
      report(e);
    }
  };
  // Effects on the session move other actors (speech, scheduler, tools). They run right after this
  // machine's transition, before the call that sent the event returns: still synchronous for the
  // caller (a tool's wait rejects in the same call stack), but never nested inside a transition.
  const effects: (() => void)[] = [];
  let flushing = false;
  const afterTransition = (fn: () => void) => effects.push(safely(fn));
  // Run by the actor's observer, i.e. once each transition is complete (whoever sent the event).
  const flush = () => {
    if (flushing) return; // an effect sent an event: the loop below runs what that queued
    flushing = true;
    try {
      for (let fx = effects.shift(); fx; fx = effects.shift()) fx();
    } finally {
      flushing = false;
    }
  };
  const send = (ev: Parameters<Actor<typeof bargeInMachine>['send']>[0]) => actor.send(ev);

  let speechStartedAt = clock.now();
  /** When the user's latest speech ended (VAD, before its trailing silence), and when the latest final transcript came. */
  let userSpeechEndedAt: number | undefined;
  let lastFinalAt: number | undefined;
  let minTimer: unknown = null;
  let falseTimer: unknown = null;
  /** The speech this policy paused, so it resumes that one and no other. */
  let held: SpeechHandle | undefined;
  /** The speech this policy last interrupted (named in a later false-interruption report). */
  let interruptedId: string | undefined;
  let closed = false;

  const machine = bargeInMachine.provide({
    actions: {
      startMinDurationTimer: safely(() => {
        // The VAD reports a start after it has heard some speech: count that part too.
        const left = Math.max(0, options.minInterruptionDuration - (clock.now() - speechStartedAt));
        minTimer = clock.setTimeout(() => {
          minTimer = null;
          send({ type: 'MIN_DURATION_ELAPSED' });
        }, left);
      }),
      cancelMinDurationTimer: safely(() => {
        if (minTimer !== null) clock.clearTimeout(minTimer);
        minTimer = null;
      }),
      startFalseInterruptionTimer: safely(() => {
        falseTimer = clock.setTimeout(() => {
          falseTimer = null;
          send({ type: 'FALSE_INTERRUPTION_TIMEOUT' });
        }, options.falseInterruptionTimeout ?? 0);
      }),
      cancelFalseInterruptionTimer: safely(() => {
        if (falseTimer !== null) clock.clearTimeout(falseTimer);
        falseTimer = null;
      }),
      pauseSpeech: () =>
        afterTransition(() => {
          const h = session.activeSpeech;
          // Refused when someone else already holds it: then it is not ours to resume. The same
          // speech held again (its next step started during the hold) stays ours either way.
          if (h && h.pause()) {
            held = h;
            tell({ type: 'paused', atMs: clock.now(), speechId: h.id });
          } else if (h !== held) held = undefined;
        }),
      resumeSpeech: (_, { reason }) =>
        afterTransition(() => {
          const h = held;
          held = undefined;
          if (h?.resume()) tell({ type: 'resumed', atMs: clock.now(), speechId: h.id, reason });
          if (reason === 'close' || reason === 'released') return;
          // As LiveKit: resumed unless the held speech is over (its audio may be between steps: it plays on).
          const resumed = h !== undefined && !h.done();
          session._emitSessionEvent('agent_false_interruption', { resumed, speechId: h?.id });
          tell({ type: 'falseInterruption', atMs: clock.now(), speechId: h?.id, resumed });
        }),
      reportFalseInterruption: () =>
        afterTransition(() => {
          session._emitSessionEvent('agent_false_interruption', { resumed: false, speechId: interruptedId });
          tell({ type: 'falseInterruption', atMs: clock.now(), speechId: interruptedId, resumed: false });
        }),
      interruptSpeech: () =>
        afterTransition(() => {
          held = undefined;
          // As LiveKit: the user interrupts the speech the agent is busy with (a tool's status
          // speech, not the reply waiting for that tool); its tools' waits reject inside this call.
          const h = session.activeSpeech;
          interruptedId = h?.id;
          try {
            h?.interrupt();
          } catch (e) {
            report(e);
          }
          tell({ type: 'interrupted', atMs: clock.now(), speechId: h?.id });
        }),
      commitUserTurn: (_, { text }) =>
        afterTransition(() => {
          if (o.onUserTurn) return o.onUserTurn(text);
          if (session.closed) return;
          const h = session.generateReply({ userInput: text });
          const now = clock.now();
          // End of utterance, as far as this input can measure: the VAD's end of speech and the final transcript.
          const ended = userSpeechEndedAt ?? now;
          session._noteUserTurn(h.id, { speechEndedAtMs: ended, finalAtMs: lastFinalAt ?? now, committedAtMs: now });
          tell({ type: 'userTurnCommitted', atMs: clock.now(), text, speechId: h.id });
        }),
      declineUserTurn: (_, { text, words }) => tell({ type: 'userTurnDeclined', atMs: clock.now(), text, words }),
      dropUserTurn: (_, { text, reason }) => tell({ type: 'userTurnDropped', atMs: clock.now(), text, reason }),
    },
  });

  const actor = createActor(machine, { id: 'bargeIn', input: options, ...(o.inspect ? { inspect: o.inspect } : {}) });
  actor.subscribe({ next: flush, error: report });
  actor.start();

  // ── the agent, from the session's floor and its current speech's state ──
  let tracked: SpeechHandle | undefined;
  let trackedSub: Subscription | undefined;
  /** The speech last reported (AGENT_SILENT is sent before another one is reported), and whether it was audible. */
  let reported: SpeechHandle | undefined;
  let reportedAudible = false;
  const sync = () => {
    if (closed) return;
    const h = session.activeSpeech;
    if (h !== tracked) {
      trackedSub?.unsubscribe();
      tracked = h;
      trackedSub = h?.actor.subscribe({ next: sync, error: () => sync(), complete: sync });
    }
    const now = h && !h.done() ? h : undefined;
    const isAudible = now !== undefined && audible(now);
    if (now === reported && isAudible === reportedAudible) return;
    if (reported && now !== reported) send({ type: 'AGENT_SILENT' });
    reported = now;
    reportedAudible = isAudible;
    if (now) send({ type: 'AGENT_SPEAKING', allowInterruptions: now.allowInterruptions, audible: isAudible, canPause: session.canPauseAudio });
  };
  const schedulerSub = session.schedulerActor.subscribe({ next: sync });
  sync();

  const onSessionClose = () => close();
  session.on('close', onSessionClose);

  function close(): void {
    if (closed) return;
    send({ type: 'CLOSE' });
    closed = true;
    schedulerSub.unsubscribe();
    trackedSub?.unsubscribe();
    session.off('close', onSessionClose);
    actor.stop();
  }

  return {
    actor,
    options,
    userSpeechStarted(so = {}) {
      if (closed) return;
      speechStartedAt = so.atMs ?? clock.now();
      userSpeechEndedAt = undefined;
      send({ type: 'USER_SPEECH_STARTED' });
    },
    userSpeechEnded(eo = {}) {
      if (closed) return;
      userSpeechEndedAt = eo.atMs ?? clock.now();
      send(eo.atMs === undefined ? { type: 'USER_SPEECH_ENDED' } : { type: 'USER_SPEECH_ENDED', voicedMs: Math.max(0, eo.atMs - speechStartedAt) });
    },
    transcript(t) {
      if (closed) return;
      if (!t || typeof t.text !== 'string') throw new InvalidArgumentError('BargeIn.transcript: expected { text: string, final: boolean }');
      if (t.final) lastFinalAt = clock.now();
      send(t.final ? { type: 'FINAL_TRANSCRIPT', text: t.text } : { type: 'INTERIM_TRANSCRIPT', text: t.text });
    },
    close,
  };
}
