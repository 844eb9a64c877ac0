import { DEFAULT_BARGE_IN_OPTIONS, type BargeInEvent } from '../../machines/barge-in.machine.js';
import type { SessionRouter } from '../core/session-router.js';
import type { ActionRecord } from '../testing/model-explorer.js';
import type { BargeInModel, ComposedState, VoiceModel } from './composed-state.js';
import { steppers } from './machine-steppers.js';

/**
 * The barge-in policy in the composed model: the barge-in machine stepped purely, its effects played
 * as `attachBargeIn` (src/voice/barge-in.ts) plays them: it pauses, resumes or interrupts the speech
 * the session is busy with through the router (the calls `SpeechHandle.pause/resume/interrupt` make),
 * forwards each final transcript it accepts to the user turn, and hears the agent's speech whenever
 * the scheduler or the speech it tracks changes, mid-routing, as the runtime's subscriptions do.
 * Its timers share the voice's clock.
 */

/** What the barge-in world needs of the model's world. */
export interface BargeInHost {
  readonly router: SessionRouter;
  /** A final transcript the policy accepted goes to the user turn. */
  userTurnTranscript(text: string): void;
}

/**
 * The initial barge-in state of a voice with barge-in composed.
 * @example initialBargeIn()
 */
export function initialBargeIn(): BargeInModel {
  const { snap, key } = steppers.bargeIn.initial(DEFAULT_BARGE_IN_OPTIONS);
  return { snap, key, startedAt: 0, held: null, interrupted: null, tracked: null, reported: null, reportedAudible: false };
}

/** The barge-in part of a state's identity (the voice's clock makes the times relative). */
export function bargeInIdentity(v: VoiceModel): string {
  const b = v.bargeIn;
  if (!b) return '';
  return `|B${b.key}:${b.startedAt - v.now}:${b.held ?? ''}:${b.tracked ?? ''}:${b.reported ?? ''}${+b.reportedAudible}`;
}

export class BargeInWorld {
  private readonly effects: (() => void)[] = [];
  private flushing = false;

  constructor(
    private readonly s: ComposedState,
    private readonly v: VoiceModel,
    private readonly b: BargeInModel,
    private readonly host: BargeInHost,
  ) {}

  // ── the user's voice, as the voice input routes it ──

  userSpeechStarted(): void {
    this.b.startedAt = this.v.now;
    this.send({ type: 'USER_SPEECH_STARTED' });
  }

  userSpeechEnded(): void {
    this.send({ type: 'USER_SPEECH_ENDED', voicedMs: Math.max(0, this.v.now - this.b.startedAt) });
  }

  transcript(text: string): void {
    this.send({ type: 'FINAL_TRANSCRIPT', text });
  }

  timer(timer: 'minDuration' | 'falseInterruption'): void {
    this.send({ type: timer === 'minDuration' ? 'MIN_DURATION_ELAPSED' : 'FALSE_INTERRUPTION_TIMEOUT' });
  }

  close(): void {
    if (this.b.snap.status !== 'active') return;
    this.send({ type: 'CLOSE' });
    delete this.v.timers.minDuration;
    delete this.v.timers.falseInterruption;
  }

  // ── the agent, from the session's floor and the speech it tracks (attachBargeIn's `sync`) ──

  /** The scheduler changed, or speech `id` did: tell the policy if the speech it should hear changed. */
  changed(id?: string): void {
    if (this.b.snap.status !== 'active') return;
    if (id !== undefined && id !== this.b.tracked) return;
    this.sync();
  }

  private sync(): void {
    const b = this.b;
    const r = this.host.router;
    const active = r.activeSpeech();
    b.tracked = active;
    const sp = active ? this.s.speeches.find((x) => x.id === active) : undefined;
    const now = sp && sp.snap.status !== 'done' ? sp : undefined;
    const audible = now !== undefined && (now.snap.matches({ active: 'generating' } as never) || now.snap.matches({ active: 'playingOut' } as never) || now.snap.matches({ active: 'paused' } as never));
    const nowId = now?.id ?? null;
    if (nowId === b.reported && audible === b.reportedAudible) return;
    if (b.reported && nowId !== b.reported) this.send({ type: 'AGENT_SILENT' });
    b.reported = nowId;
    b.reportedAudible = audible;
    if (now) this.send({ type: 'AGENT_SPEAKING', allowInterruptions: now.allowInterruptions, audible, canPause: true });
  }

  // ── the machine and its effects ──

  private send(ev: BargeInEvent): void {
    const b = this.b;
    if (b.snap.status !== 'active') return;
    const r = steppers.bargeIn.next(b.snap, ev);
    b.snap = r.snapshot;
    b.key = r.key;
    for (const a of r.actions) this.action(a);
    this.flush();
  }

  private action(a: ActionRecord): void {
    const v = this.v;
    const o = this.b.snap.context.options;
    switch (a.type) {
      // Timers at once, on the voice's clock (the VAD's start counts from when the user began).
      case 'startMinDurationTimer':
        v.timers.minDuration = Math.max(v.now, this.b.startedAt + o.minInterruptionDuration);
        return;
      case 'cancelMinDurationTimer':
        delete v.timers.minDuration;
        return;
      case 'startFalseInterruptionTimer':
        v.timers.falseInterruption = v.now + (o.falseInterruptionTimeout ?? 0);
        return;
      case 'cancelFalseInterruptionTimer':
        delete v.timers.falseInterruption;
        return;
      // Effects on the session: after the transition.
      case 'pauseSpeech':
        return void this.effects.push(() => this.pause());
      case 'resumeSpeech':
        return void this.effects.push(() => this.resume());
      case 'interruptSpeech':
        return void this.effects.push(() => this.interrupt());
      case 'commitUserTurn':
        return void this.effects.push(() => this.host.userTurnTranscript((a.params as { text: string }).text));
      default:
        // reportFalseInterruption, declineUserTurn, dropUserTurn: events for listeners; assignments.
        return;
    }
  }

  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let fx = this.effects.shift(); fx; fx = this.effects.shift()) fx();
    } finally {
      this.flushing = false;
    }
  }

  private pause(): void {
    const b = this.b;
    const id = this.host.router.activeSpeech();
    // `handle.pause()`: refused when it cannot be held (someone else holds it, or it is not playing).
    if (id && this.host.router.pause(id)) b.held = id;
    else if (id !== b.held) b.held = null;
  }

  private resume(): void {
    const id = this.b.held;
    this.b.held = null;
    if (id) this.host.router.resume(id);
  }

  private interrupt(): void {
    const b = this.b;
    b.held = null;
    const id = this.host.router.activeSpeech();
    b.interrupted = id;
    // `handle.interrupt()` throws when refused; the runtime reports it as an error of the voice.
    if (id && !this.host.router.interruptSpeech(id, false)) this.s.errors.push('voice');
  }
}
