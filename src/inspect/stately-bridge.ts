import type { InspectionEvent, Observer } from 'xstate';
import { sanitizeForTrace, type SanitizeOptions } from './trace-recorder.js';

export interface StatelyBridgeOptions extends SanitizeOptions {
  /** Port of the local bridge page and socket (default 8080; Stately's bridge page needs a fixed port). */
  port?: number;
  /** Open the bridge page in the default browser (default false). */
  open?: boolean;
}

export interface StatelyBridge {
  /** The local page that embeds Stately's online inspector. */
  readonly url: string;
  /** The inspection observer to pass to `AgentSession({ inspect })`. */
  readonly inspect: Observer<InspectionEvent>;
  close(): void;
}

/**
 * For users who are online: streams the session's actors to Stately's inspector (stately.ai) through
 * `@statelyai/inspect`'s local bridge. Loaded lazily: the package is optional and the offline
 * inspector never needs it. Events and contexts pass through the trace sanitizer (no audio buffers).
 * Note: the upstream bridge server listens on all interfaces.
 * @example
 * const bridge = await createStatelyBridge({ open: true });
 * const session = new AgentSession({ llm, tts, audioOutput, inspect: bridge.inspect });
 */
export async function createStatelyBridge(o: StatelyBridgeOptions = {}): Promise<StatelyBridge> {
  const port = o.port ?? 8080;
  let lib: typeof import('@statelyai/inspect');
  let server: typeof import('@statelyai/inspect/server');
  try {
    [lib, server] = await Promise.all([import('@statelyai/inspect'), import('@statelyai/inspect/server')]);
  } catch (e) {
    throw new Error(`createStatelyBridge needs the optional package @statelyai/inspect (npm install @statelyai/inspect): ${(e as Error).message}`);
  }
  const bridge = server.createInspectorServer({ port, autoOpen: o.open ?? false });
  const inspector = lib.createWebSocketInspector({
    url: `ws://localhost:${port}`,
    sanitizeEvent: (e) => sanitizeForTrace(e, o) as typeof e,
    sanitizeContext: (c) => sanitizeForTrace(c, o) as typeof c,
  });
  return {
    url: `http://localhost:${port}`,
    inspect: inspector.inspect,
    close: () => {
      inspector.stop();
      bridge.stop();
    },
  };
}
