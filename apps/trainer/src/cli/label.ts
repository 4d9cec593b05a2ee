import {
  artifactsRoot,
  EXIT,
  integerOption,
  parseCommandLine,
  runCli,
  UsageError,
} from '@tandem/cli';
import { FileModelStore } from '@tandem/model-store';

const HELP = `Usage: npm run label -- <model> <label> <version> [--artifacts <dir>]
       npm run label -- <model> <label> --remove [--artifacts <dir>]
       npm run label -- <model> [--artifacts <dir>]

Points a label (e.g. production, staging) at a version of a model, moves it, or removes it.
labels.json is replaced atomically: a server never reads a half-written file. With only a
model name, prints its versions and labels.

Options:
  -a, --artifacts <dir>   model store root (default: $TANDEM_ARTIFACTS, else ./artifacts)
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
  const store = new FileModelStore(artifactsRoot(values.artifacts));
  const [model, label, versionText, ...extra] = positionals;
  if (model === undefined || extra.length > 0) {
    throw new UsageError('expected <model> <label> <version> (see --help)');
  }
  if (label === undefined) {
    const versions = await store.listVersions(model);
    const labels = await store.readLabels(model);
    process.stdout.write(`${model}: versions ${versions.join(', ') || '(none)'}\n`);
    for (const [name, version] of Object.entries(labels))
      process.stdout.write(`  ${name} → ${version}\n`);
    return EXIT.ok;
  }
  if (values.remove) {
    if (versionText !== undefined) {
      throw new UsageError('--remove takes <model> <label> only (see --help)');
    }
    await store.removeLabel(model, label);
    process.stdout.write(`${model}: removed label ${label}\n`);
    return EXIT.ok;
  }
  const version = integerOption(versionText, '<version>');
  if (version === undefined) throw new UsageError('missing <version> (see --help)');
  await store.setLabel(model, label, version);
  process.stdout.write(`${model}: ${label} → version ${version}\n`);
  return EXIT.ok;
}

await runCli('label', () => main(process.argv.slice(2)));
