import type { ScenarioResult } from '../scenario/run-scenario.js';
import { formatUserTurnFigures } from '../scenario/user-turn-figures.js';
import { formatFigure, type SpanKind } from './timeline-svg.js';

/** One line of the live view: at `t` ms from the start of the run, `who` did or became `what`. */
export interface ViewLine {
  t: number;
  who: string;
  what: string;
  /** Colours the line on a terminal. */
  tone?: 'good' | 'bad' | 'warn' | 'dim' | 'input';
}

/** Where a playing segment is. */
export interface PlayProgress {
  t: number;
  speechId: string;
  /** Seconds heard so far. */
  playedSec: number;
  /** Seconds handed to the output so far (grows while the TTS works). */
  capturedSec: number;
}

/**
 * Formats a live-view line: time, actor, what happened.
 * @example formatLine({ t: 1234, who: 'speech_1', what: 'active.playingOut' }) // '+  1234.0 ms  speech_1      active.playingOut'
 */
export function formatLine(l: ViewLine): string {
  return `+${l.t.toFixed(1).padStart(8)} ms  ${l.who.padEnd(13)} ${l.what}`;
}

/**
 * The tone a state of a given kind is shown in.
 * @example toneOf('interrupted') // 'bad'
 */
export function toneOf(kind: SpanKind): ViewLine['tone'] {
  if (kind === 'interrupted' || kind === 'aborted' || kind === 'failed') return 'bad';
  if (kind === 'done') return 'good';
  if (kind === 'awaitingPlayout' || kind === 'paused') return 'warn';
  return undefined;
}

export interface ConsoleViewOptions {
  write: (s: string) => void;
  /** Redraw a progress bar in place (a terminal). Otherwise progress is printed as a line every `progressEveryMs` of playback. */
  tty?: boolean;
  color?: boolean;
  progressEveryMs?: number;
  /**
   * Write lines after the current task instead of at once (default true): printing inside the
   * interrupt's call stack would add the terminal's time to the very figures the run measures.
   */
  defer?: boolean;
}

const COLOURS: Record<NonNullable<ViewLine['tone']>, string> = { good: '32', bad: '31;1', warn: '33', dim: '2', input: '36;1' };

/**
 * The live console view of a run: one line per state change, a progress bar while audio plays
 * (redrawn in place on a terminal, a line every half second otherwise).
 * @example
 * const view = new ConsoleView({ write: (s) => process.stdout.write(s), tty: process.stdout.isTTY });
 * await runScenario(scenario, { tts, audioOutput, clock, onView: (l) => view.line(l), onProgress: (p) => view.progress(p) });
 * view.end();
 */
export class ConsoleView {
  private readonly o: Required<ConsoleViewOptions>;
  private bar = '';
  private lastPrinted = new Map<string, number>();
  private pending: string[] = [];
  private flushScheduled = false;

  constructor(o: ConsoleViewOptions) {
    this.o = { tty: false, color: false, progressEveryMs: 500, defer: true, ...o };
  }

  /** Prints a line (above the progress bar, if one is shown). */
  line(l: ViewLine): void {
    const text = formatLine(l);
    this.pending.push(this.o.color && l.tone ? `\x1b[${COLOURS[l.tone]}m${text}\x1b[0m` : text);
    if (!this.o.defer) return this.flush();
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Writes the lines not yet written. */
  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join('\n') + '\n';
    this.pending = [];
    this.o.write(this.bar ? `\r\x1b[K${text}${this.bar}` : text);
  }

  /** Shows where the playing segment is. */
  progress(p: PlayProgress): void {
    this.flush();
    if (this.o.tty) {
      this.bar = progressBar(p);
      this.o.write('\r\x1b[K' + this.bar);
      return;
    }
    const every = this.o.progressEveryMs / 1000;
    const step = Math.floor(p.playedSec / every);
    if (step === 0 || step === this.lastPrinted.get(p.speechId)) return;
    this.lastPrinted.set(p.speechId, step);
    this.o.write(formatLine({ t: p.t, who: 'audio', what: `▶ ${p.speechId} ${p.playedSec.toFixed(1)} s heard (${p.capturedSec.toFixed(1)} s synthesized)` }) + '\n');
  }

  /** Removes the progress bar (a segment ended). */
  clearProgress(): void {
    this.flush();
    if (!this.bar) return;
    this.bar = '';
    this.o.write('\r\x1b[K');
  }

  /** Ends the view: no bar is left on screen. */
  end(): void {
    this.flush();
    this.clearProgress();
  }
}

/**
 * A one-line progress bar for a playing segment.
 * @example progressBar({ t: 900, speechId: 'speech_1', playedSec: 0.8, capturedSec: 2.4 })
 */
export function progressBar(p: PlayProgress): string {
  const width = 24;
  const total = Math.max(p.capturedSec, 0.001);
  const filled = Math.max(0, Math.min(width, Math.round((p.playedSec / total) * width)));
  return `             ▶ ${p.speechId.padEnd(10)} ▕${'█'.repeat(filled)}${'░'.repeat(width - filled)}▏ ${p.playedSec.toFixed(1)} / ${p.capturedSec.toFixed(1)} s`;
}

/** A written file, for the summary. */
export interface SummaryFile {
  path: string;
  what: string;
}

/**
 * The end-of-run summary: the measured figures of each interrupt, the speeches and tools, the
 * history and the files written.
 * @example for (const l of formatSummary(result, { files })) console.log(l);
 */
