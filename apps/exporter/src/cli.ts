/**
 * `npm run export`: one stored model version as an ONNX graph, or as a Triton model repository
 * entry. See --help and docs/onnx.md.
 */
import {
  artifactsRoot,
  EXIT,
  parseCommandLine,
  parseModelRef,
  printHelp,
  runCli,
  UsageError,
} from '@tandem/cli';
import { IR_VERSION, OPSETS } from '@tandem/onnx';
import { EXPORT_FORMATS, type ExportFormat, runExport } from './run-export.ts';

const HELP = `Usage: npm run export -- --model <name>[@<version>|@<label>] --format <onnx|triton> --output <path> [options]

Exports a stored version (the fitted feature pipeline and the model) to one ONNX graph, from one
input per raw column to Tandem's outputs (label + probabilities, or value). ONNX opset
${OPSETS['ai.onnx']}, ai.onnx.ml ${OPSETS['ai.onnx.ml']}, IR version ${IR_VERSION}. Parts a graph cannot express exactly
are refused, naming them (docs/onnx.md).

Options:
      --model <ref>          name, name@<version> or name@<label> (default version: production,
                             else highest)
      --format <onnx|triton> onnx: one .onnx file; triton: a model repository entry
                             <output>/<name>/<version>/model.onnx + <output>/<name>/config.pbtxt
      --output <path>        the .onnx file, or the model repository folder
  -a, --artifacts <dir>      model store root (default: $TANDEM_ARTIFACTS, else ./artifacts)
      --json                 print the summary as JSON on stdout
  -h, --help                 show this help

Exit status: 0 exported, 1 failed (nothing written), 2 bad usage.`;

const OPTIONS = {
  model: { type: 'string' },
  format: { type: 'string' },
  output: { type: 'string' },
  artifacts: { type: 'string', short: 'a' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandLine(argv, OPTIONS);
  if (values.help) return printHelp(HELP);
  const required = (name: 'model' | 'format' | 'output'): string => {
    const value = values[name];
    if (value === undefined || value === '')
      throw new UsageError(`--${name} is required (see --help)`);
    return value;
  };
  const model = parseModelRef(required('model'));
  const format = required('format');
  if (!EXPORT_FORMATS.includes(format as ExportFormat)) {
    throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, got "${format}"`);
  }
  const summary = await runExport({
    model,
    format: format as ExportFormat,
    output: required('output'),
    artifacts: artifactsRoot(values.artifacts),
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    const outputs = summary.outputs.map((o) => o.name).join(' + ');
    process.stdout.write(
      `exported ${summary.name}/${summary.version}: ${summary.inputs.length} inputs → ${outputs}\n${summary.files.map((f) => `  ${f}`).join('\n')}\n`,
    );
  }
  return EXIT.ok;
}

await runCli('export', () => main(process.argv.slice(2)));
