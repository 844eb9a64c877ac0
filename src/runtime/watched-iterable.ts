/** What a {@link watchedIterable} tells about its consumer's waits. */
export interface IterationHooks {
  /** The consumer asked for the next item (called before the source's `next()`). */
  waiting(): void;
  /** An item arrived. */
  answered(): void;
  /** The iteration is over: ended, failed or closed by the consumer. Called once. */
  closed(): void;
}

/**
 * `source`, with hooks around each `next()`, so a watchdog can run exactly while the consumer waits
 * on the source. A plain iterator, not a generator: `return()` reaches the source at once even while
 * a `next()` is pending (an async generator would queue it behind that `next()`, forever for a stall).
 * @example for await (const chunk of watchedIterable(llm.chat(req), { waiting: arm, answered: () => {}, closed: disarm })) use(chunk);
 */
export function watchedIterable<T>(source: AsyncIterable<T>, hooks: IterationHooks): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const it = source[Symbol.asyncIterator]();
      let open = true;
      const close = () => {
        if (!open) return;
        open = false;
        hooks.closed();
      };
      return {
        next: () => {
          if (open) hooks.waiting();
          let next: Promise<IteratorResult<T>>;
          try {
            next = Promise.resolve(it.next());
          } catch (e) {
            close();
            return Promise.reject(e);
          }
          return next.then(
            (r) => {
              if (r.done) close();
              else if (open) hooks.answered();
              return r;
            },
            (e: unknown) => {
              close();
              throw e;
            },
          );
        },
        return: (value?: unknown) => {
          close();
          if (!it.return) return Promise.resolve({ done: true, value: value as T });
          try {
            return Promise.resolve(it.return(value));
          } catch (e) {
            return Promise.reject(e);
          }
        },
      };
    },
  };
}
