import type { SnapshotFrom } from 'xstate';
import { bargeInMachine, BARGE_IN_TAGS, countWords, wordsOf, type BargeInEvent, type BargeInInput } from '../../machines/barge-in.machine.js';
import { HOLDS_WAITERS } from '../../machines/interrupt-event.js';

/**
 * The barge-in machine's invariants, as named predicates over one model step (the shape of the
 * model-based suite's `Invariant`/`Progress` in src/testing/model-explorer.ts, so they can join it
 * as they are). Timers are requested by actions and belong to one state each, so a step's actions
 * and the tags of its two states say everything about which timers run.
 */

export type BargeInSnapshot = SnapshotFrom<typeof bargeInMachine>;

export interface BargeInStep {
  from: BargeInSnapshot | undefined;
  event: BargeInEvent | undefined;
  to: BargeInSnapshot;
  actions: readonly { type: string; params?: unknown }[];
}

export interface BargeInInvariant {
  name: string;
  description?: string;
  check(step: BargeInStep): boolean | string;
}

export interface BargeInProgress {
  name: string;
  description?: string;
  goal(s: BargeInSnapshot): boolean;
  via?(e: BargeInEvent): boolean;
}

/** Every event the machine takes, with the payload variants that matter to its guards. */
export const BARGE_IN_MODEL_EVENTS: readonly BargeInEvent[] = [
  { type: 'USER_SPEECH_STARTED' },
  { type: 'USER_SPEECH_ENDED' },
  { type: 'USER_SPEECH_ENDED', voicedMs: 100 },
  { type: 'INTERIM_TRANSCRIPT', text: '' },
  { type: 'INTERIM_TRANSCRIPT', text: 'yeah' },
  { type: 'INTERIM_TRANSCRIPT', text: 'no wait stop' },
  { type: 'FINAL_TRANSCRIPT', text: 'yeah' },
  { type: 'FINAL_TRANSCRIPT', text: 'no wait stop' },
  { type: 'AGENT_SPEAKING', allowInterruptions: true },
  { type: 'AGENT_SPEAKING', allowInterruptions: false },
  { type: 'AGENT_SPEAKING', allowInterruptions: true, audible: false },
  { type: 'AGENT_SPEAKING', allowInterruptions: false, audible: false },
  { type: 'AGENT_SPEAKING', allowInterruptions: true, canPause: false },
  { type: 'AGENT_SILENT' },
  { type: 'MIN_DURATION_ELAPSED' },
  { type: 'FALSE_INTERRUPTION_TIMEOUT' },
  { type: 'CLOSE' },
];

/** Policy variants worth exploring: LiveKit's defaults and each option flipped. */
export const BARGE_IN_MODEL_INPUTS: readonly BargeInInput[] = [
  {},
  { minInterruptionWords: 2 },
  { resumeFalseInterruption: false },
  { falseInterruptionTimeout: null },
  { discardAudioIfUninterruptible: false },
];

/**
 * Vertex identity: the state, the agent flags, and word counts capped past every threshold used
 * (the transcripts themselves grow without bound; only their counts against thresholds matter).
 */
export function serializeBargeIn(s: BargeInSnapshot): string {
  const c = s.context;
  const cap = (t: string) => Math.min(3, countWords(t));
  return JSON.stringify([
    s.status,
    s.value,
    c.agentSpeaking,
    c.agentAudible,
    c.allowInterruptions,
    c.canPause,
    c.discardTurn,
    c.vadSpeech,
    c.interruptedWithoutWords,
    cap(c.keptText),
    cap(c.finalText),
    c.finalText === '',
    cap(c.interimText),
  ]);
}

const has = (step: BargeInStep, type: string) => step.actions.some((a) => a.type === type);
const count = (step: BargeInStep, type: string) => step.actions.filter((a) => a.type === type).length;
const tag = (s: BargeInSnapshot | undefined, t: string) => s !== undefined && s.status === 'active' && s.hasTag(t);
const final = (s: BargeInSnapshot | undefined) => s !== undefined && s.status === 'done';
const fail = (bad: string[]) => (bad.length === 0 ? true : bad.join('; '));

/** Words would make a real interruption of an audible, interruptible speech right now. */
function interruptPending(s: BargeInSnapshot): boolean {
  const c = s.context;
  // With a VAD, words wait for the minimum duration (a speech still short is not an interruption yet).
  return c.agentSpeaking && c.allowInterruptions && !c.discardTurn && c.vadSpeech !== 'short' && wordsOf(c) >= Math.max(1, c.options.minInterruptionWords);
}

const TIMERS = [
  { tag: BARGE_IN_TAGS.minDurationTimer, start: 'startMinDurationTimer', cancel: 'cancelMinDurationTimer', fires: 'MIN_DURATION_ELAPSED' },
  { tag: BARGE_IN_TAGS.falseInterruptionTimer, start: 'startFalseInterruptionTimer', cancel: 'cancelFalseInterruptionTimer', fires: 'FALSE_INTERRUPTION_TIMEOUT' },
] as const;

