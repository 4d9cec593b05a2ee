/**
 * `npm run gate`: the quality gate between training and promotion. Exit 0 when the candidate
 * passes, 1 when it is worse than the baseline by more than the tolerance (or cannot be checked),
 * 2 on bad usage.
 */
import {
  artifactsRoot,
  EXIT,
  integerOption,
  parseCommandLine,
  runCli,
  UsageError,
} from '@tandem/cli';
import type { LogWindow } from '../gate/log-rows.ts';
import { DEFAULT_BASELINE, DEFAULT_TOLERANCE, runGate } from '../gate/run-gate.ts';

const DEFAULT_LOG_WINDOW = '7d';

const HELP = `Usage: npm run gate -- --model <name> --candidate <version> [options]

Evaluates the candidate version and the baseline version on the candidate's test split (rebuilt
from its manifest), or with --on-log on the prediction log's recent labelled rows, and fails when the candidate is worse by more than the tolerance. Passes when
the baseline label points at no version yet.

Options:
      --model <name>         model name
      --candidate <version>  the new version
      --baseline <label|v>   label or version to compare with (default: ${DEFAULT_BASELINE})
      --tolerance <x>        largest acceptable shortfall, in the metric's units (default: ${DEFAULT_TOLERANCE})
      --metric <name>        accuracy (classifiers, default), auc, macroF1, f1, logLoss,
                             rmse (regressors, default), mae, r2
      --on-log <folder>      compare on the prediction log's labelled rows of the model instead
                             of the test split: both versions scored on exactly those rows
      --since <window>       with --on-log: "7d", "12h", "30m", "2w" or an ISO time (default 7d)
      --until <time>         with --on-log: ISO end of the window (default now)
  -a, --artifacts <dir>      model store root (default: $TANDEM_ARTIFACTS, else ./artifacts)
      --json                 print the result as JSON on stdout
  -h, --help                 show this help

Exit status: 0 passed, 1 failed (or could not be checked), 2 bad usage.`;

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandLine(argv, {
    model: { type: 'string' },
    candidate: { type: 'string' },
    baseline: { type: 'string' },
    tolerance: { type: 'string' },
    metric: { type: 'string' },
    'on-log': { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    artifacts: { type: 'string', short: 'a' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (values.model === undefined) throw new UsageError('--model is required (see --help)');
  const candidate = integerOption(values.candidate, '--candidate');
  if (candidate === undefined) throw new UsageError('--candidate is required (see --help)');
  const onLog = logWindow(values['on-log'], values.since, values.until);
  const result = await runGate({
    artifacts: artifactsRoot(values.artifacts),
    model: values.model,
    candidate,
    ...(values.baseline !== undefined ? { baseline: values.baseline } : {}),
    ...(values.tolerance !== undefined ? { tolerance: toleranceOption(values.tolerance) } : {}),
    ...(values.metric !== undefined ? { metric: values.metric } : {}),
    ...(onLog !== undefined ? { onLog } : {}),
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (!result.passed) process.stderr.write(`${result.message}\n`);
  } else {
    (result.passed ? process.stdout : process.stderr).write(`${result.message}\n`);
  }
  return result.passed ? EXIT.ok : EXIT.failed;
}

function logWindow(
  folder: string | undefined,
  since: string | undefined,
  until: string | undefined,
): LogWindow | undefined {
  if (folder === undefined) {
    if (since !== undefined || until !== undefined) {
      throw new UsageError('--since and --until go with --on-log <folder>');
    }
    return undefined;
  }
  const window = since ?? DEFAULT_LOG_WINDOW;
  if (!/^\d+[mhdw]$/.test(window) && Number.isNaN(Date.parse(window))) {
    throw new UsageError(
      `--since expects "7d", "12h", "30m", "2w" or an ISO time, got ${JSON.stringify(window)}`,
    );
  }
  if (until !== undefined && Number.isNaN(Date.parse(until))) {
    throw new UsageError(`--until expects an ISO time, got ${JSON.stringify(until)}`);
  }
  return { folder, since: window, ...(until !== undefined ? { until } : {}) };
}

function toleranceOption(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`--tolerance expects a number ≥ 0, got ${JSON.stringify(text)}`);
  }
  return value;
}

await runCli('gate', () => main(process.argv.slice(2)));
