/** The inspector page's stylesheet (inlined into the page: no external resources). */
export const INSPECTOR_CSS = `
:root {
  --bg: #f1f5f9; --panel: #ffffff; --ink: #0f172a; --muted: #64748b; --line: #e2e8f0;
  --blue: #2563eb; --amber: #b45309; --red: #dc2626; --red-bg: #fef2f2; --green: #16a34a; --green-bg: #f0fdf4;
  font: 13px/1.35 system-ui, -apple-system, "Segoe UI", "Liberation Sans", Helvetica, Arial, sans-serif;
  color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { display: grid; grid-template-rows: auto auto minmax(0, 1fr) auto; grid-template-columns: minmax(0, 1fr); height: 100vh; overflow: hidden; }
header { display: flex; align-items: center; gap: 10px; padding: 8px 14px; background: #0f172a; color: #e2e8f0; }
.brand { font-size: 15px; letter-spacing: .2px; }
.brand b { color: #fbbf24; }
.pill { padding: 2px 8px; border-radius: 999px; background: #334155; font-size: 12px; }
#mode[data-mode="live"] { background: #15803d; color: #fff; }
#mode[data-mode="replay"], #mode[data-mode="file"] { background: #7c3aed; color: #fff; }
body[data-connection="closed"] .conn { background: var(--red); color: #fff; }
.title { font-weight: 600; }
.count { color: #94a3b8; font-size: 12px; }
.spacer { flex: 1; }
.check { font-size: 12px; color: #cbd5e1; display: flex; align-items: center; gap: 4px; }
.btn { padding: 4px 10px; border-radius: 6px; background: #1e293b; color: #e2e8f0; border: 1px solid #475569; cursor: pointer; text-decoration: none; font-size: 12px; }
.btn:hover { background: #334155; }

#story { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; padding: 8px 14px; background: #fff; border-bottom: 1px solid var(--line); min-height: 42px; }
.story-empty { color: var(--muted); }
.chip { font: inherit; font-size: 12.5px; padding: 4px 10px; border-radius: 6px; border: 1px solid var(--line); background: #f8fafc; cursor: pointer; }
.chip.interrupt { background: #fff7ed; border-color: #fb923c; color: #9a3412; font-weight: 600; }
.chip.bad { background: var(--red-bg); border-color: #f87171; color: #991b1b; font-weight: 600; }
.chip.waiters { background: #fffbeb; border-color: #fbbf24; color: #92400e; }
.chip.good { background: var(--green-bg); border-color: #86efac; color: #166534; }
.chip.handoff { background: #f5f3ff; border-color: #a78bfa; color: #5b21b6; font-weight: 600; }
.chip.future { opacity: .35; }
.chip.more { cursor: default; color: var(--muted); }
.then { color: #94a3b8; }

main { display: grid; grid-template-columns: minmax(0, 1fr) 400px; min-height: 0; }
#actors { display: flex; flex-wrap: wrap; align-content: flex-start; gap: 10px; padding: 10px; overflow: auto; }
.card { background: var(--panel); border: 1px solid var(--line); border-left: 5px solid #93c5fd; border-radius: 8px; padding: 6px 8px 4px; min-width: 260px; cursor: pointer; box-shadow: 0 1px 2px rgba(15,23,42,.06); }
.card.selected { outline: 2px solid var(--blue); outline-offset: 1px; }
.card[data-outcome="bad"] { border-left-color: var(--red); background: linear-gradient(#fff, #fff) padding-box; box-shadow: 0 0 0 1px #fecaca inset; }
.card[data-outcome="good"] { border-left-color: var(--green); }
.card-head { display: flex; align-items: baseline; gap: 8px; flex-wrap: wrap; }
.card-head .name { font-weight: 700; font-size: 14px; }
.card-head .kind { color: var(--muted); font-size: 12px; }
.card-head .sub { color: var(--muted); font-size: 12px; font-family: ui-monospace, "Liberation Mono", monospace; }
.card-head .badge { margin-left: auto; padding: 1px 8px; border-radius: 999px; background: #dbeafe; color: #1e3a8a; font-weight: 600; font-size: 12px; }
.card[data-outcome="bad"] .badge { background: var(--red); color: #fff; }
.card[data-outcome="good"] .badge { background: #dcfce7; color: #166534; }
.alarm { margin: 4px 0 0; padding: 3px 8px; border-radius: 5px; background: #fef3c7; color: #92400e; font-size: 12px; font-weight: 600; }
.card[data-outcome="bad"] .alarm { background: #fee2e2; color: #991b1b; }
.diagram { margin-top: 4px; }
.diagram svg { width: 100%; height: auto; display: block; margin: 0 auto; }
.card-foot { color: var(--muted); font-size: 11.5px; min-height: 14px; }
.card.collapsed { flex: 0 1 300px !important; max-width: 380px !important; padding-bottom: 6px; }
.card.collapsed .diagram, .card.collapsed .alarm, .card.collapsed .card-foot { display: none; }

/* Highlights on the Graphviz SVG: classes come from the DOT (state, final, bad) and from the page. */
.diagram g.node > path, .diagram g.node > polygon, .diagram g.cluster > path { transition: fill .15s, stroke .15s; }
.diagram g.cluster.active > path { stroke: var(--blue); stroke-width: 2; fill: #eff6ff; }
.diagram g.node.active > path, .diagram g.node.active > polygon { fill: #dbeafe; stroke: var(--blue); stroke-width: 2; }
.diagram g.node.current > path, .diagram g.node.current > polygon { fill: #fde68a; stroke: var(--amber); stroke-width: 2.5; }
.diagram g.node.current.final > path { fill: #bbf7d0; stroke: var(--green); stroke-width: 2.5; }
.diagram g.node.current.bad > path { fill: #fca5a5; stroke: var(--red); stroke-width: 3; }
.diagram g.node.current text { font-weight: bold; }
.diagram g.node.previous > path, .diagram g.node.previous > polygon { stroke: var(--amber); stroke-width: 2; stroke-dasharray: 4 2; fill: #fffbeb; }
.diagram g.edge.taken > path { stroke: var(--amber); stroke-width: 2.5; }
.diagram g.edge.taken > polygon { fill: var(--amber); stroke: var(--amber); }
.diagram g.edge.taken text { fill: var(--amber); font-weight: bold; }
.diagram g.edge.taken.bad > path { stroke: var(--red); }
.diagram g.edge.taken.bad > polygon { fill: var(--red); stroke: var(--red); }
.diagram g.edge.taken.bad text { fill: var(--red); }

aside { display: grid; grid-template-rows: minmax(0, 2fr) minmax(0, 3fr) minmax(0, 2fr); grid-template-columns: minmax(0, 1fr); gap: 8px; padding: 10px 10px 10px 0; min-height: 0; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; display: flex; flex-direction: column; min-height: 0; min-width: 0; overflow: hidden; }
.panel-head { display: flex; align-items: center; gap: 8px; padding: 6px 10px; border-bottom: 1px solid var(--line); }
.panel-head h2 { font-size: 13px; margin: 0; }
.hint { color: var(--muted); font-size: 12px; }
#filter { margin-left: auto; width: 120px; font: inherit; font-size: 12px; padding: 2px 6px; border: 1px solid var(--line); border-radius: 5px; }
#log { position: relative; overflow: auto; font-family: ui-monospace, "Liberation Mono", monospace; font-size: 11.5px; }
.row { display: flex; gap: 6px; padding: 2px 8px; border-bottom: 1px solid #f1f5f9; white-space: nowrap; cursor: pointer; }
.row:hover { background: #f8fafc; }
.row .seq { color: #94a3b8; width: 34px; text-align: right; }
.row .t { color: #94a3b8; width: 58px; text-align: right; }
.row .from { color: #475569; }
.row .arrow { color: #94a3b8; }
.row .to { font-weight: 600; }
.row .ev { color: #1d4ed8; }
.row .payload { color: var(--muted); overflow: hidden; text-overflow: ellipsis; min-width: 0; }
.row > span { flex: none; }
.row > .payload { flex: 1 1 auto; }
.row.internal .ev { color: #94a3b8; }
.row.interrupt { background: #fff7ed; }
.row.interrupt .ev { color: #c2410c; font-weight: 700; }
.row.waiters { background: #fef2f2; }
.row.waiters .ev, .row.waiters .arrow { color: var(--red); font-weight: 700; }
.row.future { opacity: .3; }
.row.current { outline: 2px solid var(--blue); outline-offset: -2px; }
#conversation { position: relative; overflow: auto; padding: 4px 0; }
.msg { padding: 3px 10px; border-bottom: 1px solid #f1f5f9; cursor: pointer; }
.msg:hover { background: #f8fafc; }
.msg .who { font-weight: 700; font-size: 11.5px; margin-right: 6px; }
.msg .t { color: #94a3b8; font-size: 11px; }
.msg .text { white-space: pre-wrap; overflow-wrap: anywhere; }
.msg.user .who { color: #1d4ed8; }
.msg.assistant .who { color: #15803d; }
.msg.tool .who, .msg.system .who { color: #7c3aed; }
.msg.tool .text { font-family: ui-monospace, "Liberation Mono", monospace; font-size: 11.5px; }
.msg.error .who, .msg.error .text { color: var(--red); }
.msg .cut { margin-left: 6px; padding: 0 6px; border-radius: 999px; background: #fee2e2; color: #991b1b; font-size: 11px; font-weight: 600; }
.msg.future { opacity: .3; }
.msg.current { outline: 2px solid var(--blue); outline-offset: -2px; }
.convo-empty { color: var(--muted); padding: 6px 10px; }
#context { margin: 0; padding: 8px 10px; overflow: auto; font-size: 11.5px; font-family: ui-monospace, "Liberation Mono", monospace; }

footer { background: #fff; border-top: 1px solid var(--line); padding: 6px 14px 8px; }
#timeline { max-height: 28vh; overflow-y: auto; }
svg.tl { display: block; cursor: crosshair; }
svg.tl .lname { font-size: 11px; font-weight: 600; fill: #334155; }
svg.tl .sname { font-size: 9.5px; fill: #0f172a; pointer-events: none; }
svg.tl .sname.end { font-weight: 700; fill: var(--green); }
svg.tl .sname.end.bad { fill: var(--red); }
svg.tl .tick { stroke: #e2e8f0; }
svg.tl .tlabel { font-size: 9.5px; fill: #94a3b8; }
svg.tl .cursor { stroke: var(--blue); stroke-width: 2; }
svg.tl .interrupt-mark { fill: #ea580c; }
.scrub { display: flex; align-items: center; gap: 8px; margin-top: 4px; }
.scrub button { font: inherit; padding: 2px 10px; border-radius: 5px; border: 1px solid #cbd5e1; background: #f8fafc; cursor: pointer; }
.scrub button.on { background: #dbeafe; border-color: var(--blue); }
#scrubber { flex: 1; }
#pos { color: var(--muted); font-size: 12px; min-width: 180px; }
.legend { display: flex; gap: 10px; color: var(--muted); font-size: 11.5px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 3px; margin-right: 3px; vertical-align: -1px; border: 1px solid; }
.legend .cur { background: #fde68a; border-color: var(--amber); }
.legend .act { background: #dbeafe; border-color: var(--blue); }
.legend .bad { background: #fca5a5; border-color: var(--red); }
.legend .good { background: #bbf7d0; border-color: var(--green); }
.legend .prev { background: #fffbeb; border: 1px dashed var(--amber); }
.legend .edge { width: 14px; height: 0; border: 0; border-top: 3px solid var(--amber); border-radius: 0; vertical-align: 3px; }
`;