export function formatSummary(r: ScenarioResult, o: { files?: SummaryFile[]; parts?: string } = {}): string[] {
  const out: string[] = [];
  const status = r.status === 'completed' ? 'completed' : r.status === 'timedOut' ? 'DID NOT FINISH (still busy at maxDurationMs: a hang)' : 'stopped';
  out.push('', `── summary: ${r.scenario} ${status} in ${(r.durationMs / 1000).toFixed(2)} s ${'─'.repeat(20)}`);
  if (o.parts) out.push(`  ${o.parts}`);
  for (const f of r.figures) {
    const what = `${f.force ? 'interrupt({ force: true })' : 'interrupt()'} at +${f.atMs.toFixed(1)} ms (input #${f.input})`;
    if (f.refused) {
      out.push(`  ${what}: refused, the current speech does not allow interruptions; the input was queued behind it`);
      if (f.nextReplyAudibleMs !== undefined) out.push(`    → next reply audible   ${pad(formatFigure(f.nextReplyAudibleMs))}  first frame of ${f.nextSpeechId}, once the uninterruptible speech was done`);
      continue;
    }
    if (f.interrupted.length === 0) {
      out.push(`  ${what}: nothing was speaking`);
      continue;
    }
    out.push(`  ${what} stopped ${f.interrupted.join(', ')}:`);
    out.push(`    → tool wait settled    ${f.toolWaitSettledMs !== undefined ? `${pad(formatFigure(f.toolWaitSettledMs))}  ${f.toolName}: ctx.waitForPlayout() rejected SpeechInterruptedError` : '   (no tool was waiting for playout)'}`);
    out.push(
      `    → audio cut            ${f.audioCutMs !== undefined ? `${pad(formatFigure(f.audioCutMs))}  ${f.heardSec!.toFixed(2)} s heard of ${f.capturedSec!.toFixed(2)} s sent` : '   (no audio was playing)'}`,
    );
    if (f.interruptResolvedMs !== undefined) out.push(`    → interrupt() resolved ${pad(formatFigure(f.interruptResolvedMs))}  the caller knows the audio has stopped`);
    out.push(`    → next reply audible   ${f.nextReplyAudibleMs !== undefined ? `${pad(formatFigure(f.nextReplyAudibleMs))}  first frame of ${f.nextSpeechId} (includes the scripted LLM time to first token)` : '   (no reply followed)'}`);
    out.push('    no timeout anywhere (LiveKit Agents 1.3 waits out a 5 s INTERRUPTION_TIMEOUT here, then drops user input)');
  }
  out.push(...formatUserTurnFigures(r.turns));
  if (r.speeches.length) out.push(`  speeches: ${r.speeches.map((s) => `${s.id} ${s.source === 'say' ? 'say' : 'reply'} ${s.outcome ?? 'unfinished'}`).join(' · ')}`);
  for (const t of r.tools) {
    const wait = t.waitOutcome ? ` (its wait for playout ${t.waitOutcome})` : '';
    const agentWork = t.handoffTo
      ? `, returned handoff to ${t.handoffTo}`
      : t.task
        ? `, ran task ${t.task.name} for ${((t.task.settledAt ?? t.task.startedAt) - t.task.startedAt).toFixed(1)} ms (${t.task.error ?? `result ${JSON.stringify(t.task.result)}`})`
        : t.completedWith !== undefined
          ? `, completed its task with ${JSON.stringify(t.completedWith)}`
          : '';
    out.push(`  tool ${t.name} (${t.callId}): ${t.outcome ?? 'still running'}${wait}${t.endedAt !== undefined ? `, ${(t.endedAt - t.startedAt).toFixed(1)} ms after it started` : ''}${agentWork}`);
  }
  const moves = r.handoffs.filter((h) => h.oldAgentId !== undefined);
  // A scenario without agents runs the default agent alone: nothing to say about it.
  if (r.handoffs.length && (moves.length || r.handoffs[0]!.newAgentId !== 'default_agent')) out.push(`  agents: ${r.handoffs[0]!.newAgentId} first${moves.map((h) => ` · +${h.atMs.toFixed(0)} ms ${h.oldAgentId} → ${h.newAgentId}`).join('')}`);
  for (const e of r.errors) out.push(`  error (${e.source}) at +${e.atMs.toFixed(1)} ms: ${e.message}`);
  for (const s of r.stuck) out.push(`  STUCK: ${s}`);
  out.push('  history:');
  for (const i of r.history) {
    if (i.type === 'message') out.push(`    ${i.role.padEnd(9)} ${i.content}${i.interrupted ? '  [interrupted]' : ''}`);
    else if (i.type === 'function_call') out.push(`    ${'call'.padEnd(9)} ${i.name}(${i.arguments})`);
    else if (i.type === 'agent_handoff') out.push(`    ${'handoff'.padEnd(9)} ${i.oldAgentId ?? '-'} → ${i.newAgentId}`);
    else out.push(`    ${'output'.padEnd(9)} ${i.isError ? '[error] ' : ''}${i.output}`);
  }
  if (o.files?.length) {
    out.push('  files:');
    const w = Math.max(...o.files.map((f) => f.path.length));
    for (const f of o.files) out.push(`    ${f.path.padEnd(w)}  ${f.what}`);
  }
  return out;
}

function pad(s: string): string {
  return s.padStart(9);
}
