/**
 * `npm run score`: batch scoring of a CSV or NDJSON file. See --help, and docs/batch-scoring.md.
 */
import { parseScoreArgs, SCORE_USAGE } from '../score/cli-options.ts';
import { ProgressReporter, type ScoreSummary, scoreFile } from '../score/index.ts';
import { formatCount } from '../score/progress.ts';
import { EXIT, runCli } from './run.ts';

const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

async function main(argv: readonly string[]): Promise<number> {
  const command = parseScoreArgs(argv);
  if (command.help) {
    process.stdout.write(`${SCORE_USAGE}\n`);
    return EXIT.ok;
  }
  const controller = new AbortController();
  let stoppedBy: string | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    // A second signal does not wait for the current chunk: exit now (temp files are removed
    // on exit).
    if (stoppedBy !== undefined) process.exit(SIGNAL_EXIT[signal] ?? 1);
    stoppedBy = signal;
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const progress = command.quiet
    ? undefined
    : new ProgressReporter({
        write: (text) => process.stderr.write(text),
        tty: process.stderr.isTTY === true,
        columns: process.stderr.columns || 80,
      });
  try {
    const summary = await scoreFile({
      ...command.options,
      signal: controller.signal,
      ...(progress ? { onProgress: (p) => progress.update(p) } : {}),
    });
    progress?.finish();
    if (command.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else process.stdout.write(`${summaryLine(summary)}\n`);
    return EXIT.ok;
  } catch (error) {
    progress?.finish();
    if (stoppedBy !== undefined) {
      process.stderr.write(`score: interrupted by ${stoppedBy}; no output written\n`);
      return SIGNAL_EXIT[stoppedBy] ?? EXIT.failed;
    }
    throw error;
  }
}

function summaryLine(summary: ScoreSummary): string {
  const model = summary.model ? `${summary.model.name}@${summary.model.version}` : 'no model';
  const rejected =
    summary.rejected === 0
      ? 'no rejected rows'
      : `${formatCount(summary.rejected)} rejected ${summary.rejectsFile ? `(in ${summary.rejectsFile})` : '(see the error column)'}`;
  return (
    `scored ${formatCount(summary.rows)} rows with ${model}: ${rejected}, ` +
    `${formatCount(summary.warnings)} warnings, ${summary.seconds.toFixed(2)} s, ` +
    `${formatCount(Math.round(summary.rowsPerSecond))} rows/s -> ${summary.output}`
  );
}

await runCli('score', () => main(process.argv.slice(2)));
