import { LiveKitPluginError } from '../errors.js';

/** What LiveKit plugins emit as `error` (`llm_error`, `tts_error`, `stt_error`): the part used here. */
interface PluginErrorEvent {
  error: Error;
  recoverable: boolean;
}

/** The part of a LiveKit plugin (an EventEmitter) that reports failures. */
export interface PluginEmitter {
  on(event: 'error', listener: (ev: PluginErrorEvent) => void): unknown;
  off(event: 'error', listener: (ev: PluginErrorEvent) => void): unknown;
}

/**
 * Watches a plugin's `error` events while one of its streams is open. LiveKit streams do not throw:
 * a failed request ends the stream quietly and the plugin emits `error`, so a stream that simply
 * ended must be checked against this. The plugin's events name no stream: an unrecoverable failure
 * of any stream of the same plugin instance, while this one is open, is taken as this one's.
 * @example
 * const watch = watchPluginFailure(llm, llm.label(), () => stream.close());
 * for await (const c of stream) use(c);
 * watch.off(); watch.throwIfFailed();
 */
export function watchPluginFailure(plugin: PluginEmitter, label: string, onFailure: () => void) {
  let failure: LiveKitPluginError | undefined;
  // Also keeps Node's EventEmitter from throwing an `error` event nobody listens to.
  const listener = (ev: PluginErrorEvent) => {
    if (ev.recoverable || failure) return;
    failure = new LiveKitPluginError(label, ev.error);
    onFailure();
  };
  plugin.on('error', listener);
  return {
    off: () => void plugin.off('error', listener),
    get failure(): LiveKitPluginError | undefined {
      return failure;
    },
    throwIfFailed(): void {
      if (failure) throw failure;
    },
  };
}
