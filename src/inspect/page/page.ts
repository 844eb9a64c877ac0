import type { InspectorBoot } from './client.js';
import { INSPECTOR_CSS } from './styles.js';

/**
 * The inspector page as an HTML document: inline CSS, the script from `/inspector.js` on the same
 * server (see {@link INSPECTOR_SCRIPT}), no CDN, no fonts or images from elsewhere. Nothing in the
 * document runs: the page's CSP allows only same-origin script files, so markup that reached the
 * page (a state name, an SVG from a trace) cannot execute. The boot data travels in an attribute.
 * @example res.end(renderInspectorPage({ title: 'live session', mode: 'live' }));
 */
export function renderInspectorPage(boot: InspectorBoot): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>speechcharts inspector</title>
<style>${INSPECTOR_CSS}</style>
</head>
<body data-connection="connecting" data-records="0" data-boot="${attr(JSON.stringify(boot))}">
<header>
  <div class="brand">speechcharts <b>inspector</b></div>
  <span id="mode" class="pill"></span>
  <span id="conn" class="pill conn">connecting…</span>
  <span id="title" class="title"></span>
  <span id="count" class="count"></span>
  <span class="spacer"></span>
  <label class="check"><input type="checkbox" id="hide-ended"> hide ended actors</label>
  <label class="btn">Open trace…<input type="file" id="open" accept=".jsonl,.ndjson,.json,.txt" hidden></label>
  <a class="btn" href="trace.jsonl" download="speechcharts.trace.jsonl">Download trace</a>
</header>
<section id="story" aria-label="what happened"></section>
<main>
  <section id="actors" aria-label="actors"></section>
  <aside>
    <div class="panel convo-panel">
      <div class="panel-head"><h2>Conversation</h2><span class="hint">user input, what was heard, tools</span></div>
      <div id="conversation"></div>
    </div>
    <div class="panel log-panel">
      <div class="panel-head"><h2>Events</h2><span class="hint">source → target</span><input id="filter" type="search" placeholder="filter"></div>
      <div id="log"></div>
    </div>
    <div class="panel ctx-panel">
      <div class="panel-head"><h2>Context</h2><span id="ctx-title" class="hint"></span></div>
      <pre id="context"></pre>
    </div>
  </aside>
</main>
<footer>
  <div id="timeline"></div>
  <div class="scrub">
    <button id="play" title="replay from the start (space)">▶</button>
    <input id="scrubber" type="range" min="0" max="0" value="0" aria-label="position in the trace">
    <button id="live" title="follow the latest record (End)">Latest</button>
    <span id="pos"></span>
    <span class="legend"><span><i class="cur"></i>current state</span><span><i class="act"></i>enclosing state</span><span><i class="prev"></i>previous state</span><span><i class="bad"></i>ended badly</span><span><i class="good"></i>ended well</span><span><i class="edge"></i>last transition</span></span>
  </div>
</footer>
<script src="inspector.js"></script>
</body>
</html>
`;
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
