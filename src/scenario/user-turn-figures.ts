import { baseLanguage, DEFAULT_UNLIKELY_THRESHOLDS } from '../../machines/user-turn.machine.js';
import type { AgentMetrics } from '../metrics.js';
import type { UserTurnActivity } from '../voice/user-turn.js';

/** One answer of the end-of-turn model during a user turn. */
export interface EndOfTurnAsked {
  /** When the answer came (clock ms). */
  atMs: number;
  probability: number;
  latencyMs: number;
  /** The language's "unlikely" threshold (en 0.36): below it, endpointing waits the maximum delay. */
  unlikelyBelow?: number;
}

/** The figures of one committed user turn (voice scenarios): LiveKit's end-of-utterance metrics and the model's answers. */
export interface UserTurnFigures {
  turn: number;
  text: string;
  speechId?: string;
  committedAtMs: number;
  /** User stopped speaking (VAD) → turn committed: the endpointing delay. */
  endpointingDelayMs?: number;
  /** User stopped speaking → final transcript (0 when it came first). */
  transcriptionDelayMs?: number;
  /** User stopped speaking → first audio frame of the reply; -1 when none played. */
  endToEndDelayMs?: number;
  /** The end-of-turn model's answers since the previous commit (at each pause, in 'eot' mode). */
  endOfTurn: EndOfTurnAsked[];
}

/**
 * Collects per-turn figures from the user turn's activity and the session's `eou_metrics`.
 * @example
 * const turns = new UserTurnFigureCollector();
 * session.on('metrics_collected', ({ metrics }) => turns.metrics(metrics));
 * attachScenarioVoice(session, prepared, { clock, onUserTurn: (a) => turns.activity(a) });
 * turns.figures; // [{ turn: 1, endpointingDelayMs: 700, endOfTurn: [{ probability: 0.61, … }], … }]
 */
export class UserTurnFigureCollector {
  readonly figures: UserTurnFigures[] = [];
  /** Predictions since the last commit: they belong to the next turn. */
  private asked: EndOfTurnAsked[] = [];

  activity(a: UserTurnActivity): void {
    if (a.type === 'endOfTurnPredicted') {
      const unlikelyBelow = DEFAULT_UNLIKELY_THRESHOLDS[baseLanguage(a.language)];
      this.asked.push({ atMs: a.atMs, probability: a.probability, latencyMs: a.latencyMs, ...(unlikelyBelow !== undefined ? { unlikelyBelow } : {}) });
    } else if (a.type === 'userTurnCommitted') {
      this.figures.push({ turn: a.turn, text: a.text, ...(a.speechId ? { speechId: a.speechId } : {}), committedAtMs: a.atMs, endOfTurn: this.asked });
      this.asked = [];
    }
  }

  metrics(m: AgentMetrics): void {
    if (m.type !== 'eou_metrics') return;
    const f = this.figures.find((x) => x.speechId === m.speechId);
    if (!f) return;
    f.endpointingDelayMs = m.endOfUtteranceDelayMs;
    f.transcriptionDelayMs = m.transcriptionDelayMs;
    f.endToEndDelayMs = m.endToEndDelayMs;
  }
}

/**
 * The summary's lines for the user turns: per turn, what endpointing took and what the model said.
 * @example for (const l of formatUserTurnFigures(result.turns)) console.log(l);
 */
export function formatUserTurnFigures(turns: readonly UserTurnFigures[]): string[] {
  if (turns.length === 0) return [];
  const ms = (x: number | undefined) => (x === undefined ? '–' : x < 0 ? 'none played' : `${Math.round(x)} ms`);
  const out = ['  user turns (from the end of the user\'s speech, as the VAD placed it):'];
  for (const t of turns) {
    out.push(`    turn ${t.turn} “${t.text}” committed at +${Math.round(t.committedAtMs)} ms → ${t.speechId ?? 'no reply'}`);
    out.push(`      → endpointing delay  ${ms(t.endpointingDelayMs).padStart(11)}  end of speech → turn committed`);
    for (const e of t.endOfTurn) {
      const verdict = e.unlikelyBelow === undefined ? ', no language yet: no threshold applies' : e.probability < e.unlikelyBelow ? `, below ${e.unlikelyBelow}: unlikely the end` : `, ≥ ${e.unlikelyBelow}: likely the end`;
      out.push(`      → end-of-turn model  p=${e.probability.toFixed(3)} in ${e.latencyMs.toFixed(1)} ms (answered at +${Math.round(e.atMs)} ms${verdict})`);
    }
    out.push(`      → transcription delay${ms(t.transcriptionDelayMs).padStart(11)}  end of speech → final transcript`);
    out.push(`      → end to end         ${ms(t.endToEndDelayMs).padStart(11)}  end of speech → first audio frame of the reply`);
  }
  return out;
}
