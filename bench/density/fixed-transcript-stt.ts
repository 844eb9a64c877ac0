import type { Clock } from '../../src/ports/clock.js';
import type { SpeechEvent, STT } from '../../src/voice/stt.js';

/**
 * The density bench's fake STT for speechcharts: every speech the VAD finds was `text`. Its final
 * transcript (then end of speech) is emitted on the clock right after the VAD's end of speech, so
 * the turn is timed by the VAD and endpointing alone, as on the agents-js side, which runs no STT.
 * (speechcharts' user turn commits words; agents-js without an STT commits an empty turn.)
 * @example attachVoiceInput(session, { clock: realClock, source, stt: new FixedTranscriptSTT(realClock, 'hello') });
 */
export class FixedTranscriptSTT implements STT {
  private readonly listeners = new Set<(ev: SpeechEvent) => void>();
  private readonly timers = new Set<unknown>();
  private startedAt: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly text: string,
  ) {}

  speechStarted(atMs: number): void {
    this.startedAt = atMs;
    this.emit({ type: 'start_of_speech', atMs: this.clock.now(), alternatives: [] });
  }

  speechEnded(atMs: number): void {
    const startMs = this.startedAt ?? atMs;
    this.startedAt = undefined;
    // After the VAD's end has been routed (a real STT's final always comes later than that).
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      const now = this.clock.now();
      this.emit({ type: 'final_transcript', atMs: now, alternatives: [{ text: this.text, language: 'en', confidence: 1, startMs, endMs: atMs }] });
      this.emit({ type: 'end_of_speech', atMs: now, alternatives: [] });
    }, 0);
    this.timers.add(timer);
  }

  onEvent(listener: (ev: SpeechEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
    this.listeners.clear();
  }

  private emit(ev: SpeechEvent): void {
    for (const l of [...this.listeners]) l(ev);
  }
}
