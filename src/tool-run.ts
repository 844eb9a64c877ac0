import { createActor, type Actor, type InspectionEvent, type Observer } from 'xstate';
import { toolRunMachine, type ToolRunEvent } from '../machines/tool-run.machine.js';
import { Handoff } from './agents/handoff.js';
import { SpeechFailedError, SpeechInterruptedError, ToolError, describe } from './errors.js';

export type ToolRunOutcome = 'succeeded' | 'failed' | 'aborted';

export interface ToolRunOptions {
  callId: string;
  name: string;
  arguments: string;
  speechId: string;
  step: number;
  inspect?: Observer<InspectionEvent> | ((ev: InspectionEvent) => void) | undefined;
}

export interface ToolRunHooks {
  /** A routing action of the machine: the run's output, for history. */
  action(run: ToolRun, type: 'recordOutput' | 'recordAbortOutput', payload: ToolRunEvent | { reason: 'interrupt' | 'close' | 'speechFailed' | null }): void;
  /** The tool settled after its run was aborted. */
  discarded(run: ToolRun, outcome: 'result' | 'error', value: unknown): void;
  /** A tool threw something other than ToolError: the LLM gets a generic output, the details go here. */
  toolCrashed(run: ToolRun, error: unknown): void;
  /** Sends an event from outside a transition: the session runs the effects it posts afterwards. */
  dispatch(send: () => void): void;
  /** The agent entry a tool's `handoff(...)` hands to. */
  handoffKey(h: Handoff): string;
}

export { abortedToolOutput } from './core/tool-output.js';

const runs = new WeakMap<object, ToolRun>();
const runOf = (self: unknown): ToolRun => runs.get(self as object)!;

// Provided once for every run: provide() re-parses the whole machine (~50 µs per tool run).
const providedToolRunMachine = toolRunMachine.provide({
  actions: {
    resolvePlayoutWaiters: ({ self }) => runOf(self).settleWaiters(null),
    rejectPlayoutWaiters: ({ context, self }) => runOf(self).settleWaiters(() => runOf(self).errorFor(context.abortReason)),
    abortSignal: ({ context, self }) => runOf(self).abortController.abort(runOf(self).errorFor(context.abortReason)),
    recordOutput: ({ event, self }) => runOf(self).hooks.action(runOf(self), 'recordOutput', event),
    recordAbortOutput: ({ context, self }) => runOf(self).hooks.action(runOf(self), 'recordAbortOutput', { reason: context.abortReason }),
  },
});

/**
 * One function call's run: the tool-run actor, its AbortController and its playout waiters.
 * @internal The session creates these; tools see a `RunContext`.
 */
export class ToolRun {
  readonly callId: string;
  readonly name: string;
  readonly arguments: string;
  readonly speechId: string;
  readonly actor: Actor<typeof providedToolRunMachine>;
  readonly abortController = new AbortController();
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(o: ToolRunOptions, readonly hooks: ToolRunHooks) {
    this.callId = o.callId;
    this.name = o.name;
    this.arguments = o.arguments;
    this.speechId = o.speechId;
    this.actor = createActor(providedToolRunMachine, {
      id: `tool_${o.callId}`,
      input: { callId: o.callId, name: o.name, speechId: o.speechId, step: o.step },
      ...(o.inspect ? { inspect: o.inspect } : {}),
    });
    runs.set(this.actor, this);
    this.actor.start();
  }

  /**
   * @internal The error the run's signal and waits end with: the owning speech's, when the session
   * hands it over (one Error per interrupt), else one of its own.
   */
  abortError: Error | null = null;

  /** @internal */
  errorFor(reason: 'interrupt' | 'close' | 'speechFailed' | null): Error {
    return (this.abortError ??=
      reason === 'speechFailed' ? new SpeechFailedError(this.speechId, new Error('the reply failed')) : new SpeechInterruptedError(this.speechId, reason ?? 'interrupt'));
  }

  get outcome(): ToolRunOutcome | undefined {
    const s = this.actor.getSnapshot();
    if (s.status !== 'done') return undefined;
    return s.value as ToolRunOutcome;
  }

  /** See `RunContext.waitForPlayout`. */
  waitForPlayout(): Promise<void> {
    const s = this.actor.getSnapshot();
    if (s.status === 'done') {
      if (s.value !== 'aborted') return Promise.resolve();
      return Promise.reject(this.errorFor(s.context.abortReason));
    }
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      // The machine decides: resolve now (playout already done) or hold the waiter in awaitingPlayout.
      this.hooks.dispatch(() => this.actor.send({ type: 'WAIT_FOR_PLAYOUT' }));
    });
  }

  /** Runs the tool; its outcome is sent to the machine, or discarded if the run was aborted meanwhile. */
  execute(run: () => unknown): void {
    let result: unknown;
    try {
      result = run();
    } catch (e) {
      this.onError(e);
      return;
    }
    Promise.resolve(result).then(
      (v) => this.onResult(v),
      (e) => this.onError(e),
    );
  }

  /** Fails the run before it executes (unknown tool, bad arguments). */
  reject(message: string): void {
    this.hooks.dispatch(() => this.actor.send({ type: 'ERROR', output: message }));
  }

  private onResult(v: unknown): void {
    if (this.actor.getSnapshot().status === 'done') return this.hooks.discarded(this, 'result', v);
    if (v instanceof Handoff) {
      let to: string;
      try {
        to = this.hooks.handoffKey(v);
      } catch (e) {
        return this.onError(e);
      }
      return this.hooks.dispatch(() => this.actor.send({ type: 'RESULT', output: toOutputText(v.returns), handoff: to }));
    }
    this.hooks.dispatch(() => this.actor.send({ type: 'RESULT', output: toOutputText(v) }));
  }

  private onError(e: unknown): void {
    if (this.actor.getSnapshot().status === 'done') return this.hooks.discarded(this, 'error', e);
    if (e instanceof ToolError) {
      this.hooks.dispatch(() => this.actor.send({ type: 'ERROR', output: e.message }));
    } else {
      this.hooks.toolCrashed(this, e);
      this.hooks.dispatch(() => this.actor.send({ type: 'ERROR', output: 'An internal error occurred' }));
    }
  }

  /** @internal */
  settleWaiters(error: (() => Error) | null): void {
    for (const w of this.waiters.splice(0)) {
      if (error) w.reject(error());
      else w.resolve();
    }
  }
}

function toOutputText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v);
  } catch {
    return describe(v);
  }
}
