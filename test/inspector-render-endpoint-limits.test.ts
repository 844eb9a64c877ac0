import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createInspectorServer, type InspectorServer } from '../src/inspect/index.js';
import { LAMP_GRAPH, slowMachineGraph } from './support/slow-machine-graph.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startServer(o: Parameters<typeof createInspectorServer>[0] = {}): Promise<InspectorServer> {
  const s = await createInspectorServer(o);
  cleanups.push(() => s.close());
  return s;
}

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

function send(url: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: o.method ?? 'GET', headers: o.headers ?? {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };
const postGraph = (server: InspectorServer, body: unknown, headers: Record<string, string> = JSON_TYPE) =>
  send(`${server.url}api/render`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
const info = async (server: InspectorServer) => JSON.parse((await send(`${server.url}api/info`)).body) as { renders: { running: number; queued: number } };

/** Asks /api/info until a render is on the thread: each answer comes from the main thread. */
async function untilRendering(server: InspectorServer): Promise<{ running: number; queued: number }> {
  for (;;) {
    const { renders } = await info(server);
    if (renders.running === 1) return renders;
  }
}

describe('POST /api/render refuses what a web page elsewhere could send', () => {
  it('refuses a foreign or null Origin (403), text/plain and form bodies (415), and GET (405); accepts JSON from its own page', async () => {
    const server = await startServer();
    const own = new URL(server.url).origin;
    expect((await postGraph(server, LAMP_GRAPH, { ...JSON_TYPE, origin: 'http://evil.example' })).status).toBe(403);
    expect((await postGraph(server, LAMP_GRAPH, { ...JSON_TYPE, origin: 'null' })).status).toBe(403);
    // What a cross-site <form> or a no-preflight fetch can send.
    expect((await postGraph(server, LAMP_GRAPH, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await postGraph(server, LAMP_GRAPH, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await postGraph(server, LAMP_GRAPH, {})).status).toBe(415);
    expect((await send(`${server.url}api/render`)).status).toBe(405);

    const ok = await postGraph(server, LAMP_GRAPH, { 'content-type': 'application/json; charset=utf-8', origin: own });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('id="state:lamp.on"');
    // Tools on this machine send no Origin: allowed.
    expect((await postGraph(server, LAMP_GRAPH)).status).toBe(200);
  });

  it('refuses a body over the size cap and graphs with too many states or transitions (413), and malformed graphs (400)', async () => {
    const server = await startServer({ render: { maxBodyBytes: 64 * 1024, maxStates: 20, maxTransitions: 40 } });
    const big = await postGraph(server, { ...LAMP_GRAPH, padding: 'x'.repeat(70 * 1024) });
    expect(big.status).toBe(413);
    expect(big.body).toMatch(/larger than 65536 bytes/);
    // Streamed without a declared length: cut off as it arrives.
    const streamed = await postGraph(server, { ...LAMP_GRAPH, padding: 'x'.repeat(70 * 1024) }, { ...JSON_TYPE, 'transfer-encoding': 'chunked' });
    expect(streamed.status).toBe(413);
    const states = await postGraph(server, slowMachineGraph(30, 10));
    expect(states.status).toBe(413);
    expect(states.body).toMatch(/31 states; the inspector draws at most 20/);
    expect((await postGraph(server, slowMachineGraph(10, 50))).status).toBe(413);
    const malformed = await postGraph(server, { ...LAMP_GRAPH, nodes: [{ ...LAMP_GRAPH.nodes[0], path: 'x' }] });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatch(/nodes\[0\]\.path must be an array of strings/);
    // Within the limits, it draws.
    expect((await postGraph(server, slowMachineGraph(5, 8))).status).toBe(200);
  });
});

describe('POST /api/render renders off the main thread, within a time limit', () => {
  it('keeps answering other requests while a slow diagram lays out', { timeout: 60_000 }, async () => {
    // 100 states and 400 crossing transitions: minutes of Graphviz layout, far past this test.
    const server = await startServer({ render: { timeLimitMs: 10 * 60_000 } });
    let settled = false;
    const slow = postGraph(server, slowMachineGraph(100, 400)).then(
      (a) => ((settled = true), a.status),
      (e: NodeJS.ErrnoException) => ((settled = true), e.code),
    );
    // /api/info answers from the main thread, and says a render is running: the two overlap.
    const renders = await untilRendering(server);
    expect(renders).toEqual({ running: 1, queued: 0 });
    expect(settled).toBe(false);
    expect((await send(server.url)).status).toBe(200);
    // Closing terminates the render thread: the slow request is answered (or cut), not left hanging.
    await server.close();
    expect([503, 'ECONNRESET']).toContain(await slow);
  });

  it('abandons a render past its time limit (504), and the next render works on a fresh thread', { timeout: 60_000 }, async () => {
    // 50 states, 200 transitions: over 10 s of layout; the limit is 1 s.
    const server = await startServer({ render: { timeLimitMs: 1000 } });
    const slow = await postGraph(server, slowMachineGraph(50, 200));
    expect(slow.status).toBe(504);
    expect(slow.body).toMatch(/longer than 1000 ms/);
    const next = await postGraph(server, LAMP_GRAPH);
    expect(next.status).toBe(200);
    expect(next.body).toContain('id="state:lamp.off"');
  });

  it('queues a bounded number of renders and refuses the rest (503) rather than starting more work', { timeout: 60_000 }, async () => {
    const server = await startServer({ render: { timeLimitMs: 10 * 60_000, maxQueued: 1 } });
    const outcome = (p: Promise<Answer>) => p.then((a) => a.status, (e: NodeJS.ErrnoException) => e.code);
    const running = outcome(postGraph(server, slowMachineGraph(100, 400)));
    await untilRendering(server);
    const waiting = outcome(postGraph(server, LAMP_GRAPH));
    for (;;) if ((await info(server)).renders.queued === 1) break;
    const refused = await postGraph(server, LAMP_GRAPH);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.body).toMatch(/busy/);
    await server.close();
    expect([503, 'ECONNRESET']).toContain(await running);
    expect([503, 'ECONNRESET']).toContain(await waiting);
  });
});
