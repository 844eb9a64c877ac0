import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { DiagramRenderWorker } from './diagram-render-worker.js';
import {
  DiagramRenderBusyError,
  DiagramRendererClosedError,
  DiagramRenderTimeoutError,
  InvalidMachineGraphError,
  MachineGraphTooLargeError,
} from './inspector-errors.js';
import type { MachineGraph } from './machine-diagram.js';
import { validateMachineGraph } from './machine-graph-validation.js';
import { renderInspectorPage } from './page/page.js';
import { INSPECTOR_SCRIPT } from './page/script.js';
import { isJsonRequest, readBody, RequestBodyTooLargeError, sameOrigin } from './request-guards.js';
import { createTraceRecorder, readTraceFile, type SanitizeOptions, type TraceInspector, type TraceRecord } from './trace-recorder.js';
import type { TraceTextOptions } from './trace-text.js';

/**
 * Options of the inspector server. `conversationText` and `redact` apply to what it records live
 * (and so to what its page shows and `/trace.jsonl` serves), not to a replayed trace.
 */
export interface InspectorServerOptions extends SanitizeOptions, TraceTextOptions {
  /** Port to listen on (default 0: any free port; read it from `url`). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1: the inspector is never exposed beyond this machine). */
  host?: string;
  /** Serve a recorded trace (records or a JSONL file path) for replay instead of starting empty. */
  replay?: TraceRecord[] | string;
  /** Title shown by the page (default: the trace's title, or "live session"). */
  title?: string;
  /** The clock for record times, e.g. `clock.now` of a VirtualClock (default: wall ms since start). */
  now?: () => number;
  /** Records kept in memory for late-joining pages and `/trace.jsonl` (default 100 000; oldest dropped first). */
  maxRecords?: number;
  /** Called when a page connects (the CLI demo waits for the first one). */
  onClient?: () => void;
  /** Limits on diagram rendering (the page's `POST /api/render` and the `/machines/*.svg` diagrams). */
  render?: RenderLimits;
}

/** How much diagram rendering the inspector does for a request. */
export interface RenderLimits {
  /** Longest one diagram may take to lay out, in ms (default 5000); past it the request gets 504. */
  timeLimitMs?: number;
  /** Renders that may wait behind the running one (default 8); past it requests get 503. */
  maxQueued?: number;
  /** Largest `POST /api/render` body, in bytes (default 256 KiB); past it requests get 413. */
  maxBodyBytes?: number;
  /** Most states a posted graph may have (default 500); past it requests get 413. */
  maxStates?: number;
  /** Most transitions a posted graph may have (default 2000); past it requests get 413. */
  maxTransitions?: number;
}

export interface InspectorServer {
  /** The page's address, e.g. `http://127.0.0.1:43117/`. */
  readonly url: string;
  /** The inspection observer to pass to `AgentSession({ inspect })` (or `createActor`); it takes the conversation too. */
  readonly inspect: TraceInspector;
  /** Records held (live and replayed). */
  readonly records: readonly TraceRecord[];
  /** Number of connected pages. */
  readonly clients: number;
  /** Closes the pages' sockets and the HTTP server. */
  close(): Promise<void>;
}

const MAX_RENDER_BODY = 256 * 1024;
/** A page that cannot keep up is dropped rather than letting its backlog grow without bound. */
const MAX_CLIENT_BUFFER = 32 * 1024 * 1024;

/**
 * Starts the offline inspector: an HTTP + WebSocket server on localhost that serves a self-contained
 * page (statecharts of every actor, event log, timeline, context, replay scrubber) and streams the
 * inspection events it receives through `inspect`. With `replay`, it serves a recorded trace.
 * @example
 * const inspector = await createInspectorServer();
 * console.log(`inspector: ${inspector.url}`);
 * const session = new AgentSession({ llm, tts, audioOutput, inspect: inspector.inspect });
 * // … later
 * await inspector.close();
 */
