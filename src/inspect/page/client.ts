import type { MachineGraph } from '../machine-diagram.js';
import type { TraceRecord } from '../trace-recorder.js';

/** What the server tells the page when it serves it. */
export interface InspectorBoot {
  title: string;
  mode: 'live' | 'replay';
}

/**
 * The inspector page's script. It runs in the browser: the server serves its source text
 * (`inspectorClient.toString()`) as `/inspector.js`, so it must use nothing from module scope
 * (types only) and no network beyond its own server. Type-checked here with the DOM library.
 * The page's CSP runs no inline script: build the DOM with elements and `textContent`, never
 * markup with handlers (`onclick="…"` would be blocked).
 *
 * The page is a pure function of the records up to the scrubber's position: live records and a
 * replayed trace go through the same code, which is why a replay reproduces the live picture.
 * @internal Served by the inspector server.
 * @example const script = `(${inspectorClient.toString()})(JSON.parse(document.body.dataset.boot));`;
 */
export function inspectorClient(boot: InspectorBoot): void {
  type Rec = TraceRecord;
  type SnapRec = Extract<Rec, { kind: 'snapshot' }>;
  type EventRec = Extract<Rec, { kind: 'event' }>;
  type ConvoRec = Extract<Rec, { kind: 'conversation' }>;
  interface Snap {
    i: number;
    r: SnapRec;
    state: string;
    leafBad: boolean;
  }
  interface ActorView {
    name: string;
    machine: string | null;
    created: number;
    snaps: Snap[];
    trans: { i: number; event: string; transitions: { source: string; targets: string[] }[] }[];
    alarms: { i: number; type: string }[];
    events: number[];
    pendingAlarms: string[];
    endedAt: number | null;
    card: HTMLElement;
    head: HTMLElement;
    badge: HTMLElement;
    sub: HTMLElement;
    alarm: HTMLElement;
    foot: HTMLElement;
    diagram: HTMLElement;
    svgReady: boolean;
    paths: Map<string, string> | null;
    shown: string;
  }
  interface Highlight {
    i: number;
    kind: 'interrupt' | 'bad' | 'good' | 'waiters' | 'handoff';
    /** The actor the chip selects (for a handoff, see `agentId`). */
    actor: string;
    text: string;
    /** A handoff's new agent: its chip selects that agent's activity, created just after the record. */
    agentId?: string;
  }

  // Actions whose names say waiters were released with an error, or a signal aborted.
  const ALARM = /(reject|abort|fail)\w*waiters|waiters\w*(reject|abort|fail)|^abortSignal$/i;
  const BAD = /interrupt|abort|fail|error|cancel|reject|timeout/i;
  const RUNTIME = 'AgentSession';
  const MACHINE_LABEL: Record<string, string> = {
    agentState: 'session state',
    scheduler: 'speech scheduler',
    speechHandle: 'speech handle',
    toolRun: 'tool run',
    bargeIn: 'barge-in policy',
    agentActivity: 'agent activity',
  };
  // Long-lived singletons get short diagrams: the per-turn actors are where interrupts happen.
  const MAX_DIAGRAM_PX: Record<string, number> = { agentState: 95, scheduler: 175 };
  const DEFAULT_MAX_DIAGRAM_PX = 270;

  const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
  const h = (tag: string, cls?: string, text?: string): HTMLElement => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  const actorsEl = $('actors');
  const logEl = $('log');
  const storyEl = $('story');
  const ctxEl = $('context');
  const convoEl = $('conversation');
  const ctxTitle = $('ctx-title');
  const timelineEl = $('timeline');
  const scrubber = $<HTMLInputElement>('scrubber');
  const posEl = $('pos');
  const playBtn = $<HTMLButtonElement>('play');
  const liveBtn = $<HTMLButtonElement>('live');
  const connEl = $('conn');
  const modeEl = $('mode');
  const countEl = $('count');
  const filterEl = $<HTMLInputElement>('filter');
  const hideEnded = $<HTMLInputElement>('hide-ended');

  let recs: Rec[] = [];
  let actors = new Map<string, ActorView>();
  let machines = new Map<string, MachineGraph>();
  let highlights: Highlight[] = [];
  let logRows: { i: number; row: HTMLElement; text: string }[] = [];
  let convoRows: { i: number; row: HTMLElement }[] = [];
  const svgs = new Map<string, Promise<string>>();
  let cursor = -1;
  let follow = true;
  let selected: string | null = null;
  let userSelected = false;
  let source: 'server' | 'file' = 'server';
  let ws: WebSocket | null = null;
  let playTimer: ReturnType<typeof setInterval> | null = null;
  let timelineDirty = true;
  let lastCursorRendered = -2;

  document.title = `speechcharts inspector: ${boot.title}`;
  $('title').textContent = boot.title;
  setMode(boot.mode);

  function setMode(m: string): void {
    modeEl.textContent = m;
    modeEl.dataset.mode = m;
  }

  // ── records in ────────────────────────────────────────────────────────

  function reset(): void {
    recs = [];
    actors = new Map();
    machines = new Map();
    highlights = [];
    logRows = [];
    convoRows = [];
    cursor = -1;
    follow = true;
    selected = null;
    userSelected = false;
    actorsEl.replaceChildren();
    logEl.replaceChildren();
    convoEl.replaceChildren();
    storyEl.replaceChildren();
    timelineDirty = true;
    lastCursorRendered = -2;
  }

  function stateString(value: unknown): string {
    const out: string[] = [];
    const walk = (v: unknown, prefix: string): void => {
      if (typeof v === 'string') out.push(prefix + v);
      else if (v && typeof v === 'object') {
        const entries = Object.entries(v as Record<string, unknown>);
        if (entries.length === 0 && prefix) out.push(prefix.slice(0, -1));
        for (const [k, x] of entries) walk(x, `${prefix}${k}.`);
      }
    };
    walk(value, '');
    return out.join(',') || '(none)';
  }

  function ingest(batch: Rec[]): void {
    for (const r of batch) {
      if (r.kind === 'header') continue;
      const i = recs.length;
      recs.push(r);
      switch (r.kind) {
        case 'machine':
          if (!machines.has(r.key)) machines.set(r.key, r.graph);
          break;
        case 'actor':
          if (!actors.has(r.actor)) addActor(r.actor, r.machine, i);
          break;
        case 'event': {
          const v = actorFor(r.actor, i);
          v.events.push(i);
          addLogRow(i, r);
          if (r.event.type === 'INTERRUPT')
            highlights.push({ i, kind: 'interrupt', actor: r.actor, text: `⚡ ${r.source ?? RUNTIME} interrupts ${r.actor}${r.event.force ? ' (force)' : ''} · ${fmtT(r.t)}` });
          break;
        }
        case 'action': {
          const v = actorFor(r.actor, i);
          if (ALARM.test(r.action.type)) {
            v.alarms.push({ i, type: r.action.type });
            v.pendingAlarms.push(r.action.type);
            addLogRow(i, r);
          }
          break;
        }
        case 'transition':
          actorFor(r.actor, i).trans.push({ i, event: r.event, transitions: r.transitions });
          break;
        case 'conversation':
          addConvoRow(i, r);
          // A move from one agent to another (the first agent's entry is not one).
          if (r.item.type === 'agent_handoff' && r.item.oldAgentId !== undefined)
            highlights.push({ i, kind: 'handoff', actor: '', agentId: r.item.newAgentId, text: `⇄ handoff ${r.item.oldAgentId} → ${r.item.newAgentId} · ${fmtT(r.t)}` });
          break;
        case 'snapshot': {
          const v = actorFor(r.actor, i);
          const state = stateString(r.value);
          const leafBad = state.split(',').some((s) => BAD.test(s.slice(s.lastIndexOf('.') + 1)));
          v.snaps.push({ i, r, state, leafBad });
          const ended = r.status !== 'active';
          if (ended && v.endedAt === null) {
            v.endedAt = i;
            const bad = r.status === 'error' || leafBad;
            const why = v.pendingAlarms.length ? ` · ${describeAlarms(v.pendingAlarms)}` : '';
            highlights.push({ i, kind: bad ? 'bad' : 'good', actor: r.actor, text: `${bad ? '✖' : '✔'} ${r.actor} ${state}${why}` });
            if (!bad && why) highlights[highlights.length - 1]!.kind = 'waiters';
          } else if (v.pendingAlarms.length) {
            highlights.push({ i, kind: 'waiters', actor: r.actor, text: `⚠ ${r.actor}: ${describeAlarms(v.pendingAlarms)}` });
          }
          v.pendingAlarms = [];
          break;
        }
      }
    }
    if (follow) cursor = recs.length - 1;
    timelineDirty = true;
    schedule();
  }

  function describeAlarms(types: string[]): string {
    const parts = new Set(types.map((t) => (/waiters/i.test(t) ? 'waiters rejected' : /signal/i.test(t) ? 'signal aborted' : t)));
    return [...parts].join(', ');
  }

  function actorFor(name: string, i: number): ActorView {
    return actors.get(name) ?? addActor(name, null, i);
  }

  function addActor(name: string, machine: string | null, i: number): ActorView {
    const card = h('div', 'card');
    card.dataset.actor = name;
    if (machine) card.dataset.machine = machine;
    const head = h('div', 'card-head');
    const title = h('span', 'name', name);
    const kind = h('span', 'kind', machine ? (MACHINE_LABEL[machine] ?? machine) : 'actor');
    const sub = h('span', 'sub');
    const badge = h('span', 'badge', '…');
    head.append(title, kind, sub, badge);
    const alarm = h('div', 'alarm');
    const diagram = h('div', 'diagram');
    const foot = h('div', 'card-foot');
    card.append(head, alarm, diagram, foot);
    card.addEventListener('click', () => {
      selected = name;
      userSelected = true;
      schedule();
    });
    actorsEl.append(card);
    const v: ActorView = {
      name,
      machine,
      created: i,
      snaps: [],
      trans: [],
      alarms: [],
      events: [],
      pendingAlarms: [],
      endedAt: null,
      card,
      head,
      badge,
      sub,
      alarm,
      foot,
      diagram,
      svgReady: false,
      paths: null,
      shown: '',
    };
    actors.set(name, v);
    if (machine) loadDiagram(v, machine);
    return v;
  }

  function loadDiagram(v: ActorView, key: string): void {
    let p = svgs.get(`${source}:${key}`);
    if (!p) {
      const graph = machines.get(key);
      p =
        source === 'file' && graph
          ? fetch('api/render', { method: 'POST', body: JSON.stringify(graph), headers: { 'content-type': 'application/json' } }).then(okText)
          : fetch(`machines/${encodeURIComponent(key)}.svg`).then(okText);
      svgs.set(`${source}:${key}`, p);
    }
    p.then(
      (svg) => {
        v.diagram.innerHTML = svg.replace(/^[\s\S]*?(<svg)/, '$1');
        const el = v.diagram.querySelector('svg');
        if (el) {
          const vb = el.viewBox.baseVal;
          // Natural size in CSS px (Graphviz works in points), capped in height; the card starts
          // at 72% of that width and grows into the row's free space, up to the capped size.
          const maxH = MAX_DIAGRAM_PX[key] ?? DEFAULT_MAX_DIAGRAM_PX;
          const natW = vb && vb.width ? vb.width * 1.2 : 400;
          const natH = vb && vb.height ? vb.height * 1.2 : 300;
          const w = natH > maxH ? (natW * maxH) / natH : natW;
          el.style.maxHeight = `${maxH}px`;
          v.card.style.flex = `${Math.round(w)} 1 ${Math.round(Math.min(w, 980) * 0.72)}px`;
          v.card.style.maxWidth = `${Math.round(w + 24)}px`;
          el.removeAttribute('width');
          el.removeAttribute('height');
          el.querySelectorAll('title').forEach((t) => t.remove());
          // Several actors share a machine's diagram: ids move to data-node so they stay unique.
          el.querySelectorAll('[id]').forEach((n) => {
            (n as SVGElement).dataset.node = n.id;
            n.removeAttribute('id');
          });
        }
        const graph = machines.get(key);
        if (graph) v.paths = new Map(graph.nodes.map((n) => [n.path.join('.'), n.id]));
        v.svgReady = true;
        v.shown = '';
        schedule();
      },
      (e: unknown) => {
        v.diagram.textContent = `diagram unavailable: ${(e as Error).message}`;
      },
    );
  }

  function okText(r: Response): Promise<string> {
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return r.text();
  }

  /** One line of the conversation panel; its text is set as text, never parsed as markup. */
  function addConvoRow(i: number, r: ConvoRec): void {
    const it = r.item;
    let cls: string;
    let who: string;
    let text: string;
    if (it.type === 'message') {
      cls = it.role;
      who = it.role === 'assistant' ? 'heard' : it.role;
      text = it.content;
    } else if (it.type === 'function_call') {
      cls = 'tool';
      who = 'tool call';
      text = `${it.name}(${it.arguments})`;
    } else if (it.type === 'agent_handoff') {
      cls = 'handoff';
      who = 'handoff';
      text = `${it.oldAgentId ?? '—'} → ${it.newAgentId}`;
    } else {
      cls = `tool${it.isError ? ' error' : ''}`;
      who = it.isError ? 'tool error' : 'tool output';
      text = `${it.name} → ${it.output}`;
    }
    const row = h('div', `msg ${cls}`);
    row.dataset.i = String(i);
    row.dataset.kind = it.type === 'message' ? it.role : it.type;
    row.append(h('span', 'who', who), h('span', 't', fmtT(r.t)));
    if (it.type === 'message' && it.interrupted) row.append(h('span', 'cut', 'interrupted'));
    row.append(h('div', 'text', text));
    row.addEventListener('click', () => {
      follow = false;
      stopPlay();
      cursor = i;
      schedule();
    });
    convoRows.push({ i, row });
    convoEl.append(row);
  }

  function addLogRow(i: number, r: EventRec | Extract<Rec, { kind: 'action' }>): void {
    const row = h('div', 'row');
    row.dataset.i = String(i);
    const seq = h('span', 'seq', String(r.seq));
    const t = h('span', 't', fmtT(r.t));
    let text: string;
    if (r.kind === 'event') {
      const from = h('span', 'from', r.source ?? RUNTIME);
      if (!r.source) from.title = 'sent by code outside any actor (the runtime)';
      const to = h('span', 'to', r.actor);
      const ev = h('span', 'ev', r.event.type);
      const payload = summarize(r.event);
      row.append(seq, t, from, h('span', 'arrow', '→'), to, ev);
      if (payload) row.append(h('span', 'payload', payload));
      if (r.event.type === 'INTERRUPT') row.classList.add('interrupt');
      if (r.event.type.startsWith('xstate.')) row.classList.add('internal');
      text = `${r.source ?? RUNTIME} ${r.actor} ${r.event.type} ${payload}`;
    } else {
      row.classList.add('waiters');
      row.append(seq, t, h('span', 'from', r.actor), h('span', 'arrow', '⚠'), h('span', 'ev', r.action.type), h('span', 'payload', /waiters/i.test(r.action.type) ? 'waiters rejected' : 'abort'));
      text = `${r.actor} ${r.action.type} waiters`;
    }
    row.addEventListener('click', () => {
      follow = false;
      stopPlay();
      cursor = i;
      selected = r.actor;
      userSelected = true;
      schedule();
    });
    logRows.push({ i, row, text: text.toLowerCase() });
    const q = filterEl.value.trim().toLowerCase();
    if (q && !text.toLowerCase().includes(q)) row.hidden = true;
    logEl.append(row);
  }

  function summarize(ev: { type: string; [k: string]: unknown }): string {
    const rest = Object.entries(ev).filter(([k]) => k !== 'type');
    if (!rest.length) return '';
    const s = rest.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
    return s.length > 80 ? s.slice(0, 79) + '…' : s;
  }

  function fmtT(t: number): string {
    return t >= 10_000 ? `${(t / 1000).toFixed(2)} s` : `${Math.round(t * 10) / 10} ms`;
  }

  // ── picture at the cursor ─────────────────────────────────────────────

  function lastAtOrBefore<T extends { i: number }>(list: T[], i: number): T | undefined {
    let lo = 0;
    let hi = list.length - 1;
    let best: T | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const x = list[mid]!;
      if (x.i <= i) {
        best = x;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  }

  let frame = 0;
  function schedule(): void {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      render();
    });
  }

  function render(): void {
    const n = recs.length;
    if (cursor > n - 1) cursor = n - 1;
    countEl.textContent = `${actors.size} actors · ${n} records`;
    document.body.dataset.records = String(n);
    document.body.dataset.cursor = String(cursor);
    scrubber.max = String(Math.max(0, n - 1));
    scrubber.value = String(Math.max(0, cursor));
    const r = recs[cursor];
    posEl.textContent = r ? `#${'seq' in r ? r.seq : cursor} · t=${'t' in r ? fmtT(r.t) : '–'}${follow ? ' · following' : ''}` : 'no records yet';
    liveBtn.classList.toggle('on', follow);
    if (!userSelected || !selected || !actors.has(selected)) selected = pickDefault();
    for (const v of actors.values()) renderCard(v);
    renderLog();
    renderConversation();
    renderStory();
    renderContext();
    renderTimeline();
    lastCursorRendered = cursor;
  }

  function pickDefault(): string | null {
    let pick: string | null = null;
    for (const v of actors.values()) {
      if (v.created > cursor) continue;
      const s = lastAtOrBefore(v.snaps, cursor);
      if (s && (s.r.status === 'error' || (s.r.status === 'done' && s.leafBad))) return v.name;
      pick = v.name;
    }
    return pick;
  }

  function renderCard(v: ActorView): void {
    const exists = v.created <= cursor;
    const snap = lastAtOrBefore(v.snaps, cursor);
    const ended = !!snap && snap.r.status !== 'active';
    v.card.hidden = !exists || (hideEnded.checked && ended);
    if (!exists) return;
    const state = snap ? snap.state : '(starting)';
    const status = snap ? snap.r.status : 'active';
    const outcome = status === 'error' || (ended && snap?.leafBad) ? 'bad' : ended ? 'good' : '';
    const c = v.card;
    c.dataset.state = state;
    c.dataset.status = status;
    c.dataset.outcome = outcome;
    c.classList.toggle('selected', v.name === selected);
    // Actors that ended well fold to their header (click to unfold): what stays open is what is
    // running or went wrong, which keeps a long session readable.
    c.classList.toggle('collapsed', outcome === 'good' && !(userSelected && v.name === selected));
    v.badge.textContent = status === 'active' ? state : status === 'done' ? `${state} (final)` : `${state} (${status})`;
    const ctx = snap?.r.context as Record<string, unknown> | undefined;
    v.sub.textContent =
      ctx && typeof ctx.name === 'string'
        ? ctx.name
        : ctx && typeof ctx.agentId === 'string'
          ? `agent ${ctx.agentId}`
          : ctx && typeof ctx.step === 'number'
            ? `step ${ctx.step}`
            : '';
    const alarms = v.alarms.filter((a) => a.i <= cursor);
    v.alarm.hidden = alarms.length === 0;
    if (alarms.length) v.alarm.textContent = `⚠ ${describeAlarms(alarms.map((a) => a.type))}: ${[...new Set(alarms.map((a) => a.type))].join(', ')}`;
    // The last change of state and what caused it: the one line that explains the card.
    const k = snap ? v.snaps.indexOf(snap) : -1;
    let prev: Snap | undefined;
    let changed: Snap | undefined = snap;
    for (let j = k; j > 0; j--) {
      if (v.snaps[j - 1]!.state !== v.snaps[j]!.state) {
        prev = v.snaps[j - 1];
        changed = v.snaps[j];
        break;
      }
    }
    if (changed && prev) {
      let cause: EventRec | undefined;
      for (let j = v.events.length - 1; j >= 0; j--) {
        const e = recs[v.events[j]!] as EventRec;
        if (v.events[j]! <= changed.i && e.event.type === changed.r.event) {
          cause = e;
          break;
        }
      }
      v.foot.textContent = `${prev.state} → ${changed.state} on ${changed.r.event}${cause ? ` from ${cause.source ?? RUNTIME}` : ''} · t=${fmtT(changed.r.t)}`;
    } else v.foot.textContent = snap ? `since ${snap.r.event} · t=${fmtT(snap.r.t)}` : '';
    // Diagram highlight: active states, the current leaf, and the last transition taken.
    const tr = lastAtOrBefore(v.trans, cursor);
    const key = `${state}|${status}|${tr ? tr.i : -1}|${prev ? prev.i : -1}|${v.svgReady}`;
    if (key === v.shown || !v.svgReady) return;
    v.shown = key;
    const svg = v.diagram.querySelector('svg');
    if (!svg) return;
    svg.querySelectorAll('.active, .current, .taken, .previous').forEach((e) => e.classList.remove('active', 'current', 'taken', 'previous'));
    if (!snap || !v.paths) return;
    const ids = new Set<string>();
    const leaves = new Set<string>();
    // Where the actor was before its last change (e.g. awaitingPlayout when the INTERRUPT came).
    if (prev)
      for (const leaf of prev.state.split(',')) {
        const id = v.paths.get(leaf);
        const el = id ? svg.querySelector(`[data-node="${cssEscape(`state:${id}`)}"]`) : null;
        if (el && !state.split(',').includes(leaf)) el.classList.add('previous');
      }
    for (const leaf of state.split(',')) {
      const parts = leaf.split('.');
      for (let k = 1; k <= parts.length; k++) {
        const id = v.paths.get(parts.slice(0, k).join('.'));
        if (id) {
          ids.add(id);
          if (k === parts.length) leaves.add(id);
        }
      }
    }
    for (const id of ids) {
      const el = svg.querySelector(`[data-node="${cssEscape(`state:${id}`)}"]`);
      if (!el) continue;
      el.classList.add('active');
      if (leaves.has(id)) el.classList.add('current');
    }
    if (tr) {
      for (const t of tr.transitions)
        for (const target of t.targets) {
          const base = `t:${t.source}|${tr.event === '' ? 'always' : tr.event}|${target}`;
          const alt = `t:${t.source}|always|${target}`;
          svg.querySelectorAll(`[data-node="${cssEscape(base)}"], [data-node^="${cssEscape(base + '|#')}"], [data-node="${cssEscape(alt)}"]`).forEach((e) => e.classList.add('taken'));
        }
    }
  }

  function cssEscape(s: string): string {
    return s.replace(/["\\]/g, '\\$&');
  }

  function renderLog(): void {
    if (lastCursorRendered === cursor && !timelineDirty) return;
    let current: HTMLElement | null = null;
    for (const { i, row } of logRows) {
      row.classList.toggle('future', i > cursor);
      row.classList.remove('current');
      if (i <= cursor) current = row;
    }
    if (current) {
      current.classList.add('current');
      // Scroll the log only: scrollIntoView would also scroll the page's other boxes.
      if (lastCursorRendered !== cursor) {
        const top = current.offsetTop; // #log is positioned: offsets are relative to it
        if (top < logEl.scrollTop || top + current.offsetHeight > logEl.scrollTop + logEl.clientHeight)
          logEl.scrollTop = Math.max(0, top - logEl.clientHeight / 2);
      }
    }
  }

  function renderConversation(): void {
    if (convoRows.length === 0) {
      if (!convoEl.firstChild) convoEl.append(h('div', 'convo-empty', 'No conversation in this trace yet (traces recorded without text show “[omitted]”).'));
      return;
    }
    convoEl.querySelector('.convo-empty')?.remove();
    let current: HTMLElement | null = null;
    for (const { i, row } of convoRows) {
      row.classList.toggle('future', i > cursor);
      row.classList.remove('current');
      if (i <= cursor) current = row;
    }
    if (current) {
      current.classList.add('current');
      const top = current.offsetTop; // #conversation is positioned: offsets are relative to it
      if (top < convoEl.scrollTop || top + current.offsetHeight > convoEl.scrollTop + convoEl.clientHeight) convoEl.scrollTop = Math.max(0, top - convoEl.clientHeight / 2);
    }
  }

  function renderStory(): void {
    const max = 12;
    // Over the limit, actors that ended well go first (oldest first), then the oldest of the rest:
    // interrupts, failures and handoffs are the story.
    let list = highlights;
    if (list.length > max) {
      let extra = list.length - max;
      const dropped = new Set<Highlight>();
      for (const hl of list) if (extra > 0 && hl.kind === 'good') dropped.add(hl), extra--;
      for (const hl of list) if (extra > 0 && !dropped.has(hl)) dropped.add(hl), extra--;
      list = list.filter((hl) => !dropped.has(hl));
    }
    storyEl.replaceChildren();
    if (highlights.length === 0) {
      storyEl.append(h('span', 'story-empty', recs.length ? 'No interrupts or failures so far.' : 'Waiting for actors…'));
      return;
    }
    if (highlights.length > max) storyEl.append(h('span', 'chip more', `+${highlights.length - max} not shown`));
    list.forEach((hl, k) => {
      if (k > 0) storyEl.append(h('span', 'then', '→'));
      const chip = h('button', `chip ${hl.kind}${hl.i > cursor ? ' future' : ''}`, hl.text);
      // Looked up at each render: the new agent's activity is created just after the handoff's record.
      const about = hl.agentId !== undefined ? activityOf(hl.agentId, hl.i) : hl.actor;
      chip.dataset.about = about;
      chip.title = 'show this moment';
      chip.addEventListener('click', () => {
        follow = false;
        stopPlay();
        cursor = hl.i;
        selected = about || null;
        userSelected = true;
        schedule();
      });
      storyEl.append(chip);
    });
  }

  /**
   * The activity actor (`agent_3:booking`) of the agent a handoff at record `i` went to: the one
   * created right after it, else (a task ended: its caller resumes) the latest created before it.
   */
  function activityOf(agentId: string, i: number): string {
    const next = highlights.find((x) => x.kind === 'handoff' && x.i > i)?.i ?? Infinity;
    let before = '';
    for (const v of actors.values()) {
      if (v.machine !== 'agentActivity' || !v.name.endsWith(`:${agentId}`)) continue;
      if (v.created > i && v.created < next) return v.name;
      if (v.created < i) before = v.name;
    }
    return before;
  }

  function renderContext(): void {
    const v = selected ? actors.get(selected) : undefined;
    if (!v) {
      ctxTitle.textContent = '';
      ctxEl.textContent = 'Pick an actor to see its context.';
      return;
    }
    const snap = lastAtOrBefore(v.snaps, cursor);
    ctxTitle.textContent = `${v.name}${v.machine ? ` · ${v.machine}` : ''}`;
    if (!snap) {
      ctxEl.textContent = 'no snapshot yet';
      return;
    }
    const info: Record<string, unknown> = { state: snap.state, status: snap.r.status, after: snap.r.event, at: `#${snap.r.seq} · t=${fmtT(snap.r.t)}` };
    if (snap.r.tags) info.tags = snap.r.tags;
    if (snap.r.output !== undefined) info.output = snap.r.output;
    if (snap.r.error !== undefined) info.error = snap.r.error;
    info.context = snap.r.context;
    ctxEl.textContent = JSON.stringify(info, null, 2);
  }

  // ── timeline: one lane per actor ──────────────────────────────────────

  const SVGNS = 'http://www.w3.org/2000/svg';
  const s = (tag: string, attrs: Record<string, string | number>, text?: string): SVGElement => {
    const e = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  };
  let cursorLine: SVGElement | null = null;
  let xOf = (_i: number): number => 0;

  function colorFor(state: string, bad: boolean, ended: boolean): string {
    if (ended) return bad ? '#ef4444' : '#22c55e';
    const palette = ['#93c5fd', '#a5b4fc', '#c4b5fd', '#67e8f9', '#fcd34d', '#fdba74', '#a7f3d0', '#f9a8d4', '#bef264'];
    let hsh = 0;
    for (const ch of state) hsh = (hsh * 31 + ch.charCodeAt(0)) >>> 0;
    return palette[hsh % palette.length]!;
  }

  function renderTimeline(): void {
    const n = recs.length;
    if (timelineDirty || !cursorLine) {
      timelineDirty = false;
      const list = [...actors.values()];
      const labelW = 120;
      const laneH = 18;
      const top = 16;
      const width = Math.max(300, timelineEl.clientWidth - 4);
      const span = Math.max(1, n - 1);
      // Room on the right for the name of a final state reached by the last record.
      xOf = (i: number) => labelW + ((width - labelW - 90) * i) / span;
      const svg = s('svg', { width, height: top + list.length * laneH + 4, class: 'tl' });
      // Time labels where time moves on, spaced so they never overlap.
      let lastX = -1e9;
      let lastT = Number.NaN;
      for (let i = 0; i < n; i++) {
        const r = recs[i]!;
        if (!('t' in r) || r.t === lastT) continue;
        lastT = r.t;
        const x = xOf(i);
        if (x - lastX < 70) continue;
        lastX = x;
        svg.append(s('line', { x1: x, x2: x, y1: top - 4, y2: top + list.length * laneH, class: 'tick' }), s('text', { x: x + 2, y: 10, class: 'tlabel' }, `t=${fmtT(r.t)}`));
      }
      list.forEach((v, k) => {
        const y = top + k * laneH;
        const lane = s('g', { class: 'lane', 'data-actor': v.name });
        lane.append(s('text', { x: 4, y: y + 13, class: 'lname' }, v.name));
        for (let j = 0; j < v.snaps.length; j++) {
          const sn = v.snaps[j]!;
          if (j > 0 && v.snaps[j - 1]!.state === sn.state && v.snaps[j - 1]!.r.status === sn.r.status) continue;
          let end = j + 1;
          while (end < v.snaps.length && v.snaps[end]!.state === sn.state && v.snaps[end]!.r.status === sn.r.status) end++;
          const ended = sn.r.status !== 'active';
          const x0 = xOf(sn.i);
          const x1 = ended ? Math.min(xOf(n - 1), x0 + 8) : end < v.snaps.length ? xOf(v.snaps[end]!.i) : xOf(n - 1);
          const w = Math.max(2, x1 - x0);
          const rect = s('rect', { x: x0, y: y + 2, width: w, height: laneH - 5, rx: 3, fill: colorFor(sn.state, sn.leafBad || sn.r.status === 'error', ended) });
          rect.append(s('title', {}, `${v.name}: ${sn.state} (${sn.r.status}) from #${sn.r.seq}`));
          lane.append(rect);
          if (w > 50) lane.append(s('text', { x: x0 + 4, y: y + 12, class: 'sname' }, sn.state.length * 5.5 > w - 6 ? sn.state.slice(0, Math.max(1, Math.floor((w - 10) / 5.5))) + '…' : sn.state));
          if (ended) lane.append(s('text', { x: x0 + 11, y: y + 12, class: `sname end${sn.leafBad ? ' bad' : ''}` }, sn.state));
        }
        for (const i of v.events) {
          const r = recs[i] as EventRec;
          if (r.event.type !== 'INTERRUPT') continue;
          const x = xOf(i);
          lane.append(s('path', { d: `M${x - 4},${y} L${x + 4},${y} L${x},${y + 7} Z`, class: 'interrupt-mark' }));
        }
        lane.addEventListener('click', () => {
          selected = v.name;
          userSelected = true;
          schedule();
        });
        svg.append(lane);
      });
      cursorLine = s('line', { x1: 0, x2: 0, y1: 0, y2: top + list.length * laneH, class: 'cursor' });
      svg.append(cursorLine);
      svg.addEventListener('click', (e) => {
        const rect = (svg as unknown as SVGSVGElement).getBoundingClientRect();
        const x = (e as MouseEvent).clientX - rect.left;
        if (x < labelW) return;
        follow = false;
        stopPlay();
        cursor = Math.max(0, Math.min(n - 1, Math.round(((x - labelW) / (width - labelW - 90)) * span)));
        schedule();
      });
      timelineEl.replaceChildren(svg);
    }
    const x = xOf(Math.max(0, cursor));
    cursorLine.setAttribute('x1', String(x));
    cursorLine.setAttribute('x2', String(x));
  }

  // ── controls ──────────────────────────────────────────────────────────

  scrubber.addEventListener('input', () => {
    follow = false;
    stopPlay();
    cursor = Number(scrubber.value);
    schedule();
  });
  liveBtn.addEventListener('click', () => {
    follow = true;
    stopPlay();
    cursor = recs.length - 1;
    schedule();
  });
  playBtn.addEventListener('click', () => (playTimer ? stopPlay() : startPlay()));
  filterEl.addEventListener('input', () => {
    const q = filterEl.value.trim().toLowerCase();
    for (const r of logRows) r.row.hidden = !!q && !r.text.includes(q);
  });
  hideEnded.addEventListener('change', () => {
    for (const v of actors.values()) v.shown = '';
    schedule();
  });
  window.addEventListener('resize', () => {
    timelineDirty = true;
    schedule();
  });
  document.addEventListener('keydown', (e) => {
    if ((e.target as HTMLElement).tagName === 'INPUT' && (e.target as HTMLInputElement).type !== 'range') return;
    const step = e.shiftKey ? 10 : 1;
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      follow = false;
      stopPlay();
      cursor = Math.max(0, Math.min(recs.length - 1, cursor + (e.key === 'ArrowLeft' ? -step : step)));
      schedule();
      e.preventDefault();
    } else if (e.key === 'End') liveBtn.click();
    else if (e.key === 'Home') {
      follow = false;
      cursor = 0;
      schedule();
    }
  });

  function startPlay(): void {
    if (recs.length === 0) return;
    follow = false;
    if (cursor >= recs.length - 1) cursor = 0;
    const step = Math.max(1, Math.ceil(recs.length / 300));
    playBtn.textContent = '❚❚';
    playTimer = setInterval(() => {
      cursor = Math.min(recs.length - 1, cursor + step);
      if (cursor >= recs.length - 1) stopPlay();
      schedule();
    }, 40);
  }

  function stopPlay(): void {
    if (playTimer) clearInterval(playTimer);
    playTimer = null;
    playBtn.textContent = '▶';
  }

  // ── sources: the server's socket, or a trace file opened here ─────────

  function connect(): void {
    if (source !== 'server') return;
    document.body.dataset.connection = 'connecting';
    connEl.textContent = 'connecting…';
    const sock = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    ws = sock;
    sock.onmessage = (m) => {
      if (source !== 'server' || ws !== sock) return;
      const msg = JSON.parse(String(m.data)) as { type: string; records?: Rec[]; mode?: string; dropped?: number };
      if (msg.type === 'hello') {
        // A reconnect gets the whole backlog again: start over rather than duplicate.
        reset();
        setMode(msg.mode ?? boot.mode);
        if (msg.mode === 'replay') follow = true;
        document.body.dataset.connection = 'open';
        connEl.textContent = msg.dropped ? `connected · ${msg.dropped} old records dropped` : 'connected';
      } else if (msg.type === 'records' && msg.records) ingest(msg.records);
    };
    sock.onclose = () => {
      if (ws !== sock || source !== 'server') return;
      document.body.dataset.connection = 'closed';
      connEl.textContent = 'disconnected · retrying';
      setTimeout(connect, 2000);
    };
  }

  $<HTMLInputElement>('open').addEventListener('change', async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    const text = await file.text();
    const parsed: Rec[] = [];
    try {
      for (const line of text.split('\n')) if (line.trim()) parsed.push(JSON.parse(line) as Rec);
    } catch (err) {
      alert(`Not a speechcharts trace: ${(err as Error).message}`);
      return;
    }
    source = 'file';
    ws?.close();
    ws = null;
    reset();
    setMode('file');
    document.body.dataset.connection = 'file';
    connEl.textContent = file.name;
    ingest(parsed);
  });

  (window as unknown as { speechchartsInspector: unknown }).speechchartsInspector = {
    /** What the page shows, per actor: for tests and for comparing a replay with the live run. */
    picture: () =>
      [...document.querySelectorAll<HTMLElement>('#actors .card')]
        .filter((c) => !c.hidden)
        .map((c) => ({
          actor: c.dataset.actor,
          machine: c.dataset.machine ?? null,
          state: c.dataset.state,
          status: c.dataset.status,
          outcome: c.dataset.outcome,
          highlighted: [...c.querySelectorAll<SVGElement>('.diagram .current')].map((e) => e.dataset.node).sort(),
        }))
        .sort((a, b) => String(a.actor).localeCompare(String(b.actor))),
    setCursor: (i: number) => {
      follow = false;
      stopPlay();
      cursor = Math.max(0, Math.min(recs.length - 1, i));
      render();
    },
    follow: () => liveBtn.click(),
    records: () => recs.length,
    indexOf: (pred: (r: Rec) => boolean) => recs.findIndex(pred),
  };

  connect();
}
