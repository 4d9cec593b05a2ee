/** `npm run alerts`: a Prometheus rules file for one model. See --help. */

import {
  artifactsRoot,
  EXIT,
  parseCommandLine,
  parseModelRef,
  printHelp,
  requiredOption,
  UsageError,
} from '@tandem/cli';
import { FileModelStore, writeFileAtomic } from '@tandem/model-store';
import { alertRules } from '@tandem/monitoring';

const HELP = `Usage: npm run alerts -- --model <name>[@<version>|@<label>] [options]

Writes Prometheus alerting rules for a served model: feature drift, dataset drift, output drift,
accuracy drop (classifiers) or RMSE rise (regressors) against the version's test figures, the
prediction log dropping events, and no traffic. Check the file with \`promtool check rules\`.

Options:
      --model <ref>          the model; its version (default: production, else highest) gives
                             the task and the test figures the live ones are held against
  -o, --output <file>        where to write (default: <name>.rules.yml), atomically
  -a, --artifacts <dir>      model store root (default: $TANDEM_ARTIFACTS, else ./artifacts)
      --accuracy-drop <x>    allowed fall below test accuracy (default 0.05)
      --window <duration>    performance window (default 1h)
  -h, --help                 show this help

Exit status: 0 written, 1 failed, 2 bad usage.`;

const OPTIONS = {
  model: { type: 'string' },
  output: { type: 'string', short: 'o' },
  artifacts: { type: 'string', short: 'a' },
  'accuracy-drop': { type: 'string' },
  window: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandLine(argv, OPTIONS);
  if (values.help) return printHelp(HELP);
  const ref = parseModelRef(requiredOption(values.model, '--model'));
  const drop = values['accuracy-drop'] === undefined ? undefined : Number(values['accuracy-drop']);
  if (drop !== undefined && !(drop >= 0 && drop < 1)) {
    throw new UsageError(
      `--accuracy-drop must be a number from 0 to 1, got ${values['accuracy-drop']}`,
    );
  }
  if (values.window !== undefined && !/^\d+(ms|s|m|h|d|w|y)$/.test(values.window)) {
    throw new UsageError(`--window must be a Prometheus duration such as 1h, got ${values.window}`);
  }
  const store = new FileModelStore(artifactsRoot(values.artifacts));
  const selector =
    ref.version !== undefined
      ? { version: ref.version }
      : ref.label !== undefined
        ? { label: ref.label }
        : {};
  const version = await store.resolve(ref.name, selector);
  const { manifest } = await store.readVersion(ref.name, version);
  const text = alertRules({
    model: ref.name,
    task: manifest.task,
    test: { accuracy: manifest.metrics.test.accuracy, rmse: manifest.metrics.test.rmse },
    ...(drop === undefined ? {} : { accuracyDrop: drop }),
    ...(values.window === undefined ? {} : { window: values.window }),
  });
  const output = values.output ?? `${ref.name}.rules.yml`;
  await writeFileAtomic(output, new TextEncoder().encode(text));
  process.stderr.write(
    `wrote ${output} (rules for ${ref.name}, thresholds from version ${version})\n`,
  );
  return EXIT.ok;
}
