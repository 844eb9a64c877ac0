/**
 * Iterates `source` until it ends or `signal` aborts, whichever comes first. An abort ends the loop
 * at once even while the source is stuck in `next()`; the source is then closed in the background
 * and whatever it rejects with later is observed, so it never becomes an unhandled rejection.
 * @example for await (const chunk of abortableIterate(llm.chat(req), signal)) handle(chunk);
 */
export async function* abortableIterate<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  if (signal.aborted) return;
  const it = source[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
  });
  let finished = false;
  try {
    while (true) {
      const next = it.next();
      const r = await Promise.race([next, aborted]);
      if (r === 'aborted') {
        next.catch(() => {});
        return;
      }
      if (r.done) {
        finished = true;
        return;
      }
      yield r.value;
      if (signal.aborted) return;
    }
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    if (!finished && it.return) {
      try {
        Promise.resolve(it.return()).catch(() => {});
      } catch {
        // A source whose return() throws synchronously has nothing left to close.
      }
    }
  }
}
