import type { EventObject } from 'xstate';
import { USER_TURN_TAGS, userTurnMachine, type UserTurnInput } from '../../machines/user-turn.machine.js';
import type { Invariant, ModelStep, Progress } from '../testing/model-explorer.js';

/**
 * The user-turn machine's model: its events with payload variants (the delays' timer events
 * included, so the exploration fires them in every state), one input per turn detection mode, a
 * finite identity, and the invariants the runtime relies on.
 */

type Step = ModelStep<any, any>;
const isFinal = (s: { status: string }) => s.status === 'done';
const commitsOf = (t: Step) => t.actions.filter((a) => a.type === 'commitUserTurn');

/** The events of the timers the machine asks the runtime for (sent when one expires). */
export const USER_TURN_TIMER_EVENTS: readonly EventObject[] = [{ type: 'MIN_ENDPOINTING_ELAPSED' }, { type: 'MAX_ENDPOINTING_ELAPSED' }, { type: 'USER_AWAY_TIMEOUT' }];

export const USER_TURN_MODEL_EVENTS: readonly (EventObject & Record<string, unknown>)[] = [
  { type: 'USER_SPEECH_STARTED' },
  { type: 'USER_SPEECH_ENDED' },
  { type: 'FINAL_TRANSCRIPT', text: 'hi', language: 'en' },
  { type: 'FINAL_TRANSCRIPT', text: 'hallo', language: 'de' },
  { type: 'STT_END_OF_SPEECH' },
  { type: 'EOT_PREDICTED', probability: 0.1 },
  { type: 'EOT_PREDICTED', probability: 0.9 },
  { type: 'COMMIT' },
  { type: 'CLEAR' },
  { type: 'AGENT_BUSY' },
  { type: 'AGENT_SILENT' },
  { type: 'CLOSE' },
  ...USER_TURN_TIMER_EVENTS,
];

export const USER_TURN_MODEL_INPUTS: readonly UserTurnInput[] = [{ turnDetection: 'vad' }, { turnDetection: 'eot' }, { turnDetection: 'stt' }, { turnDetection: 'manual' }, { turnDetection: 'vad', userAwayTimeout: null }, { turnDetection: 'vad', preemptiveGeneration: false }];

/** Vertex identity: the text only as empty or not, the preemptive generation as none, for the text, or for an older text; the commit count left out (it grows for ever). */
export function serializeUserTurn(s: any): string {
  const c = s.context;
  const preemptive = c.preemptive === null ? 'none' : c.preemptive === c.text ? 'current' : 'stale';
  return JSON.stringify([s.status, s.value, c.text !== '', c.language, c.eotProbability, c.sttEnded, c.commitRequested, c.agentBusy, preemptive, c.newFinal]);
}

/**
 * The text the preemptive generation runs for after each action of a step, in order (null: none):
 * `startPreemptive` starts one for its text (the one before cancelled), `cancelPreemptive` ends it.
 * Calls `atCommit` with what runs when a commit happens.
 */
function followPreemptive(t: Step, atCommit: (running: string | null, p: { text: string; usePreemptive: boolean }) => string | true): string | true {
  let running: string | null = t.from?.context.preemptive ?? null;
  for (const a of t.actions) {
    if (a.type === 'startPreemptive') running = (a.params as { text: string }).text;
    else if (a.type === 'cancelPreemptive') running = null;
    else if (a.type === 'commitUserTurn') {
      const r = atCommit(running, a.params as { text: string; usePreemptive: boolean });
      if (r !== true) return r;
      running = null; // spent (used by the reply, or cancelled by the runtime)
    }
  }
  return true;
}

