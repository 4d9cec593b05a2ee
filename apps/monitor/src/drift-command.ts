/**
 * `npm run drift`: a data file against a version's training profile, as the server's live
 * monitor computes it. See --help.
 */
import {
  artifactsRoot,
  EXIT,
  integerOption,
  parseCommandLine,
  parseModelRef,
  printHelp,
  requiredOption,
  UsageError,
} from '@tandem/cli';
import { formatFromExtension } from '@tandem/tabular';
import { driftOfFile } from './drift-file.ts';
import { driftTable } from './drift-table.ts';

const HELP = `Usage: npm run drift -- --model <name>[@<version>|@<label>] --input <file> [options]

Compares the rows of a CSV or NDJSON file (and the model's answers for them) with the training
profile of a stored version: PSI, Jensen-Shannon distance, Wasserstein distance over the training
standard deviation, missing-rate change, out-of-range and unseen rates, per column and output.

Options:
      --model <ref>          name, name@<version> or name@<label> (default: production, else highest)
      --input <file>         .csv, or .ndjson / .jsonl (else --format)
      --format <csv|ndjson>  input format, overriding the extension
  -a, --artifacts <dir>      model store root (default: $TANDEM_ARTIFACTS, else ./artifacts)
      --min-rows <n>         fewer rows give no verdict (default 500)
      --json                 print the report as JSON on stdout
  -h, --help                 show this help

Exit status: 0 no drift, 3 drift (a column or an output), 4 too few rows for a verdict,
1 failed, 2 bad usage.`;

const OPTIONS = {
  model: { type: 'string' },
  input: { type: 'string' },
  format: { type: 'string' },
  artifacts: { type: 'string', short: 'a' },
  'min-rows': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Exit statuses a CI job gates on, after the shared ones (0, 1, 2). */
export const DRIFT_EXIT = { drift: 3, insufficientRows: 4 } as const;

export async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandLine(argv, OPTIONS);
  if (values.help) return printHelp(HELP);
  const model = requiredOption(values.model, '--model');
  const input = requiredOption(values.input, '--input');
  const format = values.format ?? formatFromExtension(input);
  if (format !== 'csv' && format !== 'ndjson') {
    throw new UsageError(`cannot tell the format of ${input}: use --format csv or --format ndjson`);
  }
  const minRows = integerOption(values['min-rows'], '--min-rows');
  const result = await driftOfFile({
    artifacts: artifactsRoot(values.artifacts),
    model: parseModelRef(model),
    input,
    format,
    ...(minRows === undefined ? {} : { settings: { minRows: Math.max(minRows, 1) } }),
  });
  process.stdout.write(
    values.json ? `${JSON.stringify(result, null, 2)}\n` : `${driftTable(result)}\n`,
  );
  const { verdict } = result.report;
  return verdict === 'drift'
    ? DRIFT_EXIT.drift
    : verdict === 'insufficient_rows'
      ? DRIFT_EXIT.insufficientRows
      : EXIT.ok;
}
