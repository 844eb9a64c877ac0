/** Base class of every error speechcharts throws on purpose. */
export class SpeechchartsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Why a speech stopped before its end. */
export type InterruptReason = 'interrupt' | 'close';

/**
 * A playout wait (or `waitIfNotInterrupted`) ended because the speech was interrupted.
 * Thrown at once, in the same call stack as the interrupt: never after a timeout.
 * @example
 * try { await ctx.waitForPlayout(); } catch (e) { if (e instanceof SpeechInterruptedError) return; throw e; }
 */
export class SpeechInterruptedError extends SpeechchartsError {
  /**
   * Capture a stack trace when a speech is interrupted (default false). The error is a cancellation
   * signal built on the interrupt's hot path, where a stack cost a fifth of the call; its message
   * names the speech and the reason. Turn it on while debugging who interrupted.
   * @example SpeechInterruptedError.captureStack = true;
   */
  static captureStack = false;
  readonly speechId: string;
  readonly reason: InterruptReason;
  constructor(speechId: string, reason: InterruptReason = 'interrupt') {
    super(reason === 'close' ? `speech ${speechId} was interrupted: the session closed` : `speech ${speechId} was interrupted`);
    this.speechId = speechId;
    this.reason = reason;
  }
}

/** A speech's generation failed (LLM or TTS error); `cause` holds the original error. */
export class SpeechFailedError extends SpeechchartsError {
  readonly speechId: string;
  constructor(speechId: string, cause: unknown) {
    super(`speech ${speechId} failed: ${describe(cause)}`, { cause });
    this.speechId = speechId;
  }
}

/** The dependency a {@link DependencyStalledError} names (the same names as the session's `error` event sources). */
export type StalledDependency = 'llm' | 'tts' | 'audio_output';

/**
 * An I/O dependency made no progress within its limit (`AgentSessionOptions.ioTimeouts`): an LLM
 * stream that neither yielded nor ended, a TTS that owed audio and sent none, an audio output that did
 * not accept a frame, report a segment's end, or report a cut. The speech fails with it (its waiters
 * reject with a {@link SpeechFailedError} whose `cause` is this error), the session emits it as an
 * `error` event whose `source` is `dependency`, and the floor goes to the next speech.
 * @example
 * session.on('error', ({ error }) => { if (error instanceof DependencyStalledError) metrics.stall(error.dependency); });
 */
export class DependencyStalledError extends SpeechchartsError {
  readonly dependency: StalledDependency;
  /** The limit that passed without progress, in milliseconds. */
  readonly ms: number;
  constructor(dependency: StalledDependency, ms: number, what: string) {
    super(`${dependency} made no progress for ${ms} ms: ${what}`);
    this.dependency = dependency;
    this.ms = ms;
  }
}

/** `interrupt()` without `force` on a speech created with `allowInterruptions: false`. Nothing was interrupted. */
export class InterruptionRefusedError extends SpeechchartsError {
  readonly speechId: string;
  constructor(speechId: string) {
    super(`speech ${speechId} does not allow interruptions; pass { force: true } to interrupt it anyway`);
    this.speechId = speechId;
  }
}

/**
 * Thrown by a tool to report a failure to the LLM: its message becomes the error output.
 * Any other exception becomes a generic "internal error" output (its details go to the `error` event).
 * @example
 * execute: async ({ city }) => { if (!known(city)) throw new ToolError(`unknown city ${city}`); ... }
 */
export class ToolError extends SpeechchartsError {}

/** The session is closed (or was never started) and cannot take this call. */
export class SessionClosedError extends SpeechchartsError {}

/** A public function got an argument it cannot use; the message names it. */
export class InvalidArgumentError extends SpeechchartsError {}

/**
 * A LiveKit plugin (wrapped by `speechcharts/livekit`) reported a failure it did not recover from:
 * `plugin` is its label (e.g. `openai.LLM`), `cause` the plugin's error.
 * @example
 * session.on('error', ({ error }) => { if (error instanceof LiveKitPluginError) log(error.plugin, error.cause); });
 */
export class LiveKitPluginError extends SpeechchartsError {
  readonly plugin: string;
  constructor(plugin: string, cause: unknown) {
    super(`${plugin} failed: ${describe(cause)}`, { cause });
    this.plugin = plugin;
  }
}

export function describe(e: unknown): string {
  if (e instanceof Error) return e.message;
  try { return JSON.stringify(e); } catch { return String(e); }
}

/**
 * `session.run()` while another run of the session is not done (runs do not nest, as in LiveKit),
 * or `result.expect` read before the run is done.
 * @example const r = session.run({ userInput: 'hi' }); await clock.runUntil(r.wait()); session.run({ userInput: 'next' });
 */
export class RunInProgressError extends SpeechchartsError {}