export async function createInspectorServer(o: InspectorServerOptions = {}): Promise<InspectorServer> {
  const host = o.host ?? '127.0.0.1';
  const maxRecords = o.maxRecords ?? 100_000;
  const replay = typeof o.replay === 'string' ? await readTraceFile(o.replay) : (o.replay ?? []);
  const header = replay[0]?.kind === 'header' ? replay[0] : undefined;
  const title = o.title ?? header?.title ?? (o.replay ? (typeof o.replay === 'string' ? o.replay : 'recorded trace') : 'live session');
  const mode = o.replay ? 'replay' : 'live';

  // Machine definitions are kept apart from the ring buffer: trimming old records must not lose them.
  const machines = new Map<string, MachineGraph>();
  let records: TraceRecord[] = [];
  let dropped = 0;
  let pending: TraceRecord[] = [];
  let flushScheduled = false;
  const sockets = new Set<WebSocket>();

  const add = (r: TraceRecord): void => {
    if (r.kind === 'header') return;
    if (r.kind === 'machine') {
      if (machines.has(r.key)) return;
      machines.set(r.key, r.graph);
    }
    records.push(r);
    if (records.length > maxRecords * 1.1) {
      const cut = records.length - maxRecords;
      dropped += cut;
      records = records.slice(cut);
    }
    if (sockets.size === 0) return;
    pending.push(r);
    if (!flushScheduled) {
      flushScheduled = true;
      // One message per tick: a transition cascade arrives in one frame, cheap for both sides.
      setImmediate(flush);
    }
  };
  const flush = (): void => {
    flushScheduled = false;
    if (pending.length === 0) return;
    const msg = JSON.stringify({ type: 'records', records: pending });
    pending = [];
    for (const ws of sockets) send(ws, msg);
  };
  const send = (ws: WebSocket, msg: string): void => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_CLIENT_BUFFER) {
      ws.close(1013, 'inspector page too slow');
      return;
    }
    ws.send(msg);
  };
  for (const r of replay) add(r);

  const { maxStringLength, maxDepth, maxArrayLength, maxKeys, conversationText, redact } = o;
  const recorder = createTraceRecorder({
    maxStringLength,
    maxDepth,
    maxArrayLength,
    maxKeys,
    conversationText,
    redact,
    onRecord: add,
    keep: false,
    ...(o.now ? { now: o.now } : {}),
  });

  // Graphviz runs on a worker thread, one diagram at a time: never on the thread serving the session.
  const renderer = new DiagramRenderWorker({
    ...(o.render?.timeLimitMs !== undefined ? { timeLimitMs: o.render.timeLimitMs } : {}),
    ...(o.render?.maxQueued !== undefined ? { maxQueued: o.render.maxQueued } : {}),
  });
  const graphLimits = { ...(o.render?.maxStates !== undefined ? { maxStates: o.render.maxStates } : {}), ...(o.render?.maxTransitions !== undefined ? { maxTransitions: o.render.maxTransitions } : {}) };
  const maxRenderBody = o.render?.maxBodyBytes ?? MAX_RENDER_BODY;
  const svgCache = new Map<string, Promise<string>>();
  const svgFor = (key: string, graph: MachineGraph, detail: 'full' | 'compact'): Promise<string> => {
    const k = `${detail}:${key}`;
    let p = svgCache.get(k);
    if (!p) {
      p = renderer.render(graph, { detail });
      svgCache.set(k, p);
      p.catch(() => svgCache.delete(k));
    }
    return p;
  };

  let origin = '';
  const allowedHosts = new Set<string>();
  const hostOk = (req: IncomingMessage): boolean => !req.headers.host || allowedHosts.has(req.headers.host.toLowerCase());
  // A web page elsewhere must not read the trace through the socket (WebSockets ignore CORS) nor
  // make this process render (a form or fetch POST needs no permission to be sent).
  const originOk = (req: IncomingMessage): boolean => sameOrigin(req, allowedHosts);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // DNS rebinding guard: only answer requests addressed to this server's own host names.
    if (!hostOk(req)) return text(res, 421, 'wrong host');
    const url = new URL(req.url ?? '/', origin);
    const path = url.pathname;
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': PAGE_CSP });
      res.end(renderInspectorPage({ title, mode }));
      return;
    }
    if (req.method === 'GET' && path === '/inspector.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(INSPECTOR_SCRIPT);
      return;
    }
    if (req.method === 'GET' && path === '/trace.jsonl') {
      res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
      const head: TraceRecord = header ?? { kind: 'header', version: 1, createdAt: new Date().toISOString(), clock: o.now ? 'custom' : 'wall', title };
      res.write(JSON.stringify(head) + '\n');
      // Machines first: records that referred to them may have been trimmed, the definitions were not.
      const kept = new Set(records.filter((r) => r.kind === 'machine').map((r) => (r as { key: string }).key));
      let seq = 0;
      for (const [key, graph] of machines) if (!kept.has(key)) res.write(JSON.stringify({ kind: 'machine', seq: --seq, key, graph }) + '\n');
      for (const r of records) res.write(JSON.stringify(r) + '\n');
      res.end();
      return;
    }
    const svg = /^\/machines\/([^/]+)\.svg$/.exec(path);
    if (req.method === 'GET' && svg) {
      const key = decodeURIComponent(svg[1]!);
      const graph = machines.get(key);
      if (!graph) return text(res, 404, `no machine '${key}' in this session`);
      try {
        const out = await svgFor(key, graph, url.searchParams.get('detail') === 'full' ? 'full' : 'compact');
        res.writeHead(200, { 'content-type': 'image/svg+xml; charset=utf-8', 'cache-control': 'no-store' });
        res.end(out);
      } catch (e) {
        renderFailed(res, e);
      }
      return;
    }
    if (path === '/api/render') {
      // Diagrams for a trace the page opened from disk: the definition travels in the trace.
      if (req.method !== 'POST') return text(res, 405, 'POST a machine graph (application/json)', { allow: 'POST' });
      if (!originOk(req)) return text(res, 403, 'cross-origin requests are refused');
      if (!isJsonRequest(req)) return text(res, 415, 'send the machine graph as application/json');
      try {
        const body = await readBody(req, maxRenderBody);
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          throw new InvalidMachineGraphError('the body is not JSON');
        }
        const out = await renderer.render(validateMachineGraph(json, graphLimits), { detail: 'compact' });
        res.writeHead(200, { 'content-type': 'image/svg+xml; charset=utf-8', 'cache-control': 'no-store' });
        res.end(out);
      } catch (e) {
        renderFailed(res, e);
      }
      return;
    }
    if (req.method === 'GET' && path === '/api/info') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ mode, title, records: records.length, dropped, clients: sockets.size, renders: { running: renderer.running, queued: renderer.queued } }));
      return;
    }
    text(res, 404, 'not found');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) text(res, 500, `inspector error: ${(e as Error)?.message ?? String(e)}`);
      else res.destroy();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/ws' || !hostOk(req) || !originOk(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => sockets.delete(ws));
      // Records queued for the next flush go to this page with the backlog, not again after it.
      flush();
      send(ws, JSON.stringify({ type: 'hello', mode, title, dropped }));
      const backlog = [...[...machines].map(([key, graph]) => ({ kind: 'machine', seq: 0, key, graph })), ...records.filter((r) => r.kind !== 'machine')];
      for (let i = 0; i < backlog.length; i += 5000) send(ws, JSON.stringify({ type: 'records', records: backlog.slice(i, i + 5000) }));
      o.onClient?.();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  origin = `http://${hostPart}:${port}`;
  for (const h of [hostPart, 'localhost', '127.0.0.1', '[::1]']) allowedHosts.add(`${h}:${port}`.toLowerCase());

  let closing: Promise<void> | undefined;
  return {
    url: `${origin}/`,
    inspect: recorder.inspect,
    get records() {
      return records;
    },
    get clients() {
      return sockets.size;
    },
    close: () => {
      closing ??= (async () => {
        await recorder.close();
        await renderer.close();
        for (const ws of sockets) ws.terminate();
        sockets.clear();
        await new Promise<void>((r) => wss.close(() => r()));
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}

/**
 * Only what the server serves: its script file (no inline script, so markup that reaches the page
 * cannot run), inline styles (Graphviz's SVG and the layout set them), no other origin, no framing.
 */
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

/** The answer for a render that did not produce a diagram; errors that are not a refusal propagate. */
function renderFailed(res: ServerResponse, e: unknown): void {
  if (e instanceof RequestBodyTooLargeError || e instanceof MachineGraphTooLargeError) return text(res, 413, e.message, { connection: 'close' });
  if (e instanceof InvalidMachineGraphError) return text(res, 400, e.message);
  if (e instanceof DiagramRenderTimeoutError) return text(res, 504, e.message);
  if (e instanceof DiagramRenderBusyError) return text(res, 503, e.message, { 'retry-after': '5' });
  if (e instanceof DiagramRendererClosedError) return text(res, 503, 'the inspector is closing');
  throw e;
}
