/**
 * `npm run mutants`: proof that the model-based suite bites. Each mutant is a seeded defect in the
 * machines or the runtime (the seed's own bug among them). For each, a temporary COPY of the tree
 * is patched (the real files are never touched), the model-based suite runs there, and the mutant
 * is killed when at least one test fails. The unpatched copy must pass first (the baseline).
 *
 *   npx tsx mutants/run.ts              # every mutant
 *   npx tsx mutants/run.ts <id> [<id>]  # some of them
 *
 * Exit status: 0 when every mutant is killed; 1 when one survived, could not be applied (its
 * pattern no longer matches: update it), or only broke loading; 2 when the baseline fails.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Mutant {
  id: string;
  /** The defect, as a reviewer would describe it. */
  description: string;
  file: string;
  /** What to replace: a regular expression (first match) on the file's text. */
  find: RegExp;
  replace: string;
}

export const MUTANTS: Mutant[] = [
  {
    id: 'seed-wait-blind-to-interrupt',
    description: "the seed's bug in the machine: a tool's playout wait ignores the interrupt (awaitingPlayout keeps waiting)",
    file: 'machines/tool-run.machine.ts',
    find: /(awaitingPlayout: \{\s*tags: \[HOLDS_WAITERS\],\s*on: \{)/,
    replace: '$1\n            INTERRUPT: { actions: [] },',
  },
  {
    id: 'seed-wait-blind-to-interrupt-runtime',
    description: "the seed's bug in the runtime: the tool run never rejects its playout waiters (they wait for the playout only)",
    file: 'src/tool-run.ts',
    find: /rejectPlayoutWaiters: \(\{ context, self \}\) =>/,
    replace: 'rejectPlayoutWaiters: ({ context, self }) => false &&',
  },
  {
    id: 'missing-interrupt-in-queued',
    description: 'a missing INTERRUPT in one state: a queued speech does not handle INTERRUPT',
    file: 'machines/speech-handle.machine.ts',
    find: /(queued: \{[\s\S]*?)INTERRUPT: interruptTransitions,\s*/,
    replace: '$1',
  },
  {
    id: 'resolve-instead-of-reject-speech',
    description: 'a resolve instead of a reject: an interrupted speech resolves its playout waiters',
    file: 'machines/speech-handle.machine.ts',
    find: /(interrupted: \{ type: 'final', entry: \[)'abortWaiters'/,
    replace: "$1'resolveWaiters'",
  },
  {
    id: 'resolve-instead-of-reject-tool',
    description: "a resolve instead of a reject: an aborted tool run resolves its waiters (the tool goes on as if its preamble was heard)",
    file: 'machines/tool-run.machine.ts',
    find: /(INTERRUPT: \{ target: 'aborted', actions: \['recordAbortReason', 'abortSignal', )'rejectPlayoutWaiters'/,
    replace: "$1'resolvePlayoutWaiters'",
  },
  {
    id: 'scheduler-pause-on-interrupt-runtime',
    description: 'a scheduler pause on interrupt: interrupt() pauses scheduling (and nothing resumes it)',
    file: 'src/core/session-router.ts',
    find: /(const waitFor: string\[\] = \[\];)/,
    replace: "$1\n    this.dispatch(() => this.machines.scheduler.send({ type: 'PAUSE' }));",
  },
  {
    id: 'scheduler-pause-on-interrupt-machine',
    description: 'a scheduler pause on interrupt: the scheduler machine pauses on INTERRUPT',
    file: 'machines/scheduler.machine.ts',
    find: /(on: \{ \.\.\.queueing, PAUSE: 'paused',)/,
    replace: "$1 INTERRUPT: 'paused',",
  },
  {
    id: 'dropped-input-while-paused-machine',
    description: 'dropped input while paused: the paused scheduler ignores ENQUEUE',
    file: 'machines/scheduler.machine.ts',
    find: /(paused: \{\s*on: \{ \.\.\.queueing,)/,
    replace: '$1 ENQUEUE: { actions: [] },',
  },
  {
    id: 'dropped-input-while-paused-runtime',
    description: 'dropped input while paused: the session does not enqueue speeches while scheduling is paused',
    file: 'src/core/session-router.ts',
    find: /if \(this\.agents\.admits\(spec\.origin \?\? null\)\) this\.machines\.scheduler\.send\(\{ type: 'ENQUEUE', id, priority: spec\.priority \}\);/,
    replace: "if (this.machines.scheduler.snapshot().value === 'paused') void 0;\n      else if (this.agents.admits(spec.origin ?? null)) this.machines.scheduler.send({ type: 'ENQUEUE', id, priority: spec.priority });",
  },
  {
    id: 'extra-timeout',
    description: 'an extra timeout: a 5 s watchdog resolves a tool’s playout wait (LiveKit-style INTERRUPTION_TIMEOUT)',
    file: 'machines/tool-run.machine.ts',
    find: /(awaitingPlayout: \{\s*tags: \[HOLDS_WAITERS\],)/,
    replace: "$1\n          after: { 5000: { target: 'running', actions: 'resolvePlayoutWaiters' } },",
  },
  {
    id: 'interrupt-keeps-audio-playing',
    description: 'stopAudio forgets clearBuffer(): the interrupted audio plays on and interrupt() waits for it',
    file: 'src/runtime/step-runner.ts',
    find: /output\.clearBuffer\(\);/,
    replace: 'void 0;',
  },
  {
    id: 'abort-without-signal',
    description: "an aborted tool run does not fire the tool's AbortSignal",
    file: 'machines/tool-run.machine.ts',
    find: /(INTERRUPT: \{ target: 'aborted', actions: \['recordAbortReason', )'abortSignal', /,
    replace: '$1',
  },
  // ── beyond interrupts: scheduling, the floor, history, the tool loop, heard text, barge-in ──
  {
    id: 'priority-lifo-within-priority',
    description: "the scheduler's priority comparison `<` becomes `<=`: same-priority speeches run last-in-first-out",
    file: 'machines/scheduler.machine.ts',
    find: /q\.priority < item\.priority/,
    replace: 'q.priority <= item.priority',
  },
  {
    id: 'floor-to-queue-tail',
    description: 'the free floor goes to the tail of the queue (the lowest priority, the newest) instead of its head',
    file: 'machines/scheduler.machine.ts',
    find: /current: \(\{ context \}\) => context\.queue\[0\]\?\.id \?\? null,\s*queue: \(\{ context \}\) => context\.queue\.slice\(1\),/,
    replace: 'current: ({ context }) => context.queue.at(-1)?.id ?? null,\n      queue: ({ context }) => context.queue.slice(0, -1),',
  },
  {
    id: 'floor-kept-while-tools-run-machine',
    description: 'the floor release reverted in the machine: a speech keeps the floor while it waits for its tools (a tool that says and awaits deadlocks)',
    file: 'machines/speech-handle.machine.ts',
    find: /entry: 'releaseFloor',\s*/,
    replace: '',
  },
  {
    id: 'floor-kept-while-tools-run-router',
    description: 'the floor release reverted in the routing: releaseFloor does nothing',
    file: 'src/core/session-router.ts',
    find: /private releaseFloor\(id: string\): void \{/,
    replace: 'private releaseFloor(id: string): void {\n    return;',
  },
  {
    id: 'tool-reply-not-queued-again',
    description: 'the tool-reply step never asks for the floor again (requestFloor does nothing): the reply waits forever',
    file: 'src/core/session-router.ts',
    find: /if \(sp\) this\.machines\.scheduler\.send\(\{ type: 'ENQUEUE', id, priority: sp\.priority \}\);/,
    replace: 'void sp;',
  },
  {
    id: 'history-commits-out-of-order',
    description: "history commits no longer wait for the floor holder's message: a queued reply's user input lands before the cut answer it interrupted",
    file: 'src/core/session-history.ts',
    find: /if \(holder\?\.step && !holder\.step\.messageCommitted\) holder\.commitsAfterMessage\.push\(item\);\s*else /,
    replace: '',
  },
  {
    id: 'tool-reply-skipped',
    description: 'maxToolSteps off by one in the machine (`<=` becomes `<`): the last tool step gets no reply, its outputs are never read',
    file: 'machines/speech-handle.machine.ts',
    find: /context\.step <= context\.maxToolSteps/,
    replace: 'context.step < context.maxToolSteps',
  },
  {
    id: 'tools-refused-one-step-early',
    description: 'maxToolSteps off by one in the routing (`>` becomes `>=`): tools of the last allowed step are refused',
    file: 'src/core/session-router.ts',
    find: /if \(index > this\.o\.maxToolSteps\) return/,
    replace: 'if (index >= this.o.maxToolSteps) return',
  },
  {
    id: 'heard-text-ignores-position',
    description: 'heard-text truncation ignores the playback position: a cut message keeps every character the TTS pulled',
    file: 'src/runtime/heard-text.ts',
    find: /if \(o\.playbackPosition <= 0 \|\| o\.audioSeconds <= 0 \|\| o\.pulledChars <= 0\) return 0;/,
    replace: 'return o.pulledChars;',
  },
  {
    id: 'barge-in-min-words-off-by-one',
    description: 'the barge-in word threshold `>=` becomes `>`: exactly minInterruptionWords words no longer interrupt',
    file: 'machines/barge-in.machine.ts',
    find: /const wordsConfirm = \(c: BargeInContext\) => c\.vadSpeech !== 'short' && wordsOf\(c\) >= /,
    replace: "const wordsConfirm = (c: BargeInContext) => c.vadSpeech !== 'short' && wordsOf(c) > ",
  },
  {
    id: 'barge-in-ignores-min-words-on-duration',
    description: 'long user speech interrupts without the minimum words (the word requirement on the duration path is dropped)',
    file: 'machines/barge-in.machine.ts',
    find: /const wordsMet = \(c: BargeInContext\) => wordsOf\(c\) >= c\.options\.minInterruptionWords;/,
    replace: 'const wordsMet = (c: BargeInContext) => true;',
  },
];

MUTANTS.push(
  {
    id: 'turn-dropped-during-transition',
    description: 'input during an agent transition is dropped (agents-js 1.9: "skipping user input, speech scheduling is paused"): a held turn is never given back to the scheduler',
    file: 'src/core/agent-transitions.ts',
    find: /if \(items\.length\) this\.machines\.scheduler\.send\(\{ type: 'ENQUEUE_ALL', items \}\);/,
    replace: '',
  },
  {
    id: 'drain-waits-for-tools',
    description: 'a handoff drain that waits for the leaving agent\'s tools too (LiveKit\'s drain): a tool awaiting AgentTask.run() then waits for the drain that waits for it',
    file: 'src/core/agent-transitions.ts',
    find: /if \(of\(this\.io\.current\(\)\)\) return false;/,
    replace: "if (of(this.io.current())) return false;\n    for (const t of s.tools.values()) if (s.speeches.get(t.speechId)?.agent === key && this.machines.tool(t.callId).snapshot().status !== 'done') return false;",
  },
  {
    id: 'leaving-agent-speech-held',
    description: "during its own transition the leaving agent's speech is held like a new turn: an onExit awaiting its goodbye then waits for the transition that waits for it",
    file: 'src/core/agent-transitions.ts',
    find: /return origin !== null && \(origin === t\.leaving \|\| origin === this\.state\.activeAgent\);/,
    replace: 'return origin !== null && origin !== t.leaving && origin === this.state.activeAgent;',
  },
  {
    id: 'interrupted-handoff-applied',
    description: 'a handoff returned by a tool of an interrupted speech is applied anyway',
    file: 'src/core/session-router.ts',
    find: /if \(t\?\.handoff && t\.output && !st\.toolsCommitted\) \{\s*this\.agents\.discard\(t\.handoff\);/,
    replace: 'if (t?.handoff && t.output && !st.toolsCommitted) {\n          this.agents.request({ kind: \'handoff\', to: t.handoff });',
  },
);

// The user's voice turns, composed into the model (VOICE_BOUNDS) and driven on the runtime.
MUTANTS.push(
  {
    id: 'preemptive-outlives-user-speaking',
    description: 'LiveKit #5509: the user speaks again while endpointing and the reply prepared for the earlier words is kept',
    file: 'machines/user-turn.machine.ts',
    find: /USER_SPEECH_STARTED: \{ target: 'userSpeaking', actions: \['speechStarted', 'cancelPreemptive', 'preemptiveCleared'\] \}/,
    replace: "USER_SPEECH_STARTED: { target: 'userSpeaking', actions: ['speechStarted'] }",
  },
  {
    id: 'user-turn-drops-earlier-words',
    description: 'a second final transcript in the same turn replaces the first: the words said before the pause are lost',
    file: 'machines/user-turn.machine.ts',
    find: /\[context\.text, event\.text\.trim\(\)\]\.filter\(\(x\) => x !== ''\)\.join\(' '\)/,
    replace: 'event.text.trim()',
  },
  {
    id: 'preemptive-never-bound',
    description: 'the runtime never binds the prepared reply to the reply its turn became (every turn asks the LLM again)',
    file: 'src/voice/user-turn.ts',
    find: /if \(usePreemptive\) session\._bindPreemptiveReply\(h\.id, text\);/,
    replace: '',
  },
  {
    id: 'user-turn-deaf-to-agent-state',
    description: 'the user turn never hears that the agent is thinking or speaking (it preempts over a reply and takes the user as away while the agent talks)',
    file: 'src/voice/user-turn.ts',
    find: /if \(!closed\) actor\.send\(\{ type: AGENT_BUSY_STATES\.has\(newState\) \? 'AGENT_BUSY' : 'AGENT_SILENT' \}\);/,
    replace: '',
  },
  {
    id: 'false-interruption-never-resumes',
    description: 'a barge-in that brings no words holds the agent for good: the false-interruption timeout forgets to resume the held speech',
    file: 'machines/barge-in.machine.ts',
    find: /FALSE_INTERRUPTION_TIMEOUT: \{ target: '#bargeIn\.idle', actions: \{ type: 'resumeSpeech', params: \{ reason: 'falseInterruption' \} \} \}/,
    replace: "FALSE_INTERRUPTION_TIMEOUT: { target: '#bargeIn.idle', actions: [] }",
  },
  {
    id: 'barge-in-deaf-to-speech-end',
    description: 'the runtime never tells the barge-in policy that the speech it heard ended (it goes on holding or interrupting a speech that is over)',
    file: 'src/voice/barge-in.ts',
    find: /if \(reported && now !== reported\) send\(\{ type: 'AGENT_SILENT' \}\);/,
    replace: '',
  },
);

/** The model-based suite. */
export const SUITE = [
  'test/machine-interrupt-coverage.test.ts',
  'test/model-invariants.test.ts',
  'test/model-generated-runtime.test.ts',
  'test/model-generated-voice-runtime.test.ts',
  'test/model-random-interleavings.test.ts',
];

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const COPY = ['machines', 'src', 'test', 'examples', 'package.json', 'tsconfig.json', 'vitest.config.ts'];

function makeCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'speechcharts-mutants-'));
  for (const p of COPY) if (existsSync(join(ROOT, p))) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

interface SuiteResult {
  ok: boolean;
  failed: string[];
  loadErrors: string[];
  seconds: number;
}

function runSuite(dir: string, bail: boolean): Promise<SuiteResult> {
  const out = join(dir, 'vitest-result.json');
  rmSync(out, { force: true });
  const t0 = Date.now();
  const args = [join(dir, 'node_modules/vitest/vitest.mjs'), 'run', ...SUITE, '--reporter=json', `--outputFile=${out}`, ...(bail ? ['--bail=1'] : [])];
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const seconds = (Date.now() - t0) / 1000;
      if (!existsSync(out)) return done({ ok: false, failed: [], loadErrors: [`no result (exit ${code}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`], seconds });
      const r = JSON.parse(readFileSync(out, 'utf8')) as {
        testResults: { name: string; status: string; message?: string; assertionResults: { fullName: string; status: string }[] }[];
      };
      const failed = r.testResults.flatMap((f) => f.assertionResults.filter((a) => a.status === 'failed').map((a) => a.fullName));
      const loadErrors = r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).map((f) => `${f.name.replace(dir + '/', '')}: ${(f.message ?? '').split('\n')[0]}`);
      done({ ok: code === 0, failed, loadErrors, seconds });
    });
  });
}

async function main(ids: string[]): Promise<number> {
  const chosen = ids.length ? MUTANTS.filter((m) => ids.includes(m.id)) : MUTANTS;
  const unknown = ids.filter((id) => !MUTANTS.some((m) => m.id === id));
  if (unknown.length) {
    console.error(`unknown mutant(s): ${unknown.join(', ')}\nknown: ${MUTANTS.map((m) => m.id).join(', ')}`);
    return 1;
  }
  const dir = makeCopy();
  console.log(`mutants: ${chosen.length}; suite: ${SUITE.join(' ')}\ncopy of the tree: ${dir}`);
  try {
    const base = await runSuite(dir, false);
    if (!base.ok) {
      console.error(`baseline FAILS (${base.seconds.toFixed(0)} s) — mutants cannot be judged:\n  ${[...base.loadErrors, ...base.failed].slice(0, 10).join('\n  ')}`);
      return 2;
    }
    console.log(`baseline passes (${base.seconds.toFixed(0)} s)\n`);
    const rows: { id: string; result: 'killed' | 'SURVIVED' | 'NOT APPLIED' | 'LOAD ERROR'; detail: string }[] = [];
    for (const m of chosen) {
      const path = join(dir, m.file);
      const original = readFileSync(path, 'utf8');
      if (!m.find.test(original)) {
        rows.push({ id: m.id, result: 'NOT APPLIED', detail: `pattern ${m.find} not found in ${m.file}` });
        console.log(`✗ ${m.id}: NOT APPLIED (pattern not found in ${m.file})`);
        continue;
      }
      writeFileSync(path, original.replace(m.find, m.replace));
      try {
        const r = await runSuite(dir, true);
        const result = r.failed.length ? 'killed' : r.ok ? 'SURVIVED' : 'LOAD ERROR';
        const detail = r.failed[0] ?? r.loadErrors[0] ?? 'every test passed';
        rows.push({ id: m.id, result, detail });
        console.log(`${result === 'killed' ? '✓' : '✗'} ${m.id}: ${result} in ${r.seconds.toFixed(0)} s — ${m.description}\n    first failing test: ${detail}`);
      } finally {
        writeFileSync(path, original);
      }
    }
    const killed = rows.filter((r) => r.result === 'killed').length;
    console.log(`\n${killed}/${rows.length} mutants killed`);
    for (const r of rows) console.log(`  ${r.result.padEnd(11)} ${r.id}`);
    return killed === rows.length ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
