import { DependencyStalledError, type StalledDependency } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { IoLimits } from './io-timeouts.js';
import { ProgressWatchdog } from './progress-watchdog.js';
import type { TextChannel } from './text-channel.js';
import { watchedIterable } from './watched-iterable.js';

/** An audio output wait: armed while the output plays, disarmed while it is paused. */
interface OutputWait {
  arm(): void;
  disarm(): void;
}

/**
 * The I/O progress limits of a session (see `IoTimeouts`). The machines wait on no timer by design:
 * a dependency that stops making progress is caught here, in the runtime, and reported as one more
 * failure of the speech it serves. Holds what all steps share: the clock, the limits and the audio
 * output's pauses (a paused output plays nothing, and owes nothing).
 * @example
 * const limits = new StallLimits(realClock, resolveIoTimeouts(undefined));
 * const step = limits.step(signal, (e) => router.fail(id, e));
 * for await (const chunk of step.llm(llm.chat(req))) use(chunk);
 */
export class StallLimits {
  private pausedSince: number | null = null;
  private pausedTotal = 0;
  private readonly outputWaits = new Set<OutputWait>();

  constructor(
    readonly clock: Clock,
    readonly limits: IoLimits,
  ) {}

  /** The limits of one step; `stalled` gets the error of a stall (once). Stops when `signal` aborts. */
  step(signal: AbortSignal, stalled: (e: DependencyStalledError) => void): StepStallLimits {
    return new StepStallLimits(this, signal, stalled);
  }

  /** The audio output was paused: its waits stop counting. */
  audioPaused(): void {
    if (this.pausedSince !== null) return;
    this.pausedSince = this.clock.now();
    for (const w of this.outputWaits) w.disarm();
  }

  /** The audio output plays again (resumed, or cleared: a clear ends a pause). */
  audioResumed(): void {
    if (this.pausedSince === null) return;
    this.pausedTotal += this.clock.now() - this.pausedSince;
    this.pausedSince = null;
    for (const w of this.outputWaits) w.arm();
  }

  /** Milliseconds the output has been paused so far, the running pause included. */
  pausedMs(): number {
    return this.pausedTotal + (this.pausedSince === null ? 0 : this.clock.now() - this.pausedSince);
  }

  /** @internal */
  track(w: OutputWait): void {
    this.outputWaits.add(w);
    if (this.pausedSince === null) w.arm();
  }

  /** @internal */
  untrack(w: OutputWait): void {
    this.outputWaits.delete(w);
  }
}

/**
 * One step's watchdogs: around its LLM stream, its TTS stream and its audio output calls. Every
 * watchdog is disarmed when what it watches settles, and all of them when the step stops (its
 * speech's signal aborts, the step ends, the speech is released): a finished session leaves no timer.
 * @internal
 */
export class StepStallLimits {
  private readonly dogs: ProgressWatchdog[] = [];
  private readonly waits = new Set<OutputWait>();
  private outputDog: ProgressWatchdog | null = null;
  private outputWhat = '';
  private cutDog: ProgressWatchdog | null = null;
  private firstFrameAt: number | null = null;
  private pausedBeforeFirstFrame = 0;
  private stopped = false;
  private readonly onAbort = () => this.stop();

  constructor(
    private readonly session: StallLimits,
    private readonly signal: AbortSignal,
    private readonly stalled: (e: DependencyStalledError) => void,
  ) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** The LLM stream, failing the step when it neither yields nor ends within the limit. */
  llm<T>(source: AsyncIterable<T>): AsyncIterable<T> {
    const ms = this.session.limits.llm;
    if (ms === null) return source;
    const dog = this.dog('llm', ms, () => 'the stream neither yielded a chunk nor ended');
    // Armed from each request for a chunk; the loop asks for the next one as soon as it has one.
    return watchedIterable(source, { waiting: () => dog.arm(ms), answered: () => {}, closed: () => dog.disarm() });
  }

  /**
   * The TTS stream. The TTS owes audio while it is asked for a frame and does not itself wait for text
   * (a TTS waiting for a slow LLM is not stalled); each frame and each text it takes restart the count.
   */
  tts<T>(frames: AsyncIterable<T>, text: TextChannel): AsyncIterable<T> {
    const ms = this.session.limits.tts;
    if (ms === null) return frames;
    const dog = this.dog('tts', ms, () => 'it had text to speak and sent no audio frame');
    let asked = false;
    const owed = () => (asked && !text.consumerWaiting ? dog.arm(ms) : dog.disarm());
    text.onConsumer = owed;
    return watchedIterable(frames, {
      waiting: () => {
        asked = true;
        owed();
      },
      answered: () => {
        asked = false;
        dog.disarm();
      },
      closed: () => {
        asked = false;
        text.onConsumer = null;
        dog.disarm();
      },
    });
  }

  /**
   * `p`, an audio output call (`captureFrame`, or `waitForPlayout` after `flush`), failing the step
   * unless it settles within the audio still to play (of `capturedSeconds`) plus the limit. The
   * output's pauses do not count.
   */
  output<T>(p: Promise<T>, capturedSeconds: number, what: string): Promise<T> {
    const ms = this.session.limits.audioOutput;
    if (ms === null || this.stopped) return p;
    const s = this.session;
    if (this.firstFrameAt === null) {
      this.firstFrameAt = s.clock.now();
      this.pausedBeforeFirstFrame = s.pausedMs();
    }
    const dog = (this.outputDog ??= this.dog('audio_output', ms, () => this.outputWhat));
    this.outputWhat = what;
    const wait: OutputWait = { arm: () => dog.arm(this.unplayedMs(capturedSeconds) + ms), disarm: () => dog.disarm() };
    this.waits.add(wait);
    s.track(wait);
    const settled = () => {
      this.waits.delete(wait);
      s.untrack(wait);
      dog.disarm();
    };
    p.then(settled, settled);
    return p;
  }

  /**
   * Watches the report of a cut (`clearBuffer`): if `p` has not settled within the limit, `onStall`
   * gets the error. Runs on after the step stops (a cut comes after its speech's signal aborted).
   */
  cut(p: Promise<unknown>, onStall: (e: DependencyStalledError) => void): void {
    const ms = this.session.limits.audioOutput;
    if (ms === null) return;
    this.cutDog?.dispose();
    const dog = new ProgressWatchdog(this.session.clock, () => onStall(new DependencyStalledError('audio_output', ms, 'the output did not report the cut (clearBuffer)')));
    this.cutDog = dog;
    dog.arm(ms);
    const settled = () => dog.dispose();
    p.then(settled, settled);
  }

  /** The step's streams and output calls are over (or abandoned): their watchdogs go, for good. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.signal.removeEventListener('abort', this.onAbort);
    for (const d of this.dogs) d.dispose();
    for (const w of this.waits) this.session.untrack(w);
    this.waits.clear();
  }

  /** The speech is released: the cut's watchdog goes too. */
  dispose(): void {
    this.stop();
    this.cutDog?.dispose();
  }

  private dog(dependency: StalledDependency, ms: number, what: () => string): ProgressWatchdog {
    const dog = new ProgressWatchdog(this.session.clock, () => this.stalled(new DependencyStalledError(dependency, ms, what())));
    if (this.stopped) dog.dispose();
    this.dogs.push(dog);
    return dog;
  }

  /** The step's audio not yet played by now, by the session clock (the output plays in real time). */
  private unplayedMs(capturedSeconds: number): number {
    const played = this.session.clock.now() - this.firstFrameAt! - (this.session.pausedMs() - this.pausedBeforeFirstFrame);
    return Math.max(0, capturedSeconds * 1000 - played);
  }
}
