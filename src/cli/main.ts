#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliError, print, printErr, untilInterrupted } from './cli-output.js';
import { MAIN_HELP, SUB_HELP } from './help.js';
import { runCommand } from './run-command.js';

// rtc-node logs at debug level unless NODE_ENV is production; its JSON lines would drown the live view.
// Set before any module that loads rtc-node is imported (they are all imported dynamically, in run-command.ts).
process.env.NODE_ENV ??= 'production';

/**
 * The `speechcharts` command line. Returns the exit status.
 * @example process.exitCode = await main(['run', 'examples/tool-preamble-interrupt.json', '--virtual']);
 */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    const topic = cmd === 'help' ? rest[0] : undefined;
    print(topic && SUB_HELP[topic] ? SUB_HELP[topic] : MAIN_HELP);
    return 0;
  }
  if (SUB_HELP[cmd] && (rest.includes('--help') || rest.includes('-h'))) {
    print(SUB_HELP[cmd]);
    return 0;
  }
  switch (cmd) {
    case 'run':
      return runCommand(rest);
    case 'check': {
      const at = rest.indexOf('--agent');
      if (at !== -1) {
        const mod = rest[at + 1];
        if (!mod || mod.startsWith('--')) throw new CliError('speechcharts check --agent: which module? (e.g. --agent src/my-agent.ts)', 2);
        return delegate('./check-agent.js', 'runAgentCheck', [mod]);
      }
      return delegate('./check.js', 'runCheck', [rest.includes('--deep')]);
    }
    case 'paths':
      if (!rest[0]) throw new CliError('speechcharts paths: which machine? (speechHandle, toolRun, scheduler, agentState)', 2);
      return delegate('./paths.js', 'runPaths', [rest[0]]);
    case 'inspect':
      return delegate('./inspect.js', 'runInspect', [rest[0]]);
    default:
      throw new CliError(`speechcharts: unknown command "${cmd}"\n\n${MAIN_HELP}`, 2);
  }
}

/** Runs a subcommand another module implements: `fn(...args, out)`; it may return an exit status or a server to close on Ctrl-C. */
async function delegate(modulePath: string, fnName: string, args: unknown[]): Promise<number> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(modulePath)) as Record<string, unknown>;
  } catch (e) {
    if (isModuleMissing(e)) {
      printErr(`speechcharts: this command is not available yet (${modulePath} is missing)`);
      return 1;
    }
    throw e;
  }
  const fn = mod[fnName];
  if (typeof fn !== 'function') {
    printErr(`speechcharts: this command is not available yet (${modulePath} has no ${fnName})`);
    return 1;
  }
  const r: unknown = await fn(...args, print);
  if (typeof r === 'number') return r;
  if (r && typeof (r as { close?: unknown }).close === 'function') {
    print('Ctrl-C to quit');
    await untilInterrupted();
    await (r as { close(): Promise<void> }).close();
  }
  return 0;
}

function isModuleMissing(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

// Run only as the program (also through the npm bin symlink), not when imported: tests import `main`.
if (isMain()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      if (e instanceof CliError) printErr(e.message);
      else printErr(`speechcharts: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exitCode = e instanceof CliError ? e.exitCode : 1;
    },
  );
}

function isMain(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
