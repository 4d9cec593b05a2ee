import {
  artifactsRoot,
  displayPath,
  EXIT,
  integerOption,
  logToStderr,
  parseCommandLine,
  runCli,
  UsageError,
} from '@tandem/cli';
import { TASK_METRICS } from '../report/table.ts';

const HELP = `Usage: npm run train -- --config <file> [options]
       tandem-train --config <file> [options]

Trains a model from a JSON config, evaluates it on the test split and writes a new version
to <artifacts>/<name>/<version>/.

Options:
  -c, --config <file>     the training config (JSON); its relative paths start at its folder
  -a, --artifacts <dir>   model store root (default: $TANDEM_ARTIFACTS, else ./artifacts)
      --seed <N>          seed of the split and of training (overrides the config)
      --json              print one JSON object on stdout: name, version, path, backend,
                          trainSeconds, metrics, baseline (logs stay on stderr)
      --no-progress       no per-epoch progress
  -h, --help              show this help

Environment:
  TANDEM_ARTIFACTS        default model store root
  TANDEM_BACKEND          tfjs backend to try first: tensorflow, wasm or cpu

Exit status: 0 on success, 1 when training fails, 2 for bad usage.`;

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandLine(argv, {
    config: { type: 'string', short: 'c' },
    artifacts: { type: 'string', short: 'a' },
    seed: { type: 'string' },
    json: { type: 'boolean', default: false },
    'no-progress': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (values.config === undefined || values.config === '') {
    throw new UsageError('missing --config <file> (see --help)');
  }
  const seed = integerOption(values.seed, '--seed');
  // Loaded after the arguments are checked: --help and usage errors need no tfjs.
  const { train } = await import('../train/run.ts');
  const result = await train({
    config: values.config,
    artifacts: artifactsRoot(values.artifacts),
    ...(seed === undefined ? {} : { seed }),
    log: logToStderr,
    progress: !values['no-progress'],
  });
  result.predictor.dispose();
  if (values.json) {
    const summary = {
      name: result.name,
      version: result.version,
      path: result.path,
      backend: result.backend,
      trainSeconds: result.trainSeconds,
      metrics: result.metrics,
      baseline: result.baseline,
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    // A metric can be undefined on the test rows (AUC when they hold one class): show others.
    const headline = TASK_METRICS[result.task]
      .filter((key) => typeof result.metrics[key] === 'number')
      .slice(0, 2)
      .map((key) => `${key} ${Number(result.metrics[key]).toFixed(4)}`)
      .join(', ');
    // Trees train without tfjs: their backend is 'none', which says nothing worth printing.
    const where = result.backend === 'none' ? '' : ` on ${result.backend}`;
    process.stdout.write(
      `${result.name} version ${result.version} → ${displayPath(result.path)} (${headline}; trained in ${result.trainSeconds.toFixed(1)}s${where})\n`,
    );
  }
  return EXIT.ok;
}

await runCli('train', () => main(process.argv.slice(2)));
