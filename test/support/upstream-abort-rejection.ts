/**
 * A known upstream bug, caught narrowly: when a request of `@livekit/agents-plugin-openai`'s TTS
 * (1.9.0) is aborted before its response headers arrive, the OpenAI SDK throws `APIUserAbortError`
 * (named 'Error'); the plugin's `ChunkedStream.run` only swallows errors named 'AbortError', and
 * `@livekit/agents`' `ChunkedStream` constructor drops its `mainTask()` promise, so the abort ends
 * as an unhandled rejection. The connection is closed all the same (what the tests check).
 * While installed, those rejections are counted instead of failing the run; any other unhandled
 * rejection still goes to the runner's own listeners.
 * @example const upstream = catchUpstreamAbortRejections(); ...; upstream.restore();
 */
export function catchUpstreamAbortRejections() {
  const previous = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  let count = 0;
  const listener = (reason: unknown, promise: Promise<unknown>) => {
    if ((reason as { constructor?: { name?: string } } | null)?.constructor?.name === 'APIUserAbortError') count++;
    else for (const l of previous) l.call(process, reason, promise);
  };
  process.on('unhandledRejection', listener);
  return {
    get count() {
      return count;
    },
    restore() {
      process.off('unhandledRejection', listener);
      for (const l of previous) process.on('unhandledRejection', l);
    },
  };
}
