/** What a state span means, for its colour. */
export type SpanKind =
  | 'idle'
  | 'listening'
  | 'queued'
  | 'generating'
  | 'thinking'
  | 'playing'
  | 'paused'
  | 'awaitingTools'
  | 'awaitingPlayout'
  | 'running'
  | 'busy'
  | 'done'
  | 'interrupted'
  | 'aborted'
  | 'failed'
  | 'closed'
  /** The user is speaking (the VAD hears speech). */
  | 'voice'
  /** An agent speaks for the session (its activity is active). */
  | 'agentActive'
  /** The user paused: is the turn over? (the user-turn machine's endpointing) */
  | 'endpointing'
  | 'other';

/** One row of the timeline: an actor. */
export interface TimelineLane {
  id: string;
  label: string;
  kind: 'agent' | 'scheduler' | 'speech' | 'tool' | 'audio' | 'bargeIn' | 'user' | 'userTurn' | 'activity';
}

/** An actor in one state from `startMs` to `endMs` (ms from the start of the run). */
export interface StateSpan {
  lane: string;
  state: string;
  kind: SpanKind;
  startMs: number;
  endMs: number;
  /** A final state: drawn as an end marker, not as a bar. */
  final?: boolean;
}

/** A moment worth a vertical line: an input, an interrupt (drawn bold, in red), or a handoff between agents (violet). */
export interface TimelineMark {
  atMs: number;
  label: string;
  kind: 'input' | 'interrupt' | 'handoff';
}

/** A measured delay after a mark, e.g. interrupt → audio cut. */
export interface TimelineFigure {
  fromMs: number;
  ms: number;
  label: string;
}

export interface TimelineInput {
  title: string;
  subtitle?: string;
  lanes: TimelineLane[];
  spans: StateSpan[];
  marks: TimelineMark[];
  figures: TimelineFigure[];
  endMs: number;
}

export interface TimelineOptions {
  /** Total width in px (default 1100). */
  width?: number;
}

export const SPAN_COLOURS: Record<SpanKind, string> = {
  idle: '#eef0f3',
  listening: '#dbe4ee',
  queued: '#cbd5e1',
  generating: '#fcd34d',
  thinking: '#fcd34d',
  playing: '#34d399',
  paused: '#fdba74',
  awaitingTools: '#93c5fd',
  awaitingPlayout: '#60a5fa',
  running: '#a78bfa',
  busy: '#c7d2fe',
  done: '#059669',
  interrupted: '#dc2626',
  aborted: '#dc2626',
  failed: '#7f1d1d',
  closed: '#9ca3af',
  voice: '#f9a8d4',
  agentActive: '#ddd6fe',
  endpointing: '#fbcfe8',
  other: '#e5e7eb',
};

/**
 * The kind of a state of one of the session's actors, from the lane kind and the state's path.
 * @example stateKind('speech', 'active.playingOut') // 'playing'
 */
export function stateKind(lane: TimelineLane['kind'], state: string): SpanKind {
  const leaf = state.split('.').pop() ?? state;
  if (lane === 'agent') return ({ initializing: 'idle', listening: 'listening', thinking: 'thinking', speaking: 'playing', closed: 'closed' } as const)[leaf as 'listening'] ?? 'other';
  if (lane === 'scheduler') {
    if (state.startsWith('active ·') || state.startsWith('draining ·')) return 'busy';
    return ({ active: 'idle', paused: 'paused', draining: 'busy', drained: 'idle', closed: 'closed' } as const)[leaf as 'active'] ?? 'other';
  }
  if (lane === 'tool') return ({ running: 'running', awaitingPlayout: 'awaitingPlayout', succeeded: 'done', failed: 'failed', aborted: 'aborted' } as const)[leaf as 'running'] ?? 'other';
  if (lane === 'audio') return leaf === 'silent' ? 'idle' : leaf === 'playing' ? 'playing' : state.endsWith(' held') ? 'paused' : 'other';
  // The barge-in policy: the user speaking (measuring, long), the agent held (paused), or neither.
  if (lane === 'bargeIn') return state.startsWith('holding') ? 'paused' : state.startsWith('userSpeaking') ? 'voice' : leaf === 'closed' ? 'closed' : 'idle';
  if (lane === 'user') return leaf === 'speaking' ? 'voice' : 'idle';
  // The user's turn: speaking, endpointing (waiting to know whether the turn is over), committed.
  if (lane === 'userTurn') return state.startsWith('userSpeaking') ? 'voice' : state.startsWith('endpointing') ? 'endpointing' : leaf === 'committed' ? 'done' : leaf === 'closed' ? 'closed' : 'idle';
  // An agent's activity: its turn (active), handing over or stepping aside for a task, paused, gone.
  if (lane === 'activity')
    return ({ entering: 'queued', active: 'agentActive', draining: 'busy', exiting: 'busy', pausing: 'busy', paused: 'idle', done: 'done' } as const)[leaf as 'active'] ?? 'other';
  return (
    ({
      queued: 'queued',
      generating: 'generating',
      playingOut: 'playing',
      paused: 'paused',
      awaitingTools: 'awaitingTools',
      done: 'done',
      interrupted: 'interrupted',
      failed: 'failed',
    } as const)[leaf as 'queued'] ?? 'other'
  );
}

