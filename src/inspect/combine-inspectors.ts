import type { InspectionEvent, Observer } from 'xstate';
import type { InspectionObserver } from './trace-recorder.js';

/**
 * One inspection observer that feeds several (a trace file, the inspector page, Stately's bridge).
 * An observer that throws is skipped for that event; the others still get it.
 * @example
 * const inspect = combineInspectors(recorder.inspect, inspector.inspect);
 * const session = new AgentSession({ llm, tts, audioOutput, inspect });
 */
export function combineInspectors(...observers: (InspectionObserver | undefined)[]): Observer<InspectionEvent> {
  const fns = observers
    .filter((o): o is InspectionObserver => o !== undefined)
    .map((o) => (typeof o === 'function' ? o : (ev: InspectionEvent) => o.next?.(ev)));
  return {
    next: (ev) => {
      for (const f of fns) {
        try {
          f(ev);
        } catch {
          /* inspection must never break the session */
        }
      }
    },
  };
}
