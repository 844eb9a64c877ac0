/** What the command line prints, and the failure that carries an exit status. */

/** A failure with an exit status and a message for the user (no stack trace). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export const print = (s = '') => process.stdout.write(s + '\n');
export const printErr = (s: string) => process.stderr.write(s + '\n');

/** Resolves on Ctrl-C (SIGINT) or SIGTERM: for commands that serve until the user quits. */
export function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
