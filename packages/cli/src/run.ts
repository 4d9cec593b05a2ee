import { isCodedError } from './errors.ts';

/** Exit codes of every Tandem command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * Runs a CLI body and turns its outcome into an exit code. A coded error (a user mistake or an
 * expected failure from any Tandem package) prints one line, `<cli>: error: <message>`; anything
 * else is a defect and keeps its stack trace.
 */
export async function runCli(name: string, main: () => Promise<number>): Promise<void> {
  let code: number;
  try {
    code = await main();
  } catch (error) {
    if (isCodedError(error)) {
      const message = error.message.split('\n')[0] ?? error.code;
      process.stderr.write(`${name}: error: ${message}\n`);
      code = error.code === 'TANDEM_CLI_USAGE' ? EXIT.usage : EXIT.failed;
    } else {
      process.stderr.write(
        `${name}: unexpected failure\n${(error as Error)?.stack ?? String(error)}\n`,
      );
      code = EXIT.failed;
    }
  }
  // process.exit would cut off a stdout still draining into a pipe.
  process.exitCode = code;
}

/** Prints a command's --help text on stdout; returns the exit code to end with (0). */
export function printHelp(help: string): number {
  process.stdout.write(`${help}\n`);
  return EXIT.ok;
}

/** Writes to stderr: logs never mix with a --json result on stdout. */
export function logToStderr(line: string): void {
  process.stderr.write(`${line}\n`);
}
