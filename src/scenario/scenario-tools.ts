import type { Clock } from '../ports/clock.js';
import { ToolError, describe } from '../errors.js';
import { tool, type Tool } from '../tool.js';
import { sleep } from './scenario-llm.js';
import type { ScenarioTool } from './scenario-schema.js';

/** What one execution of a scenario tool did, with clock times. */
export interface ScenarioToolRecord {
  name: string;
  callId: string;
  speechId: string;
  startedAt: number;
  /** When `ctx.waitForPlayout()` was called, if the tool waits for playout. */
  waitStartedAt?: number;
  /** When that wait settled, and how. */
  waitSettledAt?: number;
  waitOutcome?: 'resolved' | 'rejected';
  waitError?: string;
  /** The status speech the tool said (its `say`), and how awaiting it ended. */
  saySpeechId?: string;
  sayOutcome?: 'played' | 'interrupted';
  /** When the abort signal fired, if it did. */
  abortedAt?: number;
  endedAt?: number;
  /** How the body ended: returned, threw its scripted error, or stopped on the abort. */
  outcome?: 'returned' | 'threw' | 'aborted';
}

/** Something a scenario tool did, for the live view. */
export type ScenarioToolEvent =
  | { type: 'waitStarted'; record: ScenarioToolRecord }
  | { type: 'waitSettled'; record: ScenarioToolRecord }
  | { type: 'ended'; record: ScenarioToolRecord };

export interface ScenarioTools {
  tools: Record<string, Tool>;
  /** Every execution so far, in start order. */
  readonly records: ScenarioToolRecord[];
  /** Tool bodies still running (an `ignoreAbort` tool keeps running after its run was aborted). */
  readonly running: number;
}

/**
 * Builds the scenario's tools on a clock. Each one optionally waits for its preamble's playout,
 * optionally says a status line and awaits it (`say`), works for `durationMs` (stopping at its abort signal unless `ignoreAbort`), then returns
 * `result` or throws its scripted `ToolError` / `Error`.
 * @example
 * const { tools, records } = buildScenarioTools(scenario.tools, { clock });
 * const session = new AgentSession({ llm, tts, audioOutput, tools });
 */
export function buildScenarioTools(
  specs: Record<string, ScenarioTool>,
  o: {
    clock: Clock;
    onEvent?: (ev: ScenarioToolEvent) => void;
    /** Ends every tool body, even those that ignore their abort signal (the run is over: no timer may stay behind). */
    stop?: AbortSignal;
  },
): ScenarioTools {
  const records: ScenarioToolRecord[] = [];
  let running = 0;
  const emit = (ev: ScenarioToolEvent) => {
    try {
      o.onEvent?.(ev);
    } catch {
      /* a view must not break a tool */
    }
  };
  const tools: Record<string, Tool> = {};
  for (const [name, spec] of Object.entries(specs)) {
    tools[name] = tool({
      description: spec.description,
      async execute(_args, { ctx, abortSignal, toolCallId }) {
        const clock = o.clock;
        const rec: ScenarioToolRecord = { name, callId: toolCallId, speechId: ctx.speechHandle.id, startedAt: clock.now() };
        records.push(rec);
        running++;
        const onAbort = () => (rec.abortedAt = clock.now());
        abortSignal.addEventListener('abort', onAbort, { once: true });
        const end = (outcome: ScenarioToolRecord['outcome']) => {
          rec.outcome = outcome;
          rec.endedAt = clock.now();
          running--;
          abortSignal.removeEventListener('abort', onAbort);
          emit({ type: 'ended', record: rec });
        };
        try {
          if (spec.waitForPlayout) {
            rec.waitStartedAt = clock.now();
            emit({ type: 'waitStarted', record: rec });
            try {
              await ctx.waitForPlayout();
              rec.waitOutcome = 'resolved';
            } catch (e) {
              rec.waitOutcome = 'rejected';
              rec.waitError = e instanceof Error ? e.name : describe(e);
              if (!spec.ignoreAbort) throw e;
            } finally {
              rec.waitSettledAt = clock.now();
              emit({ type: 'waitSettled', record: rec });
            }
          }
          if (spec.say !== undefined) {
            // A status line while the tool works: served at once (the speech that called the tool
            // released the floor once its preamble played); a barge-in on it leaves the tool running.
            const h = ctx.session.say(spec.say);
            rec.saySpeechId = h.id;
            try {
              await h.waitForPlayout();
              rec.sayOutcome = 'played';
            } catch {
              rec.sayOutcome = 'interrupted';
            }
          }
          // A tool that ignores its abort signal works on regardless: that is what it scripts.
          const until = spec.ignoreAbort ? o.stop : o.stop ? AbortSignal.any([abortSignal, o.stop]) : abortSignal;
          await sleep(clock, spec.durationMs, until);
          if (abortSignal.aborted && !spec.ignoreAbort) throw abortSignal.reason ?? new Error('aborted');
          if (o.stop?.aborted) throw new Error('the scenario run ended before the tool finished');
          if (spec.throws) throw spec.throws.type === 'ToolError' ? new ToolError(spec.throws.message) : new Error(spec.throws.message);
        } catch (e) {
          end((abortSignal.aborted && !spec.ignoreAbort) || o.stop?.aborted ? 'aborted' : 'threw');
          throw e;
        }
        end('returned');
        return spec.result;
      },
    });
  }
  return {
    tools,
    records,
    get running() {
      return running;
    },
  };
}
