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

  push(text: string): void {
    if (this.closed || text.length === 0) return;
    if (this.pending) {
      const p = this.pending;
      this.pending = null;
      this.pulledChars += text.length;
      p({ value: text, done: false });
    } else this.buffer.push(text);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.pending && this.buffer.length === 0) {
      const p = this.pending;
      this.pending = null;
      p({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    return {
      next: () => {
        const text = this.buffer.shift();
        if (text !== undefined) {
          this.pulledChars += text.length;
          return Promise.resolve({ value: text, done: false });
        }
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.pending = resolve));
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
