import { Ajv, type ValidateFunction } from 'ajv';
import { InvalidArgumentError } from './errors.js';
import type { RunContext } from './run-context.js';
import { checkToolBehavior, type ToolBehavior } from './tool-behavior.js';

/** What a tool's `execute` receives besides its arguments. */
export interface ToolExecuteOptions {
  ctx: RunContext;
  toolCallId: string;
  /** Aborted the moment the speech that issued the call is interrupted (or the session closes). */
  abortSignal: AbortSignal;
}

export interface ToolDefinition<A> {
  description: string;
  /** JSON Schema of the arguments object; validated before `execute` runs. */
  parameters?: object;
  /** What the tool does with the session, for the model check of your agent (`checkAgent`). */
  behavior?: ToolBehavior;
  execute(args: A, o: ToolExecuteOptions): unknown;
}

/** A function the LLM can call. Create it with {@link tool}. */
export interface Tool<A = any> extends ToolDefinition<A> {
  readonly kind: 'speechcharts.tool';
  /** Returns an error message for bad arguments, or null. */
  readonly validate: (args: unknown) => string | null;
}

const ajv = new Ajv({ allErrors: true, strict: false });

/**
 * Declares a function tool.
 * @example
 * const lookup = tool<{ city: string }>({
 *   description: 'Weather for a city',
 *   parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
 *   async execute({ city }, { ctx, abortSignal }) {
 *     await ctx.waitForPlayout(); // rejects SpeechInterruptedError at once if interrupted
 *     return fetchWeather(city, { signal: abortSignal });
 *   },
 * });
 */
export function tool<A = any>(d: ToolDefinition<A>): Tool<A> {
  if (d === null || typeof d !== 'object') throw new InvalidArgumentError(`tool: expected a definition object, got ${typeof d}`);
  if (typeof d.description !== 'string') throw new InvalidArgumentError('tool: description must be a string');
  if (typeof d.execute !== 'function') throw new InvalidArgumentError('tool: execute must be a function');
  if (d.parameters !== undefined && (d.parameters === null || typeof d.parameters !== 'object'))
    throw new InvalidArgumentError('tool: parameters must be a JSON Schema object');
  const behavior = checkToolBehavior(d.behavior);
  let check: ValidateFunction | null = null;
  if (d.parameters) {
    try {
      check = ajv.compile(d.parameters);
    } catch (e) {
      throw new InvalidArgumentError(`tool: parameters is not a valid JSON Schema: ${(e as Error).message}`);
    }
  }
  const validate = (args: unknown): string | null => {
    if (!check || check(args)) return null;
    return ajv.errorsText(check.errors, { dataVar: 'arguments' });
  };
  return { kind: 'speechcharts.tool', description: d.description, parameters: d.parameters, ...(behavior ? { behavior } : {}), execute: d.execute, validate };
}

export function isTool(x: unknown): x is Tool {
  return typeof x === 'object' && x !== null && (x as Tool).kind === 'speechcharts.tool';
}