const LEGEND: [SpanKind, string][] = [
  ['queued', 'queued'],
  ['generating', 'generating / thinking'],
  ['playing', 'playing out / speaking'],
  ['awaitingTools', 'awaiting tools'],
  ['awaitingPlayout', 'tool waits for playout'],
  ['running', 'tool running'],
  ['done', 'done'],
  ['interrupted', 'interrupted / aborted'],
  ['failed', 'failed'],
];
/** Added to the legend when a run has agents' activities in it. */
const AGENT_LEGEND: [SpanKind, string][] = [
  ['agentActive', 'agent active'],
  ['busy', 'agent handing over'],
];
/** Added to the legend when a run has the user's voice in it. */
const VOICE_LEGEND: [SpanKind, string][] = [
  ['voice', 'user speaking (VAD)'],
  ['paused', 'agent held (barge-in)'],
  ['endpointing', 'endpointing (user turn)'],
];

/**
 * Renders a run as a self-contained SVG: one lane per actor, state spans coloured by kind, each
 * input as a thin line, each interrupt as a red line with its label, the measured figures drawn as
 * brackets from the interrupt, and a zoom on the milliseconds after the first interrupt (where the
 * recovery happens, too short to see at the scale of the whole run). Same input, same bytes.
 * @example
 * await writeFile('out/timeline.svg', renderTimelineSvg({ title: 'seed', lanes, spans, marks, figures, endMs: 5200 }));
 */
