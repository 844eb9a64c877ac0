import { request } from 'node:http';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createActor, createMachine } from 'xstate';
import { runInspect } from '../src/cli/inspect.js';
import { createInspectorServer, createStatelyBridge, parseTrace, runSeedDemo, type InspectorServer, type TraceRecord } from '../src/inspect/index.js';
import { VirtualClock } from '../src/testing/index.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startServer(o: Parameters<typeof createInspectorServer>[0] = {}): Promise<InspectorServer> {
  const s = await createInspectorServer(o);
  cleanups.push(() => s.close());
  return s;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A page's socket: collects records and resolves waits when a condition holds (no timers). */
function openSocket(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + 'ws', { headers });
  const records: TraceRecord[] = [];
  const hellos: unknown[] = [];
  let waiters: { pred: () => boolean; resolve: () => void }[] = [];
  const check = () => {
    waiters = waiters.filter((w) => (w.pred() ? (w.resolve(), false) : true));
  };
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { type: string; records?: TraceRecord[] };
    if (msg.type === 'hello') hellos.push(msg);
    if (msg.type === 'records') records.push(...msg.records!);
    check();
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  cleanups.push(() => {
    ws.terminate();
  });
  return {
    ws,
    records,
    hellos,
    opened,
    closed,
    until: (pred: () => boolean) => new Promise<void>((resolve) => (pred() ? resolve() : waiters.push({ pred, resolve }))),
  };
}

