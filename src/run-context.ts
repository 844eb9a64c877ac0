import type { AgentSession } from './agent-session.js';
import type { SpeechHandle } from './speech-handle.js';
import type { ToolRun } from './tool-run.js';

/**
 * What a tool sees of the session while it runs.
 * @example
 * execute: async (args, { ctx }) => {
 *   await ctx.waitForPlayout(); // the preamble has been heard; rejects SpeechInterruptedError if interrupted
 * }
 */
export class RunContext<UserData = any> {
  readonly session: AgentSession<UserData>;
  readonly speechHandle: SpeechHandle;
  readonly functionCall: { callId: string; name: string; arguments: string };
  readonly #run: ToolRun;

  /** @internal Created by the session for each tool run. */
  constructor(session: AgentSession<UserData>, speechHandle: SpeechHandle, functionCall: { callId: string; name: string; arguments: string }, run: ToolRun) {
    this.session = session;
    this.speechHandle = speechHandle;
    this.functionCall = functionCall;
    this.#run = run;
  }

  /**
   * The session's `userdata` (the application's own state), as in LiveKit.
   * @example execute: async ({ item }, { ctx }) => { ctx.userdata.cart.push(item); return 'added'; }
   */
  get userdata(): UserData {
    return this.session.userdata;
  }

  /**
   * Waits for the playout of the step that issued this call (the preamble). Rejects
   * `SpeechInterruptedError` in the interrupt's own call stack; resolves at once if already played.
   */
  waitForPlayout(): Promise<void> {
    return this.#run.waitForPlayout();
  }
}
