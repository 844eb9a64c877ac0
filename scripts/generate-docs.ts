/**
 * `npm run docs`: writes docs/machines/<machine>.svg, one statechart per machine, from the
 * definitions in machines/. Output is deterministic, so test/machine-diagrams-fresh.test.ts can fail
 * when a committed diagram no longer matches its machine.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AnyStateMachine } from 'xstate';
import * as machines from '../machines/index.js';
import { isStateMachine } from '../src/inspect/machine-diagram.js';
import { renderMachineSvg } from '../src/inspect/machine-diagram.js';

/**
 * The machines documented, by output file name: every machine `machines/index.ts` exports,
 * `speechHandleMachine` → docs/machines/speech-handle.svg. A new machine gets its diagram (and the
 * freshness test asks for it) without touching this file.
 */
export const DOC_MACHINES: Record<string, AnyStateMachine> = Object.fromEntries(
  Object.entries(machines as Record<string, unknown>)
    .filter((e): e is [string, AnyStateMachine] => isStateMachine(e[1]))
    .map(([name, m]) => [name.replace(/Machine$/, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), m] as const)
    .sort(([a], [b]) => a.localeCompare(b)),
);

export const DOCS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'machines');

/**
 * Renders every documented machine (full detail: entry actions, tags, guards, transition actions).
 * @example for (const [name, svg] of await renderMachineDocs()) console.log(name, svg.length);
 */
export async function renderMachineDocs(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [name, machine] of Object.entries(DOC_MACHINES)) out.set(name, await renderMachineSvg(machine, { detail: 'full' }));
  return out;
}

async function main(): Promise<void> {
  await mkdir(DOCS_DIR, { recursive: true });
  for (const [name, svg] of await renderMachineDocs()) {
    const file = join(DOCS_DIR, `${name}.svg`);
    await writeFile(file, svg);
    console.log(`wrote ${file}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
