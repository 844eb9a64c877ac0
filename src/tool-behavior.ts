import { InvalidArgumentError } from './errors.js';

/**
 * What a tool does with the session, declared for `checkAgent` (and `speechcharts check --agent`):
 * the model check explores every interleaving of these with the user, the pipeline, interrupts,
 * handoffs and close. The runtime does not read it; a declaration the code does not match proves
 * nothing about that code.
 * @example tool({ description: 'look up', behavior: { awaitsPlayout: true, says: true }, execute })
 */
export interface ToolBehavior {
  /** `await ctx.waitForPlayout()`: waits for the preamble of its own step. */
  awaitsPlayout?: boolean;
  /** `await ctx.session.say(...).waitForPlayout()`. */
  says?: boolean;
  /** `await ctx.session.generateReply(...).waitForPlayout()`. */
  replies?: boolean;
  /** `ctx.session.interrupt()`. */
  interrupts?: boolean;
  /** Returns `handoff({ agent })`. */
  handsOff?: boolean;
  /** `await new SomeTask().run()`. */
  runsTask?: boolean;
  /** Throws (a `ToolError` or anything else). */
  throws?: boolean;
  /** `await ctx.speechHandle.waitForPlayout()`: waits for the whole speech that called it, tool reply included. */
  awaitsOwnSpeech?: boolean;
}

export const TOOL_BEHAVIOR_KEYS = ['awaitsPlayout', 'says', 'replies', 'interrupts', 'handsOff', 'runsTask', 'throws', 'awaitsOwnSpeech'] as const;

/** Checks a declaration: known keys, boolean values. */
export function checkToolBehavior(b: unknown): ToolBehavior | undefined {
  if (b === undefined) return undefined;
  if (b === null || typeof b !== 'object' || Array.isArray(b)) throw new InvalidArgumentError('tool: behavior must be an object of flags');
  for (const [k, v] of Object.entries(b)) {
    if (!(TOOL_BEHAVIOR_KEYS as readonly string[]).includes(k)) throw new InvalidArgumentError(`tool: behavior.${k} is not a known behavior (known: ${TOOL_BEHAVIOR_KEYS.join(', ')})`);
    if (typeof v !== 'boolean') throw new InvalidArgumentError(`tool: behavior.${k} must be a boolean, got ${typeof v}`);
  }
  return { ...(b as ToolBehavior) };
}
