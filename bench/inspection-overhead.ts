/**
 * What inspection costs. Run: `npx tsx bench/inspection-overhead.ts [rounds]` (default 150).
 *
 * 1. Seed turns: the seed scenario (tool waits for its preamble, interrupt, new reply) on virtual
 *    time, once per mode per round, modes interleaved so drift hits them alike. "off (control)" is
 *    a second run of "off": the spread between the two is the noise floor.
 * 2. Raw transitions: one tool-run actor driven through WAIT_FOR_PLAYOUT/PLAYOUT_DONE, per mode.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createActor, type InspectionEvent, type Observer } from 'xstate';
import { toolRunMachine } from '../machines/tool-run.machine.js';
import { createInspectorServer, createTraceRecorder, runSeedDemo, type InspectorServer, type TraceRecorder } from '../src/inspect/index.js';
import { VirtualClock } from '../src/testing/index.js';

interface Mode {
  name: string;
  /** Makes the observer for one run (fresh recorders, so memory does not pile up). */
  make(clock: VirtualClock): { inspect: Observer<InspectionEvent> | undefined; done(): Promise<void> };
}

const rounds = Number(process.argv[2] ?? 150);
const dir = await mkdtemp(join(tmpdir(), 'speechcharts-bench-'));
let server: InspectorServer | undefined;
let serverWithPage: InspectorServer | undefined;
let page: WebSocket | undefined;
let pageBytes = 0;

try {
  server = await createInspectorServer();
  serverWithPage = await createInspectorServer({ maxRecords: 20_000 });
  page = new WebSocket(serverWithPage.url.replace(/^http/, 'ws') + 'ws');
  page.on('message', (d) => (pageBytes += (d as Buffer).length));
  await new Promise<void>((resolve, reject) => {
    page!.once('open', () => resolve());
    page!.once('error', reject);
  });

  const none = { inspect: undefined, done: async () => {} };
  const recorderMode = (r: TraceRecorder) => ({ inspect: r.inspect, done: () => r.close() });
  let fileN = 0;
  const modes: Mode[] = [
    { name: 'off', make: () => none },
    { name: 'off (control)', make: () => none },
    { name: 'no-op observer', make: () => ({ inspect: { next: () => {} }, done: async () => {} }) },
    { name: 'trace recorder (memory)', make: (c) => recorderMode(createTraceRecorder({ now: () => c.now() })) },
    { name: 'trace recorder (file)', make: (c) => recorderMode(createTraceRecorder({ now: () => c.now(), file: join(dir, `t${fileN++ % 4}.jsonl`) })) },
    { name: 'inspector server, no page', make: () => ({ inspect: server!.inspect, done: async () => {} }) },
    { name: 'inspector server + 1 page', make: () => ({ inspect: serverWithPage!.inspect, done: async () => {} }) },
  ];

  // How many inspection events one seed turn makes.
  let events = 0;
  {
    const clock = new VirtualClock();
    const { session } = await runSeedDemo({ clock, inspect: () => void events++ });
    await session.close();
  }

  const times = new Map<string, number[]>(modes.map((m) => [m.name, []]));
  const runOnce = async (m: Mode): Promise<number> => {
    const clock = new VirtualClock();
    const obs = m.make(clock);
    // CPU time of this process: the virtual clock's idle event-loop turns and other processes on the
    // machine add wall time that has nothing to do with inspection.
    const c0 = process.cpuUsage();
    const { session } = await runSeedDemo({ clock, ...(obs.inspect ? { inspect: obs.inspect } : {}) });
    await session.close();
    await obs.done();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };
  for (let i = 0; i < 20; i++) for (const m of modes) await runOnce(m); // warm-up (JIT, Graphviz-free paths)
  for (let r = 0; r < rounds; r++) {
    const order = modes.map((_, k) => modes[(k + r) % modes.length]!);
    for (const m of order) times.get(m.name)!.push(await runOnce(m));
  }

  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
  };
  const base = median(times.get('off')!);
  console.log(`Seed turns on virtual time: ${rounds} rounds, ${events} inspection events per turn (node ${process.version})`);
  console.log('mode'.padEnd(28) + 'CPU ms/turn (median)'.padStart(22) + 'vs off'.padStart(12) + 'µs/event'.padStart(11));
  for (const m of modes) {
    const med = median(times.get(m.name)!);
    const delta = med - base;
    console.log(
      m.name.padEnd(28) + med.toFixed(3).padStart(22) + `${delta >= 0 ? '+' : ''}${((delta / base) * 100).toFixed(1)}%`.padStart(12) + ((delta * 1000) / events).toFixed(2).padStart(11),
    );
  }
  console.log(`(the page socket received ${(pageBytes / 1024 / 1024).toFixed(1)} MB)`);

  // Raw transitions, without the session's async machinery around them.
  const N = 200_000;
  const transitionModes: [string, () => Observer<InspectionEvent> | undefined][] = [
    ['off', () => undefined],
    ['no-op observer', () => ({ next: () => {} })],
    ['trace recorder (memory)', () => createTraceRecorder().inspect],
    ['inspector server, no page', () => server!.inspect],
  ];
  console.log(`\nRaw transitions: a tool-run actor, ${N} events (WAIT_FOR_PLAYOUT/PLAYOUT_DONE), best of 5`);
  for (const [name, make] of transitionModes) {
    let best = Infinity;
    for (let k = 0; k < 5; k++) {
      const inspect = make();
      const actor = createActor(toolRunMachine, { input: { callId: 'c', name: 'n', speechId: 's', step: 1 }, ...(inspect ? { inspect } : {}) }).start();
      const t0 = performance.now();
      for (let i = 0; i < N / 2; i++) {
        actor.send({ type: 'WAIT_FOR_PLAYOUT' });
        actor.send({ type: 'PLAYOUT_DONE' });
      }
      best = Math.min(best, performance.now() - t0);
      actor.stop();
    }
    console.log(`${name.padEnd(28)}${((best * 1000) / N).toFixed(2).padStart(8)} µs/transition`);
  }
} finally {
  page?.terminate();
  await server?.close();
  await serverWithPage?.close();
  await rm(dir, { recursive: true, force: true });
}
