import { Agent, AgentTask, handoff, tool, type AgentOptions, type LLMRequest, type Tool } from '../../src/index.js';

/** A promise with its resolve, for hooks and tools a test releases by hand. */
export function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A scripted-LLM match on the request's instructions. */
export const byInstructions = (text: string) => (req: LLMRequest) => req.instructions?.includes(text) === true;

/** A scripted-LLM match on the last user message while agent `text` speaks. */
export const userSaysTo = (agentText: string, userInput: string) => (req: LLMRequest) => {
  const last = req.history.at(-1);
  return req.instructions?.includes(agentText) === true && last?.type === 'message' && last.role === 'user' && last.content === userInput;
};

/** A configurable agent: hooks given as functions, each run as the agent. */
export class TestAgent extends Agent {
  constructor(
    o: AgentOptions,
    private readonly hooks: { onEnter?: (a: TestAgent) => unknown; onExit?: (a: TestAgent) => unknown } = {},
  ) {
    super(o);
  }
  override async onEnter() {
    await this.hooks.onEnter?.(this);
  }
  override async onExit() {
    await this.hooks.onExit?.(this);
  }
}

/** A task collecting a string through its `save` tool. */
export class CollectTask extends AgentTask<string> {
  constructor(id = 'collect', o: { onEnter?: (t: CollectTask) => unknown } = {}) {
    const save = tool({
      description: 'Save the value',
      parameters: { type: 'object', properties: { value: { type: 'string' } }, required: ['value'] },
      execute: async ({ value }: { value: string }) => {
        this.complete(value);
        return 'saved';
      },
    });
    super({ id, instructions: `TASK ${id}`, tools: { save } });
    this.enter = o.onEnter;
  }
  private readonly enter: ((t: CollectTask) => unknown) | undefined;
  override async onEnter() {
    await this.enter?.(this);
  }
}

/** A tool that hands off to a fresh agent made by `make`. */
export function handoffTool(make: () => Agent, returns?: unknown): Tool {
  return tool({ description: 'Hand off', execute: async () => handoff({ agent: make(), ...(returns !== undefined ? { returns } : {}) }) });
}

/**
 * A booking agent whose `book` tool runs a `CollectTask` (id `phone`) and catches its failure,
 * started and asked to book: resolves once the task speaks for the session.
 */
export async function sessionInTask(o: { task?: () => CollectTask } = {}) {
  const { makeSession } = await import('./session-fixture.js');
  const out: { failure: unknown } = { failure: undefined };
  const book = tool({
    description: 'Book',
    // Catches and ignores its abort signal: nothing may wait for this tool.
    execute: async () => (o.task?.() ?? new CollectTask('phone')).run().catch((e) => ((out.failure = e), 'x')),
  });
  const s = makeSession({
    session: { agent: new TestAgent({ id: 'booking', instructions: 'BOOKING', tools: { book } }) },
    replies: [{ when: { userInput: 'book' }, reply: [{ type: 'toolCall', callId: 'c1', name: 'book', arguments: '{}' }] }],
  });
  await s.session.start();
  s.session.generateReply({ userInput: 'book' });
  await s.clock.runUntilTrue(() => s.session.currentAgent.id === 'phone');
  return { ...s, out };
}
