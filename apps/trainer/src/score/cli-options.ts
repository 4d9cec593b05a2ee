import type { EngineChoice } from '@tandem/runtime';
import { artifactsRoot, parseCommandLine } from '../cli/args.ts';
import { ScoreError } from './errors.ts';
import { parseFormat } from './format.ts';
import { parseModelRef } from './model-ref.ts';
import type { ScoreFileOptions } from './score-file.ts';

export const SCORE_USAGE = `Usage: npm run score -- --model <name>[@<version>|@<label>] --input <file> --output <file> [options]

Scores a CSV or NDJSON file with a stored model, streaming, and writes the input columns plus
the prediction columns (classifiers: label, probability_<class> per class; regressors: value).

Options:
  --model <ref>            name, name@<version> or name@<label> (default version: production, else highest)
  --input <file>           .csv, or .ndjson / .jsonl (else --format)
  --output <file>          written atomically; format from its extension, else the input's
  --artifacts <dir>        artifacts folder (default: $TANDEM_ARTIFACTS, else ./artifacts)
  --format <csv|ndjson>    input format, overriding the extension
  --output-format <csv|ndjson>
  --rejects <file>         rows that cannot be scored: line, reason, original row
                           (without it they stay in the output with an "error" column)
  --strict                 stop at the first bad row, naming its line; no output file
  --batch-size <n>         rows per prediction batch (default 4096)
  --engine <auto|tfjs|dense>
                           how the model computes (default: as the server, auto / $TANDEM_ENGINE);
                           tfjs is faster on large files, within ~1e-6 of the server's numbers
  --json                   print the summary as JSON on stdout
  --quiet                  no progress output
  --help                   this text

Exit status: 0 done (even with rejected rows), 1 failed, 2 bad usage, 130/143 interrupted.`;

export interface ScoreCommand {
  help: boolean;
  json: boolean;
  quiet: boolean;
  options: ScoreFileOptions;
}

/** Parses the score command line into scoreFile options; usage mistakes are TANDEM_USAGE. */
export function parseScoreArgs(argv: readonly string[]): ScoreCommand {
  const { values } = parseCommandLine(argv, OPTIONS);
  if (values.help === true)
    return { help: true, json: false, quiet: false, options: { input: '', output: '' } };
  const required = (name: 'model' | 'input' | 'output'): string => {
    const value = values[name];
    if (typeof value !== 'string' || value.length === 0) {
      throw new ScoreError('TANDEM_USAGE', `--${name} is required (see --help)`);
    }
    return value;
  };
  const options: ScoreFileOptions = {
    model: parseModelRef(required('model')),
    input: required('input'),
    output: required('output'),
    strict: values.strict === true,
  };
  // --artifacts, else TANDEM_ARTIFACTS, else ./artifacts: the trainer CLIs' rule.
  options.artifacts = artifactsRoot(values.artifacts);
  if (values.format !== undefined) options.format = parseFormat(values.format, '--format');
  if (values['output-format'] !== undefined) {
    options.outputFormat = parseFormat(values['output-format'], '--output-format');
  }
  if (values.rejects !== undefined) options.rejects = values.rejects;
  if (values.engine !== undefined) options.engine = parseEngine(values.engine);
  if (values['batch-size'] !== undefined) {
    const size = Number(values['batch-size']);
    if (!Number.isInteger(size) || size < 1 || size > 1_000_000) {
      throw new ScoreError(
        'TANDEM_USAGE',
        `--batch-size must be an integer from 1 to 1000000, got "${values['batch-size']}"`,
      );
    }
    options.batchSize = size;
  }
  return { help: false, json: values.json === true, quiet: values.quiet === true, options };
}

const ENGINES: readonly EngineChoice[] = ['auto', 'tfjs', 'dense'];

function parseEngine(value: string): EngineChoice {
  if (!(ENGINES as readonly string[]).includes(value)) {
    throw new ScoreError('TANDEM_USAGE', `--engine must be auto, tfjs or dense, got "${value}"`);
  }
  return value as EngineChoice;
}

const OPTIONS = {
  model: { type: 'string' },
  input: { type: 'string' },
  output: { type: 'string' },
  artifacts: { type: 'string', short: 'a' },
  format: { type: 'string' },
  'output-format': { type: 'string' },
  rejects: { type: 'string' },
  strict: { type: 'boolean' },
  'batch-size': { type: 'string' },
  engine: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;
