import type { Clock } from '../ports/clock.js';
import { InvalidArgumentError } from '../errors.js';

/** One transcript of the user's current turn: interim ones are replaced by the next, finals add up. */
export interface Transcript {
  text: string;
  final: boolean;
  /** BCP-47 language the STT recognised (e.g. 'en', 'de-DE'). */
  language?: string;
}

/** LiveKit's speech event kinds (`stt.SpeechEventType`), with its wire values. */
export type SpeechEventType = 'start_of_speech' | 'interim_transcript' | 'final_transcript' | 'end_of_speech';

/** One recognition hypothesis, as LiveKit's `SpeechData` (times are clock ms rather than stream seconds). */
export interface SpeechData {
  text: string;
  language: string;
  /** 0..1; a scripted STT says 1. */
  confidence: number;
  /** Clock time (ms) the words start and end. */
  startMs: number;
  endMs: number;
}

/**
 * What a streaming STT reports, as LiveKit's `SpeechEvent`: start of speech, interim transcript,
 * final transcript, end of speech. Transcript events carry their alternatives, the best first.
 */
export interface SpeechEvent {
  type: SpeechEventType;
  /** Clock time (ms) the event was emitted. */
  atMs: number;
  /** Empty for start and end of speech. */
  alternatives: SpeechData[];
}

/**
 * Speech to text as a stream of {@link SpeechEvent}s. The voice input tells it where the user's
 * speech starts and ends (by the VAD) and, when it listens, gives it the audio. Times are clock ms.
 * A plugin bridge wraps a LiveKit cloud STT's `SpeechStream` into this.
 * @example
 * const off = stt.onEvent((ev) => { if (ev.type === 'final_transcript') console.log(ev.alternatives[0]!.text); });
 * stt.speechStarted(clock.now());
 */
export interface STT {
  speechStarted(atMs: number): void;
  speechEnded(atMs: number): void;
  /** The user's audio, 16 kHz mono, starting at clock time `atMs`. Optional: a scripted STT ignores it. */
  pushAudio?(samples: Int16Array, atMs: number): void;
  /** Every speech event, in order. Returns a function that removes the listener. */
  onEvent(listener: (ev: SpeechEvent) => void): () => void;
  /** Cancels anything still scheduled. */
  close(): void;
}

/**
 * The transcript a speech event carries (its best alternative), or undefined for start/end of speech.
 * @example const t = transcriptOf(ev); if (t?.final) commit(t.text);
 */
export function transcriptOf(ev: SpeechEvent): Transcript | undefined {
  if (ev.type !== 'interim_transcript' && ev.type !== 'final_transcript') return undefined;
  const best = ev.alternatives[0];
  return { text: best?.text ?? '', final: ev.type === 'final_transcript', language: best?.language ?? '' };
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
  /** Language of the transcripts. Default 'en'. */
  language?: string;
}

/**
 * An STT that says what it is told to: each entry is matched to a speech start the VAD reported (in
 * order, or by time window), and its events are emitted on `clock` at the scripted delays: start of
 * speech at once, interims and final when scripted, end of speech once both the speech and its final
 * are over. A speech with no matching entry (a cough) gets no event, like a real STT on a wordless sound.
 *
 * @example
 * const stt = new ScriptedSTT(clock, [
 *   {}, // the first speech is a cough: no words
 *   { interim: [{ afterMs: 300, text: 'wait' }], final: { text: 'wait, stop', afterEndMs: 200 } },
 * ]);
 */
export class ScriptedSTT implements STT {
  private readonly pending: ScriptedTranscript[];
  private readonly listeners = new Set<(ev: SpeechEvent) => void>();
  private readonly timers = new Set<unknown>();
  /** The entry matched by the speech in progress, and when that speech started, waiting for its end. */
  private awaitingEnd: { entry: ScriptedTranscript; startMs: number } | undefined;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    script: readonly ScriptedTranscript[],
  ) {
    if (!Array.isArray(script)) throw new InvalidArgumentError('ScriptedSTT: script must be an array of transcripts');
    this.pending = script.map((s, i) => checkEntry(s, i));
  }

  /** True while events are scheduled and not yet emitted. */
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
    this.awaitingEnd = entry ? { entry, startMs: atMs } : undefined;
    if (!entry) return;
    const now = this.clock.now();
    this.emit({ type: 'start_of_speech', atMs: now, alternatives: [] });
    const lang = entry.language ?? 'en';
    for (const x of entry.interim ?? []) this.at(atMs + x.afterMs - now, 'interim_transcript', { text: x.text, language: lang, confidence: 1, startMs: atMs, endMs: atMs + x.afterMs });
    if (entry.final && entry.final.afterEndMs === undefined) {
      const at = atMs + (entry.final.afterMs ?? 0);
      this.at(at - now, 'final_transcript', { text: entry.final.text, language: lang, confidence: 1, startMs: atMs, endMs: at });
    }
  }

  speechEnded(atMs: number): void {
    const m = this.awaitingEnd;
    this.awaitingEnd = undefined;
    if (this.closed || !m) return;
    const { entry, startMs } = m;
    const now = this.clock.now();
    let finalAt = atMs;
    if (entry.final?.afterEndMs !== undefined) {
      finalAt = atMs + entry.final.afterEndMs;
      this.at(finalAt - now, 'final_transcript', { text: entry.final.text, language: entry.language ?? 'en', confidence: 1, startMs, endMs: atMs });
    } else if (entry.final) finalAt = startMs + (entry.final.afterMs ?? 0);
    // As streaming STTs do: end of speech once the speech is over and its final is out.
    this.at(Math.max(atMs, finalAt) - now, 'end_of_speech');
  }

  onEvent(listener: (ev: SpeechEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
  }

  private emit(ev: SpeechEvent): void {
    for (const l of [...this.listeners]) l(ev);
  }

  private at(delayMs: number, type: SpeechEventType, alt?: SpeechData): void {
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      this.emit({ type, atMs: this.clock.now(), alternatives: alt ? [alt] : [] });
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
  if (s.language !== undefined && (typeof s.language !== 'string' || s.language === '')) throw new InvalidArgumentError(`${where}.language must be a language code such as 'en'`);
  return s;
}
