import type { Invariant, ModelStep, Progress } from '../testing/model-explorer.js';
import { fail } from './check-helpers.js';
import type { ComposedSnapshot, ModelEvent } from './composed-model.js';
import { PIPELINE_EVENT_TYPES, VOICE_EVENT_TYPES } from './composed-state.js';

/**
 * The invariants of the user's voice turns in the composed model (the user-turn machine composed
 * with the session's routing), checked on every reachable state and transition, and their progress.
 */

type CStep = ModelStep<ComposedSnapshot, ModelEvent>;

/** The commits of a step: what was committed and what the user had said since the last one. */
function commits(t: CStep): { text: string; said: string }[] {
  return t.to.context.effects
    .filter((e) => e.startsWith('voiceCommit:'))
    .map((e) => {
      const [text, said] = e.slice('voiceCommit:'.length).split('|');
      return { text: text ?? '', said: said ?? '' };
    });
}

export const voiceInvariants: Invariant<ComposedSnapshot, ModelEvent>[] = [
  {
    name: 'each user turn is committed exactly once',
    description:
      'A commit carries exactly the transcripts said since the last commit (or clear), none lost and none repeated; an empty turn is never committed; and its reply asks with exactly that text.',
    check: (t) => {
      const bad: string[] = [];
      const made = t.to.context.speeches.filter((sp) => !t.from?.context.speeches.some((x) => x.id === sp.id));
      for (const c of commits(t)) {
        if (c.text === '') bad.push('an empty user turn was committed');
        if (c.text !== c.said) bad.push(`committed "${c.text}" but the user said "${c.said}" since the last commit`);
        const ses = t.to.context.session;
        // Its reply holds the text until its first step enters it in history.
        const asked = made.some((sp) => ses.speeches.get(sp.id)?.userInput === c.text) || ses.history.some((i) => i.type === 'message' && i.role === 'user' && i.content === c.text);
        if (!ses.closed && !asked) bad.push(`the turn "${c.text}" was committed but no reply asks with it`);
      }
      return fail(bad);
    },
  },
  {
    name: 'no preemptive reply is played for a transcript that changed',
    description: "A reply takes the prepared reply only if it was made for exactly the reply's user input, history, instructions and tools.",
    check: ({ to }) =>
      fail(
        (to.context.voice?.took ?? []).flatMap((x) => [
          ...(x.preparedFor !== x.userInput ? [`${x.speechId} (user input "${x.userInput}") took the reply prepared for "${x.preparedFor}"`] : []),
          ...(x.sameRequest ? [] : [`${x.speechId} took a reply prepared for another history, instructions or tools`]),
        ]),
      ),
  },
  {
    name: 'no preemptive generation outlives the user speaking again',
    description: 'LiveKit #5509: once the user starts speaking again, no reply prepared for an uncommitted turn remains to be played.',
    check: ({ event, to }) => {
      if (event?.type !== 'USER_SPEECH_STARTED') return true;
      const p = to.context.voice?.prepared;
      return !p || p.speechId !== undefined || `a reply prepared for "${p.userInput}" is still running while the user speaks`;
    },
  },
  {
    name: 'a closed user turn holds no timer',
    check: ({ to }) => {
      const v = to.context.voice;
      return !v || v.snap.status === 'active' || Object.keys(v.timers).length === 0 || `timers still set after close: ${Object.keys(v.timers).join(', ')}`;
    },
  },
];

export const voiceProgress: Progress<ComposedSnapshot, ModelEvent>[] = [
  {
    name: 'what the user said is always committed (or the session closes)',
    description: 'From every state, the voice, time and the pipeline alone (no clear, no close) can bring every transcript said into a committed turn.',
    goal: (s) => !s.context.voice || s.context.voice.said.length === 0 || s.context.session.closed,
    via: (e) => e.type !== 'USER_CLEAR' && e.type !== 'CLOSE',
  },
  {
    name: "a hold by the user's voice always ends through the voice and time alone",
    description: 'From every state, the voice, its timers and the pipeline (no API resume, interrupt or close) bring every speech the barge-in policy paused to resume or end: a false interruption never leaves the agent silent for good.',
    goal: (s) => {
      const held = s.context.voice?.bargeIn?.held;
      const sp = held ? s.context.speeches.find((x) => x.id === held) : undefined;
      // The policy's handle may outlive the hold (an API interrupt ended the speech): only a speech still paused counts.
      return !sp || sp.snap.status === 'done' || !sp.snap.matches({ active: 'paused' } as never) || s.context.session.closed;
    },
    via: (e) => (VOICE_EVENT_TYPES as readonly string[]).includes(e.type) || (PIPELINE_EVENT_TYPES as readonly string[]).includes(e.type),
  },
];
