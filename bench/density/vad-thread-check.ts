/**
 * Where each engine's Silero inference runs: 500 sequential 512-sample windows on one stream, timed,
 * with the event-loop utilization meanwhile (1.00: the model ran on the main thread; low: it ran on
 * another thread while the loop waited). Run: `npx tsx bench/density/vad-thread-check.ts`.
 *   speechcharts  @livekit/local-inference's createVad().predict (what SileroVAD calls)
 *   agents-js     silero_vad.onnx of @livekit/agents-plugin-silero on its onnxruntime-node, as the plugin
 *                 creates it (1 inter-op and 1 intra-op thread) and feeds it (64 samples of context + 512)
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const N = 500;
const require = createRequire(import.meta.url);

async function measure(name: string, once: () => Promise<unknown>): Promise<void> {
  await once(); // warm
  const e0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await once();
  const ms = (performance.now() - t0) / N;
  console.log(`${name.padEnd(48)} ${ms.toFixed(3)} ms per window, event-loop utilization ${performance.eventLoopUtilization(e0).utilization.toFixed(2)}`);
}

const li = require('@livekit/local-inference') as { createVad(): { predict(pcm: Int16Array): Promise<number> }; VAD_WINDOW_SAMPLES: number };
const vad = li.createVad();
await measure('speechcharts: @livekit/local-inference', () => vad.predict(new Int16Array(li.VAD_WINDOW_SAMPLES)));

const plugin = require.resolve('@livekit/agents-plugin-silero');
const ort = createRequire(plugin)('onnxruntime-node') as typeof import('onnxruntime-node');
const model = plugin.slice(0, plugin.lastIndexOf('/dist/')) + '/dist/silero_vad.onnx';
const session = await ort.InferenceSession.create(model, { interOpNumThreads: 1, intraOpNumThreads: 1 });
const feeds = {
  input: new ort.Tensor('float32', new Float32Array(64 + 512), [1, 64 + 512]),
  state: new ort.Tensor('float32', new Float32Array(2 * 128), [2, 1, 128]),
  sr: new ort.Tensor('int64', BigInt64Array.from([16000n])),
};
await measure('agents-js: plugin-silero on onnxruntime-node', () => session.run(feeds));