export const userTurnInvariants: Invariant<any, any>[] = [
  {
    name: 'each user turn is committed exactly once',
    description: 'A commit takes the whole pending text and spends it in the same step (never twice); pending text is only ever dropped by CLEAR or CLOSE (never lost).',
    check: (t: Step) => {
      if (!t.from) return true;
      const commits = commitsOf(t);
      if (commits.length > 1) return `${t.event?.type} committed ${commits.length} times in one step`;
      if (commits.length === 1) {
        const p = commits[0]!.params as { text: string; turn: number };
        if (p.text === '') return `${t.event?.type} committed an empty turn`;
        if (t.to.context.text !== '') return `${t.event?.type} committed "${p.text}" but kept "${t.to.context.text}" pending`;
        if (p.turn !== t.from.context.committed + 1 || t.to.context.committed !== p.turn) return `turn ids out of step: committed turn ${p.turn} after ${t.from.context.committed}`;
        return true;
      }
      const dropped = t.from.context.text !== '' && t.to.context.text === '';
      return !dropped || t.event?.type === 'CLEAR' || t.event?.type === 'CLOSE' || `${t.event?.type} in ${JSON.stringify(t.from.value)} dropped "${t.from.context.text}" uncommitted`;
    },
  },
  {
    name: 'a turn is never committed while the user is speaking',
    check: (t: Step) => commitsOf(t).length === 0 || (!t.to.hasTag(USER_TURN_TAGS.userSpeaking) && t.event?.type !== 'USER_SPEECH_STARTED') || `${t.event?.type} committed while the user speaks`,
  },
  {
    name: 'every non-final state handles CLOSE',
    check: ({ to }: Step) => isFinal(to) || to.can({ type: 'CLOSE' }) || `${JSON.stringify(to.value)} does not handle CLOSE`,
  },
  {
    name: 'the user state told follows the presence region',
    check: (t: Step) => {
      const told = t.actions.filter((a) => a.type === 'userStateChanged').map((a) => (a.params as { newState: string }).newState);
      if (told.length === 0 || isFinal(t.to)) return true;
      const now = t.to.matches({ active: { presence: 'speaking' } }) ? 'speaking' : t.to.matches({ active: { presence: 'away' } }) ? 'away' : 'listening';
      return told.at(-1) === now || `told ${told.join(', ')} but the presence is ${now}`;
    },
  },
];

userTurnInvariants.push(
  {
    name: 'no preemptive reply is used for a transcript that changed',
    description: 'A commit says to use the preemptive generation only if the one running was started for exactly the committed text (a later final transcript restarts it with the whole text).',
    check: (t: Step) =>
      followPreemptive(t, (running, p) => !p.usePreemptive || running === p.text || `${t.event?.type} committed "${p.text}" using a preemptive generation for ${JSON.stringify(running)}`),
  },
  {
    name: 'a preemptive generation is cancelled when the user speaks again',
    description: 'LiveKit #5509: a reply prepared for what the user said is never played over the user speaking again; CLEAR and CLOSE cancel it too, and none runs while the user speaks.',
    check: (t: Step) => {
      if (t.to.hasTag(USER_TURN_TAGS.userSpeaking) && t.to.context.preemptive !== null) return `a preemptive generation for "${t.to.context.preemptive}" runs while the user speaks`;
      const ev = t.event?.type;
      if (!t.from || !(ev === 'USER_SPEECH_STARTED' || ev === 'CLEAR' || ev === 'CLOSE')) return true;
      let running: string | null = t.from.context.preemptive;
      for (const a of t.actions) if (a.type === 'cancelPreemptive') running = null;
      return running === null || `${ev} in ${JSON.stringify(t.from.value)} left the preemptive generation for "${running}" running`;
    },
  },
  {
    name: 'a preemptive generation starts only when enabled, while endpointing with a transcript and the agent silent',
    check: (t: Step) => {
      const starts = t.actions.filter((a) => a.type === 'startPreemptive');
      if (starts.length === 0) return true;
      const c = t.to.context;
      if (!c.options.preemptiveGeneration) return 'started with preemptiveGeneration off';
      if (c.agentBusy) return 'started while the agent is busy';
      if (!t.to.hasTag(USER_TURN_TAGS.endpointing)) return `started in ${JSON.stringify(t.to.value)}`;
      return starts.every((a) => (a.params as { text: string }).text === c.text && c.text !== '') || 'started for a text that is not the pending transcript';
    },
  },
);

export const userTurnProgress: Progress<any, any>[] = [
  {
    name: 'what the user said can always be committed or cleared',
    goal: (s) => isFinal(s) || s.context.text === '',
    // Without CLOSE: the turn must be able to end by itself (or by COMMIT in manual mode).
    via: (e: EventObject) => e.type !== 'CLOSE' && e.type !== 'CLEAR',
  },
];

export { userTurnMachine };
