import type { AudioFrame } from '../ports/audio-frame.js';
import type { AudioOutput, PlayoutResult } from '../ports/audio-output.js';

/**
 * Gives any {@link AudioOutput} a pause: an output that has its own `pause`/`resume` is returned as
 * it is; one that has not (a recorder wrapping a device, a plain sink) is wrapped so that `pause()`
 * ends the inner segment where it is (what the device already buffered still plays) and `resume()`
 * opens a new inner segment with the frames that waited. The session still sees one segment, whose
 * position adds up the parts. A recorder of the inner output then places the parts at their clock
 * times: the hold is a silence in the recording.
 *
 * @example
 * const out = withPause(new RecordingAudioOutput(new RtcAudioOutput()));
 * const session = new AgentSession({ llm, tts, audioOutput: out });
 */
export function withPause(inner: AudioOutput): AudioOutput {
  if (typeof inner.pause === 'function' && typeof inner.resume === 'function') return inner;
  return new SegmentSplittingPause(inner);
}

interface OuterSegment {
  /** The inner segments this one was split into (ended or current), as their results. */
  parts: Promise<PlayoutResult>[];
  /** An inner segment is open (frames went to the inner output since the last split). */
  innerOpen: boolean;
  flushed: boolean;
  ended: boolean;
  result: Promise<PlayoutResult>;
  resolve: (r: PlayoutResult) => void;
}

/** The wrapper {@link withPause} uses for outputs without a pause of their own. */
export class SegmentSplittingPause implements AudioOutput {
  #seg: OuterSegment | undefined;
  #paused = false;
  /** Captures that arrived while paused or re-feeding, forwarded in order (each to its own segment). */
  #waiting: { frame: AudioFrame; seg: OuterSegment; done: () => void; fail: (e: unknown) => void }[] = [];
  /** The frames that waited are being forwarded: later captures queue behind them. */
  #refeeding = false;

  constructor(readonly inner: AudioOutput) {}

  get paused(): boolean {
    return this.#paused;
  }

  async captureFrame(frame: AudioFrame): Promise<void> {
    const seg = this.#open();
    if (this.#paused || this.#refeeding) {
      await new Promise<void>((done, fail) => this.#waiting.push({ frame, seg, done, fail }));
      return;
    }
    await this.#forward(seg, frame);
  }

  flush(): void {
    const seg = this.#seg;
    if (!seg || seg.flushed || seg.ended) return;
    seg.flushed = true;
    if (!this.#paused && !this.#refeeding) this.#finish(seg);
  }

  clearBuffer(): void {
    this.#paused = false;
    for (const w of this.#waiting.splice(0)) w.done();
    const seg = this.#seg;
    if (seg && !seg.ended) {
      if (seg.innerOpen) this.#part(seg);
      seg.innerOpen = false;
      this.#settle(seg, true);
    }
    this.inner.clearBuffer();
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    const seg = this.#seg;
    if (!seg || seg.ended || !seg.innerOpen) return;
    // End the inner segment here: its result is asked for first, so it reports this part.
    this.#part(seg);
    seg.innerOpen = false;
    this.inner.flush();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#refeed();
  }

  /**
   * Forwards the captures that waited, in order, until none is left or the output is paused again.
   * A capture whose segment was cleared meanwhile is released without playing. The loop ends in
   * the same synchronous step as its last check, so a capture can never slip into the list after
   * it (it used to wait forever when it arrived during the last forward, or after a clear).
   */
  #refeed(): void {
    if (this.#refeeding) return;
    this.#refeeding = true;
    void (async () => {
      while (!this.#paused && this.#waiting.length > 0) {
        const w = this.#waiting.shift()!;
        if (w.seg.ended) {
          w.done();
          continue;
        }
        try {
          await this.#forward(w.seg, w.frame);
          w.done();
        } catch (e) {
          w.fail(e); // the capture that waited learns that the output failed
        }
      }
      this.#refeeding = false;
      const seg = this.#seg;
      if (seg && seg.flushed && !seg.ended && !this.#paused) this.#finish(seg);
    })();
  }

  waitForPlayout(): Promise<PlayoutResult> {
    return this.#seg?.result ?? Promise.resolve({ playbackPosition: 0, interrupted: false });
  }

  #open(): OuterSegment {
    if (this.#seg && !this.#seg.ended) return this.#seg;
    let resolve!: (r: PlayoutResult) => void;
    const result = new Promise<PlayoutResult>((r) => (resolve = r));
    this.#seg = { parts: [], innerOpen: false, flushed: false, ended: false, result, resolve };
    return this.#seg;
  }

  async #forward(seg: OuterSegment, frame: AudioFrame): Promise<void> {
    if (seg.ended) return;
    seg.innerOpen = true;
    await this.inner.captureFrame(frame);
  }

  #finish(seg: OuterSegment): void {
    if (seg.innerOpen) {
      this.#part(seg);
      seg.innerOpen = false;
      this.inner.flush();
    }
    this.#settle(seg, false);
  }

  /** Asks the inner output how its current segment ends, as one part of `seg`. */
  #part(seg: OuterSegment): void {
    const p = this.inner.waitForPlayout();
    p.catch(() => {}); // handled in #settle; this only keeps an early failure from being unhandled
    seg.parts.push(p);
  }

  /** Ends the outer segment once every part has reported: the position is their sum. */
  #settle(seg: OuterSegment, interrupted: boolean): void {
    seg.ended = true;
    const failed = (): PlayoutResult => ({ playbackPosition: 0, interrupted: true });
    void Promise.all(seg.parts.map((p) => p.catch(failed))).then((rs) => {
      // Kept as current until now, so flush() followed by waitForPlayout() gets this result.
      if (this.#seg === seg) this.#seg = undefined;
      seg.resolve({ playbackPosition: rs.reduce((a, r) => a + r.playbackPosition, 0), interrupted });
    });
  }
}