describe('createInspectorServer', () => {
  it('serves a self-contained page on localhost', async () => {
    const server = await startServer();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(server.url);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).toContain('speechcharts <b>inspector</b>');
    // Nothing from elsewhere: no external scripts, styles, fonts or images.
    expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(page.body).not.toMatch(/@import|url\(http/);
    expect((await get(`${server.url}nope`)).status).toBe(404);
  });

  it('streams the records of a live session to a connected page, and serves the diagrams', async () => {
    const clock = new VirtualClock();
    const server = await startServer({ now: () => clock.now() });
    const page = openSocket(server.url);
    await page.opened;
    await page.until(() => page.hellos.length === 1);
    expect(page.hellos[0]).toMatchObject({ type: 'hello', mode: 'live' });
    expect(server.clients).toBe(1);

    const { session } = await runSeedDemo({ inspect: server.inspect, clock });
    await page.until(() => page.records.some((r) => r.kind === 'snapshot' && r.actor === 'speech_2' && r.value === 'done'));
    const toolEnd = page.records.find((r) => r.kind === 'snapshot' && r.actor === 'tool_call_1' && r.status === 'done');
    expect(toolEnd).toMatchObject({ value: 'aborted', t: 900 });
    await session.close();
    await page.until(() => page.records.length === server.records.length);
    expect(page.records).toEqual(server.records);

    const svg = await get(`${server.url}machines/toolRun.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers['content-type']).toMatch(/image\/svg\+xml/);
    expect(svg.body).toContain('id="state:toolRun.aborted"');
    expect((await get(`${server.url}machines/toolRun.svg?detail=full`)).body).toContain('/ recordAbortReason, abortSignal, rejectPlayoutWaiters');
    expect((await get(`${server.url}machines/unknown.svg`)).status).toBe(404);
  });

  it('gives a late page the whole backlog, and /trace.jsonl replays to the same records', async () => {
    const clock = new VirtualClock();
    const live = await startServer({ now: () => clock.now(), title: 'seed' });
    const { session } = await runSeedDemo({ inspect: live.inspect, clock });
    await session.close();

    const late = openSocket(live.url);
    await late.until(() => late.records.length === live.records.length);
    expect(late.records.filter((r) => r.kind !== 'machine')).toEqual(live.records.filter((r) => r.kind !== 'machine'));

    const trace = await get(`${live.url}trace.jsonl`);
    expect(trace.headers['content-type']).toMatch(/ndjson/);
    const records = parseTrace(trace.body);
    expect(records[0]).toMatchObject({ kind: 'header', title: 'seed' });

    const replay = await startServer({ replay: records });
    expect(replay.records).toEqual(live.records);
    const page = openSocket(replay.url);
    await page.until(() => page.hellos.length === 1 && page.records.length === replay.records.length);
    expect(page.hellos[0]).toMatchObject({ mode: 'replay', title: 'seed' });
    expect((await get(`${replay.url}machines/speechHandle.svg`)).status).toBe(200);
  });

  it('renders diagrams for a trace opened in the page, and refuses what is not a machine graph', async () => {
    const server = await startServer();
    const recorder = (await import('../src/inspect/index.js')).createTraceRecorder();
    createActor(createMachine({ id: 'lamp', initial: 'off', states: { off: { on: { TOGGLE: 'on' } }, on: { on: { TOGGLE: 'off' } } } }), { inspect: recorder.inspect }).start();
    const machine = recorder.records.find((r) => r.kind === 'machine') as Extract<TraceRecord, { kind: 'machine' }>;
    const ok = await get(`${server.url}api/render`, { 'content-type': 'application/json' }, 'POST', JSON.stringify(machine.graph));
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('id="state:lamp.on"');
    const json = { 'content-type': 'application/json' };
    expect((await get(`${server.url}api/render`, json, 'POST', 'nope')).status).toBe(400);
    expect((await get(`${server.url}api/render`, json, 'POST', '{"nodes":1}')).status).toBe(400);
  });

  it('answers only to its own host names and origins', async () => {
    const server = await startServer();
    const port = new URL(server.url).port;
    // DNS rebinding: a request addressed to another name is refused.
    expect((await get(server.url, { host: `evil.example:${port}` })).status).toBe(421);
    expect((await get(server.url, { host: `localhost:${port}` })).status).toBe(200);
    // A page from another origin cannot read the stream.
    const foreign = openSocket(server.url, { origin: 'http://evil.example' });
    await expect(foreign.opened).rejects.toThrow(/403/);
    const own = openSocket(server.url, { origin: `http://127.0.0.1:${port}` });
    await own.opened;
    expect(server.clients).toBe(1);
  });

  it('closes its pages and stops listening on close()', async () => {
    const server = await createInspectorServer();
    const page = openSocket(server.url);
    await page.opened;
    await server.close();
    await page.closed;
    await expect(get(server.url)).rejects.toThrow(/ECONNREFUSED/);
    await server.close(); // idempotent
  });

  it('keeps a bounded backlog, but never loses machine definitions', async () => {
    const server = await startServer({ maxRecords: 50 });
    const machine = createMachine({ id: 'ticker', initial: 'a', states: { a: { on: { T: 'b' } }, b: { on: { T: 'a' } } } });
    const actor = createActor(machine, { inspect: server.inspect }).start();
    for (let i = 0; i < 200; i++) actor.send({ type: 'T' });
    actor.stop();
    expect(server.records.length).toBeLessThanOrEqual(55);
    const trace = parseTrace((await get(`${server.url}trace.jsonl`)).body);
    expect(trace.some((r) => r.kind === 'machine' && r.key === 'ticker')).toBe(true);
    const info = JSON.parse((await get(`${server.url}api/info`)).body) as { dropped: number };
    expect(info.dropped).toBeGreaterThan(0);
  });
});

describe('runInspect (the CLI command)', () => {
  it('replays a trace file and prints the URL', async () => {
    const clock = new VirtualClock();
    const { createTraceRecorder } = await import('../src/inspect/index.js');
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'speechcharts-cli-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'seed.trace.jsonl');
    const recorder = createTraceRecorder({ file, now: () => clock.now() });
    const { session } = await runSeedDemo({ inspect: recorder.inspect, clock });
    await session.close();
    await recorder.close();

    const lines: string[] = [];
    const cli = await runInspect(file, (l) => lines.push(l));
    cleanups.push(() => cli.close());
    expect(lines.join('\n')).toContain(cli.url);
    expect(lines[0]).toMatch(/replaying .*seed\.trace\.jsonl \(\d+ records\)/);
    const page = openSocket(cli.url);
    await page.until(() => page.records.some((r) => r.kind === 'snapshot' && r.actor === 'tool_call_1' && r.value === 'aborted'));
  });

  it('without a trace, starts a live inspector whose demo waits for a page', async () => {
    const lines: string[] = [];
    const cli = await runInspect(undefined, (l) => lines.push(l));
    cleanups.push(() => cli.close());
    expect(lines.join('\n')).toContain(cli.url);
    expect((await get(cli.url)).status).toBe(200);
    const info = JSON.parse((await get(`${cli.url}api/info`)).body) as { mode: string; records: number };
    expect(info).toMatchObject({ mode: 'live', records: 0 }); // nobody watched: the demo did not start
  });
});

describe('createStatelyBridge', () => {
  it('forwards sanitized inspection events through @statelyai/inspect (loaded lazily)', async () => {
    const port = await freePort();
    const bridge = await createStatelyBridge({ port });
    cleanups.push(() => bridge.close());
    expect(bridge.url).toBe(`http://localhost:${port}`);
    // Stand in for the bridge page: the upstream server relays each client's messages to the others.
    const viewer = new WebSocket(`ws://localhost:${port}`);
    cleanups.push(() => {
      viewer.terminate();
    });
    const messages: string[] = [];
    const gotSnapshot = new Promise<void>((resolve) =>
      viewer.on('message', (d) => {
        messages.push(String(d));
        if (String(d).includes('@xstate.snapshot') && String(d).includes('"playing"')) resolve();
      }),
    );
    await new Promise<void>((resolve, reject) => {
      viewer.once('open', () => resolve());
      viewer.once('error', reject);
    });
    const machine = createMachine({ id: 'player', context: { pcm: new Int16Array(4800) }, initial: 'idle', states: { idle: { on: { PLAY: 'playing' } }, playing: {} } });
    const actor = createActor(machine, { inspect: bridge.inspect }).start();
    actor.send({ type: 'PLAY' });
    await gotSnapshot;
    actor.stop();
    expect(messages.join('\n')).toContain('"$binary":"Int16Array"');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
