import type { Clock } from '../ports/clock.js';
import { InvalidArgumentError } from '../errors.js';

/** One transcript of the user's current turn: interim ones are replaced by the next, finals add up. */
export interface Transcript {
  text: string;
  final: boolean;
}

/**
 * Speech to text, as the voice input drives it: told where the user's speech starts and ends (by the
 * VAD), optionally given the audio, and emitting transcripts. Times are clock times in ms.
 * @example
 * const off = stt.onTranscript((t) => bargeIn.transcript(t));
 * stt.speechStarted(clock.now());
 */
export interface STT {
  speechStarted(atMs: number): void;
  speechEnded(atMs: number): void;
  /** The user's audio, 16 kHz mono, starting at clock time `atMs`. Optional: a scripted STT ignores it. */
  pushAudio?(samples: Int16Array, atMs: number): void;
  /** Returns a function that removes the listener. */
  onTranscript(listener: (t: Transcript) => void): () => void;
  /** Cancels anything still scheduled. */
  close(): void;
}

/** What a scripted STT says about one stretch of user speech. */
export interface ScriptedTranscript {
  /**
   * Only a speech that starts within this window (clock ms) gets this transcript: the scenario knows
   * when it played each turn. Without a window, the next speech start gets it.
   */
  window?: { fromMs: number; toMs: number };
  /** Interim transcripts, `afterMs` after the speech start. */
  interim?: { afterMs: number; text: string }[];
  /** The final transcript: `afterMs` after the speech start, or `afterEndMs` after its end (as real STTs do). */
  final?: { text: string; afterMs?: number; afterEndMs?: number };
}

/**
 * An STT that says what it is told to: each entry is matched to a speech start the VAD reported (in
 * order, or by time window), and its transcripts are emitted on `clock` at the scripted delays. A
 * speech with no matching entry (a cough) gets no transcript, like a real STT on a wordless sound.
 *
 * @example
 * const stt = new ScriptedSTT(clock, [
 *   {}, // the first speech is a cough: no words
 *   { interim: [{ afterMs: 300, text: 'wait' }], final: { text: 'wait, stop', afterEndMs: 200 } },
 * ]);
 */
export class ScriptedSTT implements STT {
  private readonly pending: ScriptedTranscript[];
  private readonly listeners = new Set<(t: Transcript) => void>();
  private readonly timers = new Set<unknown>();
  /** The entry matched by the speech in progress, waiting for its end (for `afterEndMs`). */
  private awaitingEnd: ScriptedTranscript | undefined;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    script: readonly ScriptedTranscript[],
  ) {
    if (!Array.isArray(script)) throw new InvalidArgumentError('ScriptedSTT: script must be an array of transcripts');
    this.pending = script.map((s, i) => checkEntry(s, i));
  }

  /** True while transcripts are scheduled and not yet emitted. */
  get scheduled(): boolean {
    return this.timers.size > 0;
  }

  /** Entries not matched to any speech yet. */
  get unused(): readonly ScriptedTranscript[] {
    return this.pending;
  }

  speechStarted(atMs: number): void {
    if (this.closed) return;
    // Windowed entries whose window has passed can never match: forget them.
    for (let k = this.pending.length - 1; k >= 0; k--) if (this.pending[k]!.window && this.pending[k]!.window!.toMs < atMs) this.pending.splice(k, 1);
    const i = this.pending.findIndex((s) => !s.window || (atMs >= s.window.fromMs && atMs <= s.window.toMs));
    const entry = i === -1 ? undefined : this.pending.splice(i, 1)[0];
    this.awaitingEnd = entry;
    if (!entry) return;
    const now = this.clock.now();
    for (const x of entry.interim ?? []) this.at(atMs + x.afterMs - now, { text: x.text, final: false });
    if (entry.final && entry.final.afterEndMs === undefined) this.at(atMs + (entry.final.afterMs ?? 0) - now, { text: entry.final.text, final: true });
  }

  speechEnded(atMs: number): void {
    const entry = this.awaitingEnd;
    this.awaitingEnd = undefined;
    if (this.closed || !entry?.final || entry.final.afterEndMs === undefined) return;
    this.at(atMs + entry.final.afterEndMs - this.clock.now(), { text: entry.final.text, final: true });
  }

  onTranscript(listener: (t: Transcript) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
  }

  private at(delayMs: number, t: Transcript): void {
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      for (const l of [...this.listeners]) l(t);
    }, Math.max(0, delayMs));
    this.timers.add(timer);
  }
}

function checkEntry(s: ScriptedTranscript, i: number): ScriptedTranscript {
  const where = `ScriptedSTT: script[${i}]`;
  if (!s || typeof s !== 'object') throw new InvalidArgumentError(`${where} must be an object`);
  for (const x of s.interim ?? [])
    if (typeof x?.text !== 'string' || !(x.afterMs >= 0)) throw new InvalidArgumentError(`${where}.interim needs { afterMs >= 0, text }`);
  if (s.final) {
    if (typeof s.final.text !== 'string') throw new InvalidArgumentError(`${where}.final.text must be a string`);
    if (s.final.afterMs !== undefined && s.final.afterEndMs !== undefined) throw new InvalidArgumentError(`${where}.final takes afterMs or afterEndMs, not both`);
  }
  if (s.window && !(s.window.fromMs <= s.window.toMs)) throw new InvalidArgumentError(`${where}.window needs fromMs <= toMs`);
  return s;
}
