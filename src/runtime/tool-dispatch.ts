import type { AgentSession } from '../agent-session.js';
import type { SessionRouter } from '../core/session-router.js';
import { RunContext } from '../run-context.js';
import type { Tool } from '../tool.js';
import type { LiveMachines } from './live-machines.js';

/**
 * Starts the run of one parsed function call: the router creates its machine (and refuses it past
 * `maxToolSteps`); unknown tools and bad arguments become error outputs; a valid call executes at
 * once, concurrently with the preamble's playout.
 * @internal
 */
export function runTool(
  session: AgentSession,
  router: SessionRouter,
  machines: LiveMachines,
  tools: Record<string, Tool>,
  speechId: string,
  step: number,
  call: { callId: string; name: string; arguments: string },
): void {
  const refusal = router.toolCall(speechId, step, call);
  const run = machines.toolRuns.get(call.callId);
  if (!run) return; // the speech ended before the call was parsed
  if (refusal) return run.reject(refusal);
  const t = tools[call.name];
  if (!t) return run.reject(`error: unknown function ${call.name}`);
  let parsed: unknown;
  try {
    parsed = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
  } catch (e) {
    return run.reject(`error: invalid arguments for ${call.name}: ${(e as Error).message}`);
  }
  const problem = t.validate(parsed);
  if (problem) return run.reject(`error: invalid arguments for ${call.name}: ${problem}`);
  const handle = machines.handles.get(speechId)!;
  const ctx = new RunContext(session, handle, call, run);
  run.execute(() => t.execute(parsed, { ctx, toolCallId: call.callId, abortSignal: run.abortController.signal }));
}