export const bargeInInvariants: BargeInInvariant[] = [
  {
    name: 'CLOSE ends the machine from every state',
    check: (t) => t.event?.type !== 'CLOSE' || final(t.from) || final(t.to) || `CLOSE left it in ${JSON.stringify(t.to.value)}`,
  },
  {
    name: 'it never holds a playout waiter',
    description: 'No state carries the holdsWaiters tag: nobody awaits this machine; the hold is the speech handle’s paused state.',
    check: (t) => !tag(t.to, HOLDS_WAITERS) || 'a state is tagged holdsWaiters',
  },
  {
    name: 'each timer runs exactly while its state is active',
    description: 'Entering a timer state starts its timer, leaving it (CLOSE included) cancels it, and no other step touches it.',
    check: (t) => {
      const bad: string[] = [];
      for (const x of TIMERS) {
        const before = tag(t.from, x.tag) ? 1 : 0;
        const after = tag(t.to, x.tag) ? 1 : 0;
        const net = count(t, x.start) - count(t, x.cancel);
        if (net !== after - before) bad.push(`${x.tag}: ${count(t, x.start)} start(s), ${count(t, x.cancel)} cancel(s) from ${before} to ${after}`);
        if (count(t, x.start) > 1 || count(t, x.cancel) > 1) bad.push(`${x.tag} started or cancelled twice in one step`);
      }
      return fail(bad);
    },
  },
  {
    name: 'a timer event acts only in its own state',
    description: 'A late MIN_DURATION_ELAPSED or FALSE_INTERRUPTION_TIMEOUT (its state already left) changes nothing.',
    check: (t) => {
      const x = TIMERS.find((y) => y.fires === t.event?.type);
      if (!x || !t.from || tag(t.from, x.tag)) return true;
      return (t.actions.length === 0 && JSON.stringify(t.from.value) === JSON.stringify(t.to.value)) || `${x.fires} acted outside ${x.tag}`;
    },
  },
  {
    name: 'the false-interruption timer runs only after a wordless barge-in, with the user silent',
    description: 'Either the speech is held (audible, or between its steps), or it was interrupted on duration alone and no word has come.',
    check: (t) =>
      !tag(t.to, BARGE_IN_TAGS.falseInterruptionTimer) ||
      (!tag(t.to, BARGE_IN_TAGS.userSpeaking) &&
        ((tag(t.to, BARGE_IN_TAGS.holdsSpeech) && t.to.context.agentSpeaking) || (t.to.context.interruptedWithoutWords && wordsOf(t.to.context) === 0))) ||
      'false-interruption timer outside a wordless barge-in with the user silent',
  },
  {
    name: 'the minimum-duration timer runs only while the user speaks',
    check: (t) => !tag(t.to, BARGE_IN_TAGS.minDurationTimer) || tag(t.to, BARGE_IN_TAGS.userSpeaking) || 'min-duration timer while the user is silent',
  },
  {
    name: 'no state waits (on a timer or anything else) while an interrupt is pending',
    description: 'Once words confirm a barge-in on an audible, interruptible speech, the same step interrupts it.',
    check: (t) => final(t.to) || !interruptPending(t.to) || `pending interrupt left in ${JSON.stringify(t.to.value)}`,
  },
  {
    name: 'only an audible, interruptible speech is paused, and only to hold it',
    check: (t) => {
      if (!has(t, 'pauseSpeech')) return true;
      const c = t.to.context;
      return (
        (tag(t.to, BARGE_IN_TAGS.holdsSpeech) &&
          c.agentSpeaking &&
          c.agentAudible &&
          c.canPause &&
          c.allowInterruptions &&
          c.options.resumeFalseInterruption &&
          c.options.falseInterruptionTimeout !== null) ||
        'pauseSpeech outside a hold of an audible, interruptible speech on an output that can pause'
      );
    },
  },
  {
    name: 'an uninterruptible (or silent) agent is never interrupted',
    check: (t) => {
      if (!has(t, 'interruptSpeech')) return true;
      const c = t.from?.context;
      const nowSpeaking = t.event?.type === 'AGENT_SPEAKING' ? t.event.allowInterruptions : c !== undefined && c.agentSpeaking && c.allowInterruptions;
      return nowSpeaking || 'interruptSpeech without an audible, interruptible speech';
    },
  },
  {
    name: 'interim words never interrupt a VAD speech shorter than the minimum duration',
    check: (t) =>
      !has(t, 'interruptSpeech') || t.event?.type !== 'INTERIM_TRANSCRIPT' || t.from?.context.vadSpeech !== 'short' || 'an interim transcript bypassed the minimum duration',
  },
  {
    name: 'an output that cannot pause is interrupted, never held',
    check: (t) => !(tag(t.to, BARGE_IN_TAGS.holdsSpeech) && !tag(t.from, BARGE_IN_TAGS.holdsSpeech)) || t.to.context.canPause || 'held a speech whose output cannot pause',
  },
  {
    name: 'a declined turn keeps its transcript',
    description: 'Too few words while the agent speaks: the text moves to keptText, where it counts toward the next turn.',
    check: (t) => !has(t, 'declineUserTurn') || (t.to.context.finalText === '' && t.to.context.keptText !== '') || 'a declined turn lost its transcript',
  },
  {
    name: 'the user interrupts (or holds) the agent only with at least minInterruptionWords words',
    description: 'Duration alone may interrupt only when the minimum is 0; words alone need at least one word.',
    check: (t) => {
      if (!t.from || !(has(t, 'interruptSpeech') || has(t, 'pauseSpeech'))) return true;
      const c = t.from.context;
      const e = t.event;
      const fin = e?.type === 'FINAL_TRANSCRIPT' ? `${c.finalText} ${e.text}` : c.finalText;
      const interim = e?.type === 'INTERIM_TRANSCRIPT' ? e.text : e?.type === 'FINAL_TRANSCRIPT' ? '' : c.interimText;
      const words = countWords(c.keptText) + countWords(fin) + countWords(interim);
      return words >= c.options.minInterruptionWords || `${has(t, 'interruptSpeech') ? 'interrupted' : 'held'} on ${e?.type} with ${words} word(s), minimum ${c.options.minInterruptionWords}`;
    },
  },
  {
    name: 'a held speech is never left behind',
    description: 'Leaving the hold resumes the speech, interrupts it, or follows its own end (AGENT_SILENT). Between its steps (nothing audible while its tools run) it stays held.',
    check: (t) => {
      if (!tag(t.from, BARGE_IN_TAGS.holdsSpeech) || tag(t.to, BARGE_IN_TAGS.holdsSpeech)) return true;
      const ownEnd = t.event?.type === 'AGENT_SILENT';
      return has(t, 'resumeSpeech') || has(t, 'interruptSpeech') || ownEnd || `hold left by ${t.event?.type} with neither resume nor interrupt`;
    },
  },
  {
    name: 'a hold holds a current speech',
    description: 'Audible, or between its steps (a silent tool step): its next step is held as soon as it becomes audible.',
    check: (t) => !tag(t.to, BARGE_IN_TAGS.holdsSpeech) || t.to.context.agentSpeaking || 'holding with no current speech',
  },
  {
    name: 'a held speech whose next step becomes audible is paused again',
    check: (t) =>
      !(tag(t.from, BARGE_IN_TAGS.holdsSpeech) && tag(t.to, BARGE_IN_TAGS.holdsSpeech) && !t.from!.context.agentAudible && t.to.context.agentAudible) ||
      has(t, 'pauseSpeech') ||
      'the held speech became audible and plays over the user',
  },
  {
    name: 'resume only what this machine held',
    check: (t) => !has(t, 'resumeSpeech') || (tag(t.from, BARGE_IN_TAGS.holdsSpeech) && !tag(t.to, BARGE_IN_TAGS.holdsSpeech)) || 'resumeSpeech without a hold',
  },
  {
    name: 'a user turn is committed once, with the user silent',
    check: (t) => {
      const n = count(t, 'commitUserTurn') + count(t, 'dropUserTurn') + count(t, 'declineUserTurn');
      if (n === 0) return true;
      return (n === 1 && !tag(t.to, BARGE_IN_TAGS.userSpeaking) && t.to.context.finalText === '') || 'user turn committed while speaking, twice, or not consumed';
    },
  },
  {
    name: 'a discarded turn never commits',
    check: (t) => !has(t, 'commitUserTurn') || !t.from || !(t.from.context.discardTurn || (t.event?.type === 'FINAL_TRANSCRIPT' && t.from.context.options.discardAudioIfUninterruptible && t.from.context.agentSpeaking && !t.from.context.allowInterruptions)) || 'a turn spoken over an uninterruptible speech was committed',
  },
];

export const bargeInProgress: BargeInProgress[] = [
  { name: 'CLOSE always ends it', goal: (s) => s.status === 'done', via: (e) => e.type === 'CLOSE' },
  {
    name: 'a hold ends without any new word',
    description: 'From every held state, the user stopping and the timeout (or the speech ending) release the hold.',
    goal: (s) => s.status === 'done' || !s.hasTag(BARGE_IN_TAGS.holdsSpeech),
    via: (e) => e.type === 'USER_SPEECH_ENDED' || e.type === 'FALSE_INTERRUPTION_TIMEOUT',
  },
];