export function renderTimelineSvg(input: TimelineInput, o: TimelineOptions = {}): string {
  const width = Math.max(600, o.width ?? 1100);
  const labelW = 190;
  const right = 110; // room for the label of a final state at the very end
  const plotW = width - labelW - right;
  const laneBlock = input.lanes.length * (LANE_H + LANE_GAP);
  const endMs = Math.max(1, input.endMs, ...input.spans.map((s) => s.endMs), ...input.marks.map((m) => m.atMs));
  const out: string[] = [];
  const p = (s: string) => out.push(s);

  const mainTop = 70;
  const main = { from: 0, to: endMs, left: labelW, width: plotW, top: mainTop };
  const markRows = Math.max(2, ...[...markLabelRows(input.marks, main).values()].map((r) => r + 1));
  const marksBottom = mainTop + laneBlock + 14 + markRows * 13;
  const figuresTop = marksBottom + 16;
  const mainFigures = input.figures;
  let y = figuresTop + mainFigures.length * 22;
  const interrupt = [...input.marks].sort((a, b) => a.atMs - b.atMs).find((m) => m.kind === 'interrupt');
  const zoom = interrupt ? zoomWindow(interrupt.atMs, input.figures) : undefined;
  const zoomTop = y + 46;
  if (zoom) y = zoomTop + laneBlock + 30 + input.figures.filter((f) => f.fromMs + f.ms <= zoom.to).length * 22;
  const legendTop = y + 14;
  // Legend entries flow into rows that fit the width.
  const voiced = input.lanes.some((l) => l.kind === 'bargeIn' || l.kind === 'user' || l.kind === 'userTurn');
  const agents = input.lanes.some((l) => l.kind === 'activity');
  const legend: { kind: SpanKind; label: string; x: number; row: number }[] = [];
  let lx = 16;
  let row = 0;
  for (const [kind, label] of [...LEGEND, ...(agents ? AGENT_LEGEND : []), ...(voiced ? VOICE_LEGEND : [])]) {
    const w = 24 + label.length * 6.2;
    if (lx > 16 && lx + w > width - 16) (lx = 16), row++;
    legend.push({ kind, label, x: lx, row });
    lx += w;
  }
  const height = legendTop + 30 + row * 18;

  p(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="ui-sans-serif, system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`);
  p(`<title>${esc(input.title)}</title>`);
  p(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  p(`<text x="16" y="24" font-size="16" font-weight="600" fill="#111827">${esc(input.title)}</text>`);
  if (input.subtitle) p(`<text x="16" y="44" fill="#4b5563">${esc(input.subtitle)}</text>`);

  drawPlot(p, input, main, 'main');
  drawMarks(p, input.marks, main, mainTop + laneBlock);
  drawFigures(p, mainFigures, main, figuresTop);

  if (zoom && interrupt) {
    p(`<text x="16" y="${zoomTop - 30}" font-size="13" font-weight="600" fill="#111827">${esc(`zoom: ${formatMs(zoom.from - interrupt.atMs, true)} to +${formatMs(zoom.to - interrupt.atMs, true)} around the interrupt at ${formatMs(interrupt.atMs)}`)}</text>`);
    const z = { from: zoom.from, to: zoom.to, left: labelW, width: plotW, top: zoomTop };
    drawPlot(p, input, z, 'zoom', interrupt.atMs);
    drawMarks(p, [interrupt], z, zoomTop + laneBlock, true);
    drawFigures(p, input.figures.filter((f) => f.fromMs + f.ms <= zoom.to), z, zoomTop + laneBlock + 34);
  }

  // Legend.
  for (const { kind, label, x: ex, row: r } of legend) {
    const ey = legendTop + r * 18;
    p(`<rect x="${ex}" y="${ey}" width="12" height="12" rx="2" fill="${SPAN_COLOURS[kind]}"/>`);
    p(`<text x="${ex + 16}" y="${ey + 10}" fill="#374151" font-size="11">${esc(label)}</text>`);
  }
  p(`</svg>`);
  return out.join('\n') + '\n';
}

const LANE_H = 26;
const LANE_GAP = 6;

interface Plot {
  from: number;
  to: number;
  left: number;
  width: number;
  top: number;
}

function scale(pl: Plot): (ms: number) => number {
  return (ms) => pl.left + ((Math.max(pl.from, Math.min(ms, pl.to)) - pl.from) / (pl.to - pl.from)) * pl.width;
}

/** The window the zoom shows: from just before the interrupt to past the short figures (those under 100 ms). */
function zoomWindow(atMs: number, figures: TimelineFigure[]): { from: number; to: number } | undefined {
  const short = figures.filter((f) => Math.abs(f.fromMs - atMs) < 1e-9 && f.ms < 100).map((f) => f.ms);
  if (short.length === 0) return undefined;
  const span = Math.max(4, Math.ceil(Math.max(...short) * 1.4));
  return { from: atMs - span * 0.15, to: atMs + span };
}

/** Ticks, lanes and spans of one plot (spans clipped to the plot's window). */
function drawPlot(p: (s: string) => void, input: TimelineInput, pl: Plot, id: string, origin?: number): void {
  const x = scale(pl);
  const laneY = new Map(input.lanes.map((l, i) => [l.id, pl.top + i * (LANE_H + LANE_GAP)] as const));
  const bottom = pl.top + input.lanes.length * (LANE_H + LANE_GAP);
  const step = tickStep(pl.to - pl.from);
  p(`<g stroke="#e5e7eb" fill="#6b7280" font-size="10">`);
  // Ticks at round offsets from the origin (the interrupt, in a zoom), else from 0.
  const base = origin ?? 0;
  for (let k = Math.ceil((pl.from - base) / step - 1e-9); base + k * step <= pl.to + 1e-9; k++) {
    const t = base + k * step;
    const tx = fmt(x(t));
    p(`<line x1="${tx}" y1="${pl.top - 8}" x2="${tx}" y2="${bottom}"/>`);
    const label = origin === undefined ? formatMs(t) : `${k > 0 ? '+' : ''}${formatMs(k * step, true)}`;
    p(`<text x="${tx}" y="${pl.top - 12}" text-anchor="middle" stroke="none">${esc(label)}</text>`);
  }
  p(`</g>`);
  p(`<clipPath id="clip-${id}"><rect x="${pl.left}" y="${pl.top - 2}" width="${pl.width + 110}" height="${bottom - pl.top + 4}"/></clipPath>`);
  for (const lane of input.lanes) {
    const y = laneY.get(lane.id)!;
    p(`<rect x="${pl.left}" y="${y}" width="${pl.width}" height="${LANE_H}" fill="#f9fafb" stroke="#f3f4f6"/>`);
    p(`<text x="${pl.left - 8}" y="${y + LANE_H / 2 + 4}" text-anchor="end" fill="#111827">${esc(clip(lane.label, 28))}</text>`);
  }
  p(`<g clip-path="url(#clip-${id})">`);
  for (const s of input.spans) {
    const y = laneY.get(s.lane);
    if (y === undefined) continue;
    if (s.final ? s.startMs < pl.from || s.startMs > pl.to : s.endMs < pl.from || s.startMs > pl.to) continue;
    const colour = SPAN_COLOURS[s.kind];
    const x0 = x(s.startMs);
    if (s.final) {
      p(`<g><title>${esc(`${s.lane}: ${s.state} at ${formatMs(s.startMs)}`)}</title>`);
      p(`<rect x="${fmt(x0)}" y="${y + 3}" width="5" height="${LANE_H - 6}" rx="1" fill="${colour}"/>`);
      p(`<text x="${fmt(x0 + 9)}" y="${y + LANE_H / 2 + 4}" fill="${colour}" font-weight="600">${esc(s.state)}</text></g>`);
      continue;
    }
    const w = Math.max(1, x(s.endMs) - x0);
    p(`<g><title>${esc(`${s.lane}: ${s.state} ${formatMs(s.startMs)} → ${formatMs(s.endMs)}`)}</title>`);
    p(`<rect x="${fmt(x0)}" y="${y + 3}" width="${fmt(w)}" height="${LANE_H - 6}" rx="3" fill="${colour}"/>`);
    const label = s.state.split('.').pop() ?? s.state;
    if (w > label.length * 6.2 + 8) p(`<text x="${fmt(x0 + 4)}" y="${y + LANE_H / 2 + 4}" fill="${darkText(s.kind) ? '#111827' : '#ffffff'}" font-size="11">${esc(label)}</text>`);
    p(`</g>`);
  }
  p(`</g>`);
}

const MARK_STYLE: Record<TimelineMark['kind'], { colour: string; width: number; dash: boolean; bold: boolean }> = {
  input: { colour: '#6b7280', width: 1, dash: true, bold: false },
  interrupt: { colour: '#dc2626', width: 2, dash: false, bold: true },
  handoff: { colour: '#7c3aed', width: 2, dash: false, bold: true },
};

/** Inputs thin and grey, interrupts bold and red, handoffs bold and violet, labelled under the lanes. */
function drawMarks(p: (s: string) => void, marks: TimelineMark[], pl: Plot, lanesBottom: number, zoomed = false): void {
  const x = scale(pl);
  const sorted = [...marks].sort((a, b) => a.atMs - b.atMs || a.label.localeCompare(b.label));
  const rows = markLabelRows(sorted, pl, zoomed);
  sorted.forEach((m) => {
    if (m.atMs < pl.from || m.atMs > pl.to) return;
    const mx = fmt(x(m.atMs));
    const st = MARK_STYLE[m.kind];
    p(`<line x1="${mx}" y1="${pl.top - 4}" x2="${mx}" y2="${lanesBottom + 6}" stroke="${st.colour}" stroke-width="${st.width}"${st.dash ? ' stroke-dasharray="3 3"' : ''}/>`);
    const anchorEnd = x(m.atMs) > pl.left + pl.width * 0.6;
    const label = zoomed ? `${m.label} (${formatMs(m.atMs)})` : m.label;
    p(`<text x="${mx}" y="${lanesBottom + 18 + rows.get(m)! * 13}" dx="${anchorEnd ? -4 : 4}" text-anchor="${anchorEnd ? 'end' : 'start'}" fill="${m.kind === 'input' ? '#4b5563' : st.colour}" font-size="11"${st.bold ? ' font-weight="600"' : ''}>${esc(clip(label, 80))}</text>`);
  });
}

const MARK_CHAR_W = 6.2;

/**
 * The row of each mark's label under the lanes: the first row where it overlaps no label already
 * placed (labels right of 60% of the plot end at their line), so many marks stay readable.
 */
function markLabelRows(marks: TimelineMark[], pl: Plot, zoomed = false): Map<TimelineMark, number> {
  const x = scale(pl);
  const rows: [number, number][][] = [];
  const out = new Map<TimelineMark, number>();
  for (const m of [...marks].sort((a, b) => a.atMs - b.atMs || a.label.localeCompare(b.label))) {
    if (m.atMs < pl.from || m.atMs > pl.to) continue;
    const mx = x(m.atMs);
    const w = clip(zoomed ? `${m.label} (${formatMs(m.atMs)})` : m.label, 80).length * MARK_CHAR_W + 8;
    const span: [number, number] = mx > pl.left + pl.width * 0.6 ? [mx - w, mx] : [mx, mx + w];
    let r = rows.findIndex((row) => row.every(([a, b]) => span[1] <= a || span[0] >= b));
    if (r < 0) r = rows.push([]) - 1;
    rows[r]!.push(span);
    out.set(m, r);
  }
  return out;
}

/** A bracket from the mark to the moment measured, with its value. */
function drawFigures(p: (s: string) => void, figures: TimelineFigure[], pl: Plot, top: number): void {
  const x = scale(pl);
  figures.forEach((f, i) => {
    const y = top + i * 22;
    const x0 = x(f.fromMs);
    const x1 = Math.max(x0 + 2, x(f.fromMs + f.ms));
    p(`<g stroke="#dc2626" stroke-width="1.5"><line x1="${fmt(x0)}" y1="${y}" x2="${fmt(x1)}" y2="${y}"/><line x1="${fmt(x0)}" y1="${y - 5}" x2="${fmt(x0)}" y2="${y + 5}"/><line x1="${fmt(x1)}" y1="${y - 5}" x2="${fmt(x1)}" y2="${y + 5}"/></g>`);
    const text = `${f.label}: ${formatFigure(f.ms)}`;
    const anchorEnd = x1 > pl.left + pl.width * 0.6;
    p(`<text x="${fmt(anchorEnd ? x0 - 8 : x1 + 8)}" y="${y + 4}" text-anchor="${anchorEnd ? 'end' : 'start'}" fill="#111827">${esc(text)}</text>`);
  });
}

function darkText(kind: SpanKind): boolean {
  return !['done', 'interrupted', 'aborted', 'failed'].includes(kind);
}

/** A round tick step giving about 10 ticks. */
function tickStep(endMs: number): number {
  const raw = endMs / 10;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (raw <= m * pow) return m * pow;
  return 10 * pow;
}

function formatMs(ms: number, fine = false): string {
  if (fine) return `${Number(ms.toFixed(2))} ms`;
  return Math.abs(ms) >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : `${Math.round(ms)} ms`;
}

/**
 * A measured delay for display; figures keep sub-millisecond precision: that is the point of them.
 * @example formatFigure(0.4213) // '0.42 ms'
 */
export function formatFigure(ms: number): string {
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

function fmt(n: number): string {
  return (Math.round(n * 100) / 100).toString();
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
