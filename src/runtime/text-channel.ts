/**
 * A push-driven `AsyncIterable<string>`: the LLM loop pushes text, the TTS pulls it.
 * Counts the characters the consumer has pulled, which maps heard audio back to text.
 */
export class TextChannel implements AsyncIterable<string> {
  private buffer: string[] = [];
  private closed = false;
  private pending: ((r: IteratorResult<string>) => void) | null = null;
  /** Characters handed to the consumer so far. */
  pulledChars = 0;
  /**
   * Told when the consumer starts waiting for text (`true`) and when it gets text or the end (`false`):
   * a TTS that waits for the LLM owes no audio (see `StepStallLimits.tts`).
   */
  onConsumer: ((waiting: boolean) => void) | null = null;

  /** True while the consumer waits for text that has not been pushed yet. */
  get consumerWaiting(): boolean {
    return this.pending !== null;
  }

  push(text: string): void {
    if (this.closed || text.length === 0) return;
    if (this.pending) {
      const p = this.pending;
      this.pending = null;
      this.pulledChars += text.length;
      p({ value: text, done: false });
      this.onConsumer?.(false);
    } else this.buffer.push(text);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.pending && this.buffer.length === 0) {
      const p = this.pending;
      this.pending = null;
      p({ value: undefined, done: true });
      this.onConsumer?.(false);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    return {
      next: () => {
        const text = this.buffer.shift();
        if (text !== undefined) {
          this.pulledChars += text.length;
          this.onConsumer?.(false);
          return Promise.resolve({ value: text, done: false });
        }
        if (this.closed) {
          this.onConsumer?.(false);
          return Promise.resolve({ value: undefined, done: true });
        }
        const waiting = new Promise<IteratorResult<string>>((resolve) => (this.pending = resolve));
        this.onConsumer?.(true);
        return waiting;
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
