/**
 * What a diagram render thread runs: Graphviz (@viz-js/viz, WebAssembly) turning DOT into SVG.
 *
 * It is plain JavaScript evaluated by `new Worker(source, { eval: true })` rather than a module
 * file, so the same code runs from the TypeScript sources (tsx, vitest: a worker cannot load `.ts`)
 * and from the built `dist/`. It loads Graphviz from `workerData.vizPath` (resolved by the parent),
 * says `{ type: 'ready' }` once the WebAssembly module is instantiated, then answers each
 * `{ id, dot }` with `{ id, svg }` or `{ id, error }`.
 * @internal Used by {@link DiagramRenderWorker}.
 */
export const DIAGRAM_RENDER_THREAD_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const viz = require(workerData.vizPath);
viz.instance().then(
  (instance) => {
    parentPort.on('message', (job) => {
      let reply;
      try {
        reply = { id: job.id, svg: instance.renderString(job.dot, { format: 'svg', engine: 'dot' }) };
      } catch (e) {
        reply = { id: job.id, error: String((e && e.message) || e) };
      }
      parentPort.postMessage(reply);
    });
    parentPort.postMessage({ type: 'ready' });
  },
  (e) => parentPort.postMessage({ type: 'failed', error: String((e && e.message) || e) }),
);
`;

/** A message from the render thread. */
export type DiagramRenderThreadMessage =
  | { type: 'ready' }
  | { type: 'failed'; error: string }
  | { id: number; svg: string; type?: undefined }
  | { id: number; error: string; type?: undefined; svg?: undefined };
