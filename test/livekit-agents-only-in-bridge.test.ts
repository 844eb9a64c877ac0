import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// @livekit/agents is an optional peer dependency: only the speechcharts/livekit entry point may
// import it, and the core must load without it.
const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|mts|js|mjs)$/.test(e.name) ? [join(dir, e.name)] : []));
}

/** Loads `entries` in a child process where resolving @livekit/agents (or a plugin) throws. */
function loadWithoutAgents(...entries: string[]) {
  const code = entries.map((e) => `await import(${JSON.stringify(join(root, e))});`).join(' ') + ` console.log('loaded');`;
  return run(process.execPath, ['--import', 'tsx', '--import', join(root, 'test/support/forbid-livekit-agents.mjs'), '--input-type=module', '-e', code], { cwd: root, timeout: 60_000 });
}

describe('@livekit/agents stays behind speechcharts/livekit', () => {
  it('no file of src/ or machines/ outside src/livekit imports it', () => {
    const offenders = [...sources(join(root, 'src')), ...sources(join(root, 'machines'))]
      .filter((f) => !relative(root, f).startsWith(join('src', 'livekit')))
      .filter((f) => /(from\s+|import\s*\(\s*|require\s*\(\s*)['"]@livekit\/agents/.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it("import('speechcharts') (and its voice, adapters and testing entry points) loads with @livekit/agents unresolvable; speechcharts/livekit does not (the check bites)", async () => {
    const core = await loadWithoutAgents('src/index.ts', 'src/voice/index.ts', 'src/adapters/index.ts', 'src/testing/index.ts');
    expect(core.stdout.trim()).toBe('loaded');
    await expect(loadWithoutAgents('src/livekit/index.ts')).rejects.toThrow(/FORBIDDEN import of @livekit\/agents/);
  });
});
