import { Agent, type AgentOptions } from '../agents/agent.js';
import { AgentTask } from '../agents/agent-task.js';
import type { ScenarioAgentEnter, ScenarioAgent as ScenarioAgentSpec } from './scenario-schema.js';
import type { ScenarioLLM } from './scenario-llm.js';
import type { ScenarioTools } from './scenario-tools.js';

/** Runs a scenario agent's `onEnter`: a fixed line, or a reply from the scenario's replies. */
function enter(agent: Agent, what: ScenarioAgentEnter | undefined): void {
  if (!what) return;
  if ('say' in what) agent.session.say(what.say);
  else agent.session.generateReply(what.generateReply.instructions !== undefined ? { instructions: what.generateReply.instructions } : {});
}

/** An agent of a scenario: its instructions, its tools, its `onEnter`. */
class ScenarioAgent extends Agent {
  constructor(
    o: AgentOptions,
    private readonly onEnterSpec: ScenarioAgentEnter | undefined,
  ) {
    super(o);
  }

  override onEnter(): void {
    enter(this, this.onEnterSpec);
  }
}

/** A task of a scenario: an `AgentTask` whose `complete` tools end it. */
class ScenarioTask extends AgentTask<unknown> {
  constructor(
    o: AgentOptions,
    private readonly onEnterSpec: ScenarioAgentEnter | undefined,
  ) {
    super(o);
  }

  override onEnter(): void {
    enter(this, this.onEnterSpec);
  }
}

/**
 * Makes the scenario's agents: each call is a new instance (as `handoff({ agent: new Booking() })`
 * makes one), named by its scenario name, speaking with the scenario LLM's replies for that name.
 * @example
 * const make = scenarioAgentFactory(scenario.agents!, { llm, tools: () => toolSet });
 * const session = new AgentSession({ llm, tts, audioOutput, agent: make(scenario.startAgent!) });
 */
export function scenarioAgentFactory(
  specs: Record<string, ScenarioAgentSpec>,
  o: { llm: ScenarioLLM; tools: () => ScenarioTools },
): (name: string) => Agent {
  return (name) => {
    const spec = specs[name];
    if (!spec) throw new RangeError(`no scenario agent named ${name}`);
    const options = (tools: AgentOptions['tools']): AgentOptions => ({
      id: name,
      instructions: spec.instructions,
      tools,
      llm: o.llm.forAgent(name),
      ...(spec.allowInterruptions !== undefined ? { allowInterruptions: spec.allowInterruptions } : {}),
    });
    if (!spec.task) return new ScenarioAgent(options(o.tools().toolsFor(spec.tools)), spec.onEnter);
    // A task's `complete` tools end this very instance.
    const task: ScenarioTask = new ScenarioTask(options(o.tools().toolsFor(spec.tools, () => task)), spec.onEnter);
    return task;
  };
}
