import type { AgentSession } from '../agent-session.js';
import type { SessionRouter } from '../core/session-router.js';
import { RunContext } from '../run-context.js';
import type { AgentHost } from './agent-host.js';
import type { LiveMachines } from './live-machines.js';
import { mockFor } from './tool-mocks.js';

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
  agents: AgentHost,
  /** The agent the speech speaks for: its tools, and the scope its tool runs in. */
  agentKey: string | null,
  speechId: string,
  step: number,
  llmCall: { callId: string; name: string; arguments: string },
): void {
  const { callId, refusal } = router.toolCall(speechId, step, llmCall);
  const call = { ...llmCall, callId };
  const run = machines.toolRuns.get(call.callId);
  if (!run) return; // the speech ended before the call was parsed
  if (refusal) return run.reject(refusal);
  const agent = agents.agent(agentKey);
  const t = agent?.tools[call.name];
  if (!agent || !t) return run.reject(`Unknown function: ${call.name}`);
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
  // A test's `withMockTools` stands in for the tool's own execute (the arguments were checked against the real one).
  const mock = mockFor(agent, call.name);
  const options = { ctx, toolCallId: call.callId, abortSignal: run.abortController.signal };
  const exec = mock ? () => mock(parsed, options) : () => t.execute(parsed, options);
  // Run as the agent's code: what the tool says is that agent's, and `AgentTask.run()` knows its caller.
  run.execute(agentKey === null ? exec : () => agents.inScope(agentKey, exec));
}
