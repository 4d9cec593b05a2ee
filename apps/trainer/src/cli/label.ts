import {
  artifactsRoot,
  EXIT,
  integerOption,
  parseCommandLine,
  runCli,
  UsageError,
} from '@tandem/cli';
import { type LabelAction, openModelStore, runLabelAction } from '@tandem/model-store';

const HELP = `Usage: npm run label -- <model> <label> <version> [--artifacts <dir>]
       npm run label -- <model> <label> --remove [--artifacts <dir>]
       npm run label -- <model> [--artifacts <dir>]

Points a label (e.g. production, staging) at a version of a model, moves it, or removes it.
labels.json is replaced atomically: a server never reads a half-written file. With only a
model name, prints its versions and labels.

Options:
  -a, --artifacts <dir>   model store: a folder or s3://bucket/prefix
                          (default: $TANDEM_ARTIFACTS, else ./artifacts)
      --remove            remove the label instead of setting it
  -h, --help              show this help`;

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      artifacts: { type: 'string', short: 'a' },
      remove: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    true,
  );
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const [model, label, versionText, ...extra] = positionals;
  if (model === undefined || extra.length > 0) {
    throw new UsageError('expected <model> <label> <version> (see --help)');
  }
  let action: LabelAction;
  if (label === undefined) {
    action = { kind: 'show', model };
  } else if (values.remove) {
    if (versionText !== undefined) {
      throw new UsageError('--remove takes <model> <label> only (see --help)');
    }
    action = { kind: 'remove', model, label };
  } else {
    const version = integerOption(versionText, '<version>');
    if (version === undefined) throw new UsageError('missing <version> (see --help)');
    action = { kind: 'set', model, label, version };
  }
  const store = openModelStore(artifactsRoot(values.artifacts));
  for (const line of await runLabelAction(store, action)) process.stdout.write(`${line}\n`);
  return EXIT.ok;
}

await runCli('label', () => main(process.argv.slice(2)));
