import type { Agent } from '../agents/agent.js';
import type { AgentTask } from '../agents/agent-task.js';
import { handoff } from '../agents/handoff.js';
import type { Clock } from '../ports/clock.js';
import { SpeechchartsError, ToolError, describe } from '../errors.js';
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
  /** The agent its `handoff` returned (the handoff itself happens once the step played whole). */
  handoffTo?: string;
  /** Its `runTask`: the task's name, when `run()` started and settled, and with what. */
  task?: { name: string; startedAt: number; settledAt?: number; result?: unknown; error?: string };
  /** The value its `complete` ended its task with. */
  completedWith?: unknown;
}

/** A scenario tool cannot do what it scripts (e.g. `complete` from an agent that is not a task). */
export class ScenarioToolError extends SpeechchartsError {}

/** Something a scenario tool did, for the live view. */
export type ScenarioToolEvent =
  | { type: 'waitStarted'; record: ScenarioToolRecord }
  | { type: 'waitSettled'; record: ScenarioToolRecord }
  | { type: 'ended'; record: ScenarioToolRecord }
  | { type: 'taskStarted'; record: ScenarioToolRecord }
  | { type: 'taskSettled'; record: ScenarioToolRecord };

export interface ScenarioTools {
  /** Every tool, for a scenario without agents (the default agent offers them all). */
  tools: Record<string, Tool>;
  /** The named tools for one agent instance; `owner` gives the task a `complete` tool ends. */
  toolsFor(names: readonly string[], owner?: () => AgentTask<unknown>): Record<string, Tool>;
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
    /** A new instance of the scenario agent `name`, for a tool's `handoff` or `runTask`. */
    makeAgent?: (name: string) => Agent;
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
  const make = (name: string): Agent => {
    if (!o.makeAgent) throw new ScenarioToolError(`scenario tool: agent ${name} cannot be made (the run has no agents)`);
    return o.makeAgent(name);
  };
  const build = (name: string, spec: ScenarioTool, owner: (() => AgentTask<unknown>) | undefined): Tool =>
    tool({
      description: spec.description,
      async execute(args, { ctx, abortSignal, toolCallId }) {
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
          if (spec.handoff) {
            const agent = make(spec.handoff.agent);
            rec.handoffTo = agent.id;
            end('returned');
            return 'returns' in spec.handoff ? handoff({ agent, returns: spec.handoff.returns }) : handoff({ agent });
          }
          if (spec.runTask !== undefined) {
            const task = make(spec.runTask) as AgentTask<unknown>;
            rec.task = { name: spec.runTask, startedAt: clock.now() };
            emit({ type: 'taskStarted', record: rec });
            try {
              rec.task.result = await task.run();
            } catch (e) {
              rec.task.error = describe(e);
              throw e;
            } finally {
              rec.task.settledAt = clock.now();
              emit({ type: 'taskSettled', record: rec });
            }
            end('returned');
            return rec.task.result;
          }
          if (spec.complete) {
            if (!owner) throw new ScenarioToolError(`scenario tool ${name}: "complete" runs in a task, and this agent is not one`);
            const value = spec.complete.with === 'arguments' ? args : spec.complete.value;
            rec.completedWith = value;
            owner().complete(value);
          }
        } catch (e) {
          end((abortSignal.aborted && !spec.ignoreAbort) || o.stop?.aborted ? 'aborted' : 'threw');
          throw e;
        }
        end('returned');
        return spec.result;
      },
    });
  const tools: Record<string, Tool> = {};
  for (const [name, spec] of Object.entries(specs)) tools[name] = build(name, spec, undefined);
  return {
    tools,
    toolsFor: (names, owner) => Object.fromEntries(names.map((n) => [n, build(n, specs[n]!, owner)])),
    records,
    get running() {
      return running;
    },
  };
}
