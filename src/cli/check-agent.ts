import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkAgent, formatAgentCheck } from '../model/agent-check.js';
import type { Agent } from '../agents/agent.js';
import { CliError } from './cli-output.js';

/**
 * `speechcharts check --agent <module>`: loads your module (its default export, or `agents` / `agent`:
 * an Agent or a list of them, the first being the one a session starts with) and runs
 * {@link checkAgent} on it. A `.ts` module is loaded with tsx when it is installed.
 * Returns 0 when every property holds, 1 otherwise.
 * @example process.exitCode = await runAgentCheck('examples/agent-check/fixed-agent.ts', console.log);
 */
export async function runAgentCheck(modulePath: string, out: (line: string) => void): Promise<number> {
  const file = resolve(modulePath);
  if (!existsSync(file)) throw new CliError(`speechcharts check --agent: no such module: ${modulePath}`, 2);
  const mod = await load(file);
  const found = mod.default ?? mod.agents ?? mod.agent;
  const agents = (Array.isArray(found) ? found : [found]) as Agent[];
  if (!found || agents.some((a) => !a || typeof a !== 'object' || typeof (a as { tools?: unknown }).tools !== 'object'))
    throw new CliError(`speechcharts check --agent: ${modulePath} must export an Agent or a list of Agents (as default, agents or agent)`, 2);
  out(`speechcharts check --agent ${modulePath}`);
  const t0 = performance.now();
  const r = checkAgent({ agents });
  formatAgentCheck(r).forEach((l) => out(l));
  out(`  explored in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return r.ok ? 0 : 1;
}

async function load(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (!['.ts', '.mts', '.cts'].includes(extname(file))) return (await import(url)) as Record<string, unknown>;
  let tsImport: (specifier: string, parent: string) => Promise<unknown>;
  try {
    ({ tsImport } = (await import('tsx/esm/api')) as { tsImport: typeof tsImport });
  } catch {
    throw new CliError(`speechcharts check --agent: ${file} is TypeScript: install tsx (npm i -D tsx) or compile it to .js`, 2);
  }
  return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
}
