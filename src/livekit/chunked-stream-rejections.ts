import type { tts as lk } from '@livekit/agents';

const contained = Symbol('speechcharts.chunkedStreamRejectionsContained');

/** The parts of agents' `ChunkedStream` (protected or private in its types) that this wraps. */
interface ChunkedStreamInternals {
  run(): Promise<void>;
  mainTask(): Promise<unknown>;
  readonly abortSignal: AbortSignal;
}

/**
 * Upstream workaround (`@livekit/agents` 1.9.0 with `@livekit/agents-plugin-openai` 1.9.0): agents'
 * `ChunkedStream` constructor starts its request task in a microtask and drops that task's promise
 * (`ThrowsPromise.resolve().then(() => this.mainTask().finally(...))`), so any error thrown out of
 * the plugin's `run()` ends as an unhandled promise rejection, which by default crashes the process.
 * The OpenAI TTS hits it whenever a request is aborted before its response headers arrive (the
 * OpenAI SDK throws `APIUserAbortError`, and the plugin's `run` only swallows errors named
 * 'AbortError'), and on every genuine failure (e.g. an HTTP 500).
 *
 * Shadows `synthesize` on this plugin instance, once (marked with a Symbol), so that each
 * `ChunkedStream` it returns, before its task starts:
 * - ends normally when `run()` throws after the stream's abort signal fired (our own abort: no
 *   `error` event, no rejection);
 * - settles its task quietly when the task rejected with an error the stream had already emitted
 *   as the plugin's `error` (every failure path of agents' task does so before rethrowing), which
 *   the bridge's `PluginFailures` turns into the speech's failure; an error that was not emitted
 *   is emitted here as a `tts_error` instead, so none is lost.
 * `StreamAdapter` calls its plugin's `synthesize`, so this covers the bridge's non-streaming path.
 * A streaming plugin's `SynthesizeStream` catches its own task's rejection and needs none of this.
 * @example
 * const adapter = new tts.StreamAdapter(plugin, tokenizer);
 * containChunkedStreamRejections(plugin); // before any synthesis
 */
export function containChunkedStreamRejections(plugin: lk.TTS): void {
  const marked = plugin as lk.TTS & { [contained]?: true };
  if (marked[contained]) return;
  marked[contained] = true;
  const emitted = new WeakSet<object>();
  plugin.on('error', (ev: { error: unknown }) => {
    if (typeof ev.error === 'object' && ev.error !== null) emitted.add(ev.error);
  });
  const synthesize = plugin.synthesize;
  plugin.synthesize = function (this: lk.TTS, text, connOptions, abortSignal) {
    const stream = synthesize.call(this, text, connOptions, abortSignal);
    contain(stream as unknown as ChunkedStreamInternals, plugin, emitted, abortSignal);
    return stream;
  };
}

function contain(stream: ChunkedStreamInternals, plugin: lk.TTS, emitted: WeakSet<object>, callerSignal: AbortSignal | undefined): void {
  // The stream's own signal misses a caller signal that was already aborted when it was created.
  const aborted = () => stream.abortSignal.aborted || callerSignal?.aborted === true;
  const run = stream.run;
  stream.run = async function (this: ChunkedStreamInternals) {
    try {
      await run.call(this);
    } catch (error) {
      if (!aborted()) throw error;
    }
  };
  const mainTask = stream.mainTask;
  if (typeof mainTask !== 'function') return;
  stream.mainTask = function (this: ChunkedStreamInternals) {
    return mainTask.call(this).catch((error: unknown) => {
      if (aborted() || (typeof error === 'object' && error !== null && emitted.has(error))) return;
      plugin.emit('error', { type: 'tts_error', timestamp: Date.now(), label: plugin.label, error: error instanceof Error ? error : new Error(String(error)), recoverable: false });
    });
  };
}
