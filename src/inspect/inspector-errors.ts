import { SpeechchartsError } from '../errors.js';

/**
 * A diagram render ran past its time limit; its render thread was terminated. Graphviz's layout
 * grows steeply with crossing edges: a 26 KB graph with 200 transitions can take seconds.
 * @example if (e instanceof DiagramRenderTimeoutError) res.writeHead(504);
 */
export class DiagramRenderTimeoutError extends SpeechchartsError {
  readonly timeLimitMs: number;
  constructor(timeLimitMs: number) {
    super(`the diagram took longer than ${timeLimitMs} ms to lay out and was abandoned (too many states or crossing transitions to draw)`);
    this.timeLimitMs = timeLimitMs;
  }
}

/**
 * Too many renders are waiting: the request was refused rather than queued without bound.
 * @example if (e instanceof DiagramRenderBusyError) res.writeHead(503, { 'retry-after': '5' });
 */
export class DiagramRenderBusyError extends SpeechchartsError {
  readonly maxQueued: number;
  constructor(maxQueued: number) {
    super(`the diagram renderer is busy (${maxQueued} renders already waiting); try again later`);
    this.maxQueued = maxQueued;
  }
}

/**
 * The renderer was closed (the inspector is shutting down) before the render finished.
 * @example if (e instanceof DiagramRendererClosedError) return; // shutting down
 */
export class DiagramRendererClosedError extends SpeechchartsError {
  constructor() {
    super('the diagram renderer is closed');
  }
}

/**
 * Graphviz failed on the diagram, or its render thread crashed or could not start.
 * @example if (e instanceof DiagramRenderError) console.error(e.message);
 */
export class DiagramRenderError extends SpeechchartsError {}

/**
 * A posted machine graph is not one: `problem` says which field is wrong.
 * @example if (e instanceof InvalidMachineGraphError) res.writeHead(400).end(e.message);
 */
export class InvalidMachineGraphError extends SpeechchartsError {
  readonly problem: string;
  constructor(problem: string) {
    super(`not a machine graph: ${problem}`);
    this.problem = problem;
  }
}

/**
 * A posted machine graph has more states or transitions than the inspector draws.
 * @example if (e instanceof MachineGraphTooLargeError) res.writeHead(413).end(e.message);
 */
export class MachineGraphTooLargeError extends SpeechchartsError {
  constructor(what: 'states' | 'transitions', count: number, limit: number) {
    super(`the machine graph has ${count} ${what}; the inspector draws at most ${limit}`);
  }
}
