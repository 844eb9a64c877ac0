import { basename } from 'node:path';
import { createInspectorServer } from '../inspect/inspector-server.js';
import { runSeedDemo } from '../inspect/seed-demo.js';
import { readTraceFile } from '../inspect/trace-recorder.js';

/**
 * `speechcharts inspect [trace.jsonl]`: with a trace, serves it for replay; without one, starts a
 * live inspector and plays the built-in demo (the seed scenario: a tool waiting for its preamble is
 * interrupted) once the first page connects. Prints the URL through `out`.
 * @example
 * const { url, close } = await runInspect('session.trace.jsonl', console.log);
 */
export async function runInspect(traceFile: string | undefined, out: (line: string) => void): Promise<{ url: string; close(): Promise<void> }> {
  if (traceFile) {
    const records = await readTraceFile(traceFile);
    const server = await createInspectorServer({ replay: records, title: basename(traceFile) });
    out(`speechcharts inspector: replaying ${traceFile} (${records.length} records)`);
    out(`open ${server.url}`);
    return { url: server.url, close: () => server.close() };
  }
  let demo: Promise<void> | undefined;
  let closed = false;
  const server = await createInspectorServer({
    title: 'demo: the seed scenario',
    onClient: () => {
      // The demo starts when someone is watching, so they see the actors move.
      demo ??= runSeedDemo({ inspect: server.inspect }).then(
        async ({ session }) => {
          await session.close();
          if (!closed) out('demo finished: scrub the timeline or press ▶ to replay it');
        },
        (e: unknown) => out(`demo failed: ${(e as Error)?.message ?? String(e)}`),
      );
    },
  });
  out('speechcharts inspector: live (no trace given: the seed scenario demo runs when the page opens)');
  out(`open ${server.url}`);
  return {
    url: server.url,
    close: async () => {
      closed = true;
      await demo;
      await server.close();
    },
  };
}
