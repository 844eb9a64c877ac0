import { LiveKitPluginError } from '../errors.js';

/** What LiveKit plugins emit as `error` (`llm_error`, `tts_error`, `stt_error`): the part used here. */
interface PluginErrorEvent {
  error: Error;
  recoverable: boolean;
}

/** The part of a LiveKit plugin (an EventEmitter) that reports failures. */
export interface PluginEmitter {
  on(event: 'error', listener: (ev: PluginErrorEvent) => void): unknown;
}

/** One open stream's view of its plugin's failures. */
export interface FailureWatch {
  readonly failure: LiveKitPluginError | undefined;
  throwIfFailed(): void;
  /** The stream is done: stop taking the plugin's failures as its own. */
  off(): void;
}

/**
 * Routes a LiveKit plugin's `error` events to the bridge's open streams. LiveKit streams do not
 * throw: a failed request ends the stream quietly and the plugin emits `error`, so a stream that
 * simply ended must be checked against this. The events name no stream: an unrecoverable failure
 * while streams of this plugin instance are open is taken as theirs. One listener stays on the
 * plugin for good: LiveKit emits a closed stream's failure (e.g. its aborted request) after the
 * close, and an `error` event nobody listens to would throw out of the plugin. Those late failures
 * of streams the bridge itself closed are dropped.
 * @example
 * const failures = new PluginFailures(llm, llm.label());
 * const watch = failures.watch(() => stream.close());
 * for await (const c of stream) use(c);
 * watch.off(); watch.throwIfFailed();
 */
export class PluginFailures {
  private readonly open = new Set<(e: LiveKitPluginError) => void>();

  constructor(
    plugin: PluginEmitter,
    private readonly label: string,
  ) {
    plugin.on('error', (ev) => {
      if (ev.recoverable) return;
      const error = new LiveKitPluginError(this.label, ev.error);
      for (const l of [...this.open]) l(error);
    });
  }

  watch(onFailure: () => void): FailureWatch {
    let failure: LiveKitPluginError | undefined;
    const listener = (e: LiveKitPluginError) => {
      if (failure) return;
      failure = e;
      onFailure();
    };
    this.open.add(listener);
    return {
      get failure() {
        return failure;
      },
      throwIfFailed() {
        if (failure) throw failure;
      },
      off: () => void this.open.delete(listener),
    };
  }
}
