import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTrace } from '../src/inspect/trace-recorder.js';

const tmp = mkdtempSync(join(tmpdir(), 'speechcharts-inspect-live-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('speechcharts run --inspect', () => {
  it('serves the run live, prints the URL first, keeps serving after the run, and exits 0 on Ctrl-C', async () => {
    // node itself, not npx: a signal sent to npx does not reach the CLI.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', 'examples/tool-preamble-interrupt.json', '--virtual', '--quiet', '--inspect', '--out', tmp], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Waits on the child's own output, never on a timer.
    const serving = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /keeps serving the run at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', () => reject(new Error(`exited before serving:\n${out}`)));
    });
    const url = await serving;
    const urlLine = out.split('\n').findIndex((l) => l.includes('inspector (live) at'));
    const summaryLine = out.split('\n').findIndex((l) => l.includes('── summary'));
    expect(urlLine).toBeGreaterThanOrEqual(0);
    expect(urlLine).toBeLessThan(summaryLine); // the URL comes before the run, not after it
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('speechcharts');
    const trace = parseTrace(await (await fetch(new URL('trace.jsonl', url))).text());
    expect(trace.length).toBeGreaterThan(50);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 60_000);
});
