import type { AgentSession } from '../agent-session.js';
import { InvalidArgumentError, SpeechchartsError } from '../errors.js';
import type { ChatItem, ChatMessage } from '../ports/chat-item.js';
import type { LLM } from '../ports/llm.js';
import type { TTS } from '../ports/tts.js';
import { isTool, type Tool } from '../tool.js';

/** `agent.session` was read while the agent is not running in a session. */
export class AgentNotRunningError extends SpeechchartsError {}

export interface AgentOptions {
  /** Names the agent in `agent_handoff` items and events (default: derived from the class name, `default_agent` for `Agent`). */
  id?: string;
  instructions: string;
  tools?: Record<string, Tool>;
  /** This agent's LLM (default: the session's). */
  llm?: LLM;
  /** This agent's TTS (default: the session's). */
  tts?: TTS;
  /** Default for this agent's speeches that do not say (default: the session's). */
  allowInterruptions?: boolean;
}

/** Where a running agent is: set by the session while one of its entries runs. @internal */
const running = new WeakMap<Agent, { session: AgentSession; entries: number }>();

/**
 * One agent of a voice session: its instructions, tools and models, and hooks LiveKit users know.
 * Subclass it and override the hooks; hand over to another agent with `session.updateAgent(agent)`
 * or by returning `handoff({ agent })` from a tool.
 *
 * @example
 * class Greeter extends Agent {
 *   constructor() { super({ instructions: 'Greet the caller, then transfer them.', tools: { transfer } }); }
 *   override async onEnter() { this.session.generateReply({ instructions: 'Greet the user' }); }
 * }
 * const session = new AgentSession({ llm, tts, audioOutput, agent: new Greeter() });
 */
export class Agent {
  readonly id: string;
  #instructions: string;
  #tools: Record<string, Tool>;
  readonly llm: LLM | undefined;
  readonly tts: TTS | undefined;
  readonly allowInterruptions: boolean | undefined;

  constructor(o: AgentOptions) {
    const name = new.target.name;
    if (o === null || typeof o !== 'object') throw new InvalidArgumentError(`${name}: options must be an object with instructions`);
    if (typeof o.instructions !== 'string') throw new InvalidArgumentError(`${name}: instructions must be a string, got ${typeof o.instructions}`);
    if (o.id !== undefined && (typeof o.id !== 'string' || o.id.trim() === '')) throw new InvalidArgumentError(`${name}: id must be a non-empty string`);
    if (o.allowInterruptions !== undefined && typeof o.allowInterruptions !== 'boolean')
      throw new InvalidArgumentError(`${name}: allowInterruptions must be a boolean, got ${typeof o.allowInterruptions}`);
    if (o.llm !== undefined && typeof (o.llm as LLM)?.chat !== 'function') throw new InvalidArgumentError(`${name}: llm must have a chat() method`);
    if (o.tts !== undefined && typeof (o.tts as TTS)?.synthesize !== 'function') throw new InvalidArgumentError(`${name}: tts must have a synthesize() method`);
    this.id = o.id ?? defaultId(new.target);
    this.#instructions = o.instructions;
    this.#tools = checkTools(name, o.tools ?? {});
    this.llm = o.llm;
    this.tts = o.tts;
    this.allowInterruptions = o.allowInterruptions;
  }

  get instructions(): string {
    return this.#instructions;
  }

  get tools(): Record<string, Tool> {
    return this.#tools;
  }

  /** The session running this agent; throws {@link AgentNotRunningError} when it is not running. */
  get session(): AgentSession {
    const r = running.get(this);
    if (!r) throw new AgentNotRunningError(`agent ${this.id} is not running in a session (read agent.session from its hooks and tools)`);
    return r.session;
  }

  /** Called when the agent takes over (not awaited: a long hook never holds the session). */
  onEnter(): void | Promise<void> {}

  /** Called when the agent hands over, after its current speech finished its step; awaited. */
  onExit(): void | Promise<void> {}

  /**
   * Called for each committed user turn before the reply is generated; throw {@link StopResponse}
   * to skip the reply. `newMessage.content` may be changed here.
   */
  onUserTurnCompleted(_history: readonly ChatItem[], _newMessage: ChatMessage): void | Promise<void> {}

  /** Replaces the instructions; steps that start from now on use them. */
  async updateInstructions(instructions: string): Promise<void> {
    if (typeof instructions !== 'string') throw new InvalidArgumentError(`Agent.updateInstructions: instructions must be a string, got ${typeof instructions}`);
    this.#instructions = instructions;
  }

  /** Replaces the tools; steps that start from now on offer them. */
  async updateTools(tools: Record<string, Tool>): Promise<void> {
    this.#tools = checkTools('Agent.updateTools', tools);
  }
}

/** @internal The session marks an agent running (once per running entry). */
export function attachAgent(agent: Agent, session: AgentSession): void {
  const r = running.get(agent);
  if (r && r.session !== session) throw new InvalidArgumentError(`agent ${agent.id} is already running in another session`);
  running.set(agent, { session, entries: (r?.entries ?? 0) + 1 });
}

/** @internal */
export function detachAgent(agent: Agent): void {
  const r = running.get(agent);
  if (!r) return;
  if (r.entries <= 1) running.delete(agent);
  else r.entries--;
}

/** True when the class overrides the hook (calling the no-op would only cost a microtask per turn). */
export function overridesUserTurnCompleted(agent: Agent): boolean {
  return agent.onUserTurnCompleted !== Agent.prototype.onUserTurnCompleted;
}

function checkTools(where: string, tools: unknown): Record<string, Tool> {
  if (tools === null || typeof tools !== 'object' || Array.isArray(tools)) throw new InvalidArgumentError(`${where}: tools must be an object of tools by name`);
  for (const [name, t] of Object.entries(tools)) if (!isTool(t)) throw new InvalidArgumentError(`${where}: tools.${name} is not a tool (make it with tool({...}))`);
  return { ...(tools as Record<string, Tool>) };
}

/** `BookingAgent` → `booking_agent`; `Agent` itself → `default_agent`. */
function defaultId(cls: { name: string }): string {
  if (cls === Agent || cls.name === '' || cls.name === 'Agent') return 'default_agent';
  return cls.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}
