import { describe, expect, it } from 'vitest';
import {
  COMPOSED_TRANSFER_EVENTS,
  TransferCall,
  composeTransferWithToolRun,
  composedTransferInvariants,
  serializeComposedTransfer,
} from '../examples/transfer-call.js';
import { TRANSFER_EVENTS, transferCallPolicy, transferCallPolicyDraft, transferInvariants, transferProgress, type TransferEvent } from '../examples/transfer-call-policy.machine.js';
import {
  exploreModel,
  formatPath,
  formatReport,
  generatePathTests,
  runPath,
  shortestPaths,
  simplePaths,
  type SystemAdapter,
} from '../src/testing/index.js';

// The worked example of docs/model-based-testing.md: a user's own tool policy, verified with the
// generator that speechcharts/testing exports.

type Snap = ReturnType<typeof transferCallPolicy.transition>;

/** The user's adapter: policy events become calls on their implementation; states are compared. */
function adapterFor(bug?: ConstructorParameters<typeof TransferCall>[0]['bug']): SystemAdapter<Snap, TransferEvent, TransferCall> {
  return {
    setup: () => new TransferCall(bug ? { bug } : {}),
    send: (call, e) => {
      if (e.type === 'PREAMBLE_PLAYED') call.preamblePlayed();
      else if (e.type === 'BRIDGED') call.bridged();
      else if (e.type === 'DIAL_FAILED') call.dialFailed();
      else if (e.type === 'HANDOFF_DONE') call.handoffDone();
      else call.interrupt();
    },
    check: (call, expected, { event }) => {
      expect(call.status).toBe(expected.value);
      expect(call.interruptDeferred).toBe(expected.context.interruptDeferred);
      // Effects the policy names, seen on the implementation.
      if (event?.type === 'HANDOFF_DONE' && expected.matches('transferred'))
        expect(call.said.includes('you were transferred before I could stop')).toBe(expected.context.interruptDeferred);
      if (expected.matches('cancelled') && call.pbx.includes('dial')) expect(call.pbx.at(-1)).toBe('hangup');
    },
  };
}

describe('the first draft of the policy', () => {
  const report = exploreModel({ logic: transferCallPolicyDraft, events: TRANSFER_EVENTS, invariants: transferInvariants, progress: transferProgress });

  it('is caught: a committed transfer is aborted, with the shortest path to it', () => {
    console.log(formatReport(report).join('\n'));
    expect(report.ok).toBe(false);
    const v = report.violations.find((x) => x.invariant === 'a committed transfer is never aborted')!;
    expect(formatPath(v.path.events)).toBe('PREAMBLE_PLAYED → BRIDGED → INTERRUPT');
    expect(formatReport(report).join('\n')).toContain('shortest path (3 events): PREAMBLE_PLAYED → BRIDGED → INTERRUPT');
  });
});

describe('the policy', () => {
  const report = exploreModel({ logic: transferCallPolicy, events: TRANSFER_EVENTS, invariants: transferInvariants, progress: transferProgress });
  const shortest = shortestPaths(report);
  const simple = simplePaths(report, { maxDepth: 10, maxPaths: 100 });

  it('keeps every invariant in every reachable state, and covers its definition', () => {
    console.log(formatReport(report).join('\n'));
    expect(report.ok).toBe(true);
    // 8 states: `transferred` twice (with and without a deferred interrupt); 5 events in each.
    expect({ states: report.states, transitions: report.transitions }).toEqual({ states: 8, transitions: 40 });
    expect(report.coverage?.stateNodes.uncovered).toEqual([]);
    expect(report.coverage?.transitions.uncovered).toEqual([]);
    expect(shortest).toHaveLength(8);
    // Maximal simple paths: each goes on until it would revisit a state.
    expect(simple.map((p) => formatPath(p.events))).toContain('PREAMBLE_PLAYED → BRIDGED → INTERRUPT → HANDOFF_DONE');
  });

  describe('generated tests against the implementation', () => {
    generatePathTests(it, report, shortest, adapterFor(), { prefix: 'shortest' });
    generatePathTests(it, report, simple, adapterFor(), { prefix: 'simple' });
  });

  for (const bug of ['hangsUpBridgedCall', 'forgetsDeferredInterrupt'] as const) {
    it(`the generated tests catch an implementation that ${bug === 'hangsUpBridgedCall' ? 'hangs up a bridged call' : 'forgets the deferred interrupt'}`, async () => {
      const failures: string[] = [];
      for (const p of [...shortest, ...simple]) await runPath(report, p.events, adapterFor(bug)).catch((e: Error) => failures.push(e.message.split('\n')[0]!));
      expect(failures.length).toBeGreaterThan(0);
    });
  }
});

describe('the policy composed with speechcharts’ tool-run machine', () => {
  it('an interruptible speech aborts the run of a bridged transfer: the LLM would be told it failed', () => {
    const r = exploreModel({ logic: composeTransferWithToolRun({ speechAllowsInterruptions: true }), events: COMPOSED_TRANSFER_EVENTS, serialize: serializeComposedTransfer, invariants: composedTransferInvariants });
    console.log(formatReport(r).join('\n'));
    const v = r.violations.find((x) => x.invariant === 'only closing the session aborts the run of a committed transfer');
    expect(v && formatPath(v.path.events)).toBe('PREAMBLE_PLAYED → BRIDGED → SPEECH_INTERRUPT');
  });

  it('in a speech that does not allow interruptions, only closing the session can abort it', () => {
    const r = exploreModel({ logic: composeTransferWithToolRun({ speechAllowsInterruptions: false }), events: COMPOSED_TRANSFER_EVENTS, serialize: serializeComposedTransfer, invariants: composedTransferInvariants });
    console.log(formatReport(r).join('\n'));
    expect(r.ok).toBe(true);
    expect(r.states).toBeGreaterThan(5);
  });
});
