import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitPipeline, inferSchema, LabelEncoder, type PipelineSpec } from '@tandem/features';
import { readCsv } from '@tandem/fixtures';
import { FileModelStore } from '@tandem/model-store';
import { encodeFeaturesFile, initBackend, serializeModel, tf } from '@tandem/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExport } from '../src/index.ts';

// Versions with a part one graph cannot express: the export refuses them, naming the part, and
// writes nothing.

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tandem-export-refused-'));
  await initBackend({ log: () => undefined });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes a credit version with the given pipeline spec change and hidden layer. */
async function writeVersion(
  name: string,
  change: (spec: PipelineSpec) => PipelineSpec,
  hidden: () => tf.layers.Layer,
): Promise<void> {
  const rows = readCsv('credit.csv', 300);
  const { spec } = inferSchema(rows, { exclude: ['Status'] });
  const pipeline = fitPipeline(change(spec), rows);
  const labels = LabelEncoder.fit(rows.map((r) => r.Status));
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [pipeline.width], units: 4, activation: 'relu' }),
      hidden(),
      tf.layers.dense({ units: labels.classes.length, activation: 'softmax' }),
    ],
  });
  const files = {
    ...(await serializeModel(model)),
    'features.json': encodeFeaturesFile({ pipeline, labels }),
  };
  model.dispose();
  await new FileModelStore(root).writeVersion(name, files, () => ({
    createdAt: new Date().toISOString(),
    task: 'binary',
    target: 'Status',
    inputs: [...pipeline.inputSchema],
    outputs: { classes: [...labels.classes] },
    metrics: { test: {}, baseline: {} },
    config: {},
    data: {
      path: 'data/credit.csv',
      sha256: '',
      rows: rows.length,
      rowsWithoutTarget: 0,
      profile: null,
    },
    split: { train: rows.length, validation: 0, test: 0, seed: 1 },
    runtime: { tfjs: tf.version.tfjs, backend: tf.getBackend() },
    sample: Object.fromEntries(Object.entries(rows[0]!).filter(([k]) => k !== 'Status')),
  }));
}

async function refusal(name: string): Promise<unknown> {
  const output = join(root, `${name}.onnx`);
  const error = await runExport({ model: { name }, format: 'onnx', output, artifacts: root }).then(
    () => undefined,
    (e: unknown) => e,
  );
  await expect(stat(output)).rejects.toMatchObject({ code: 'ENOENT' });
  return error;
}

describe('refused versions', () => {
  it('one-hot unknown "reject" and a declared range: both named', async () => {
    await writeVersion(
      'strict',
      (spec) => ({
        ...spec,
        columns: spec.columns.map((c) =>
          c.name === 'Home'
            ? { ...c, transform: { kind: 'onehot', unknown: 'reject' } }
            : c.name === 'Age'
              ? { ...c, range: { min: 18, max: 120 } }
              : c,
        ),
      }),
      () => tf.layers.dropout({ rate: 0.1 }),
    );
    expect(await refusal('strict')).toMatchObject({
      code: 'TANDEM_EXPORT_UNSUPPORTED',
      message:
        'model strict/1 cannot be exported to ONNX: column "Home": unknown "reject" (an unseen level is an input error in Tandem); column "Age": declared range (a value outside it is an input error in Tandem)',
    });
  });

  it('a layer the dense engine cannot run, with the engine reason', async () => {
    await writeVersion(
      'normalized',
      (spec) => spec,
      () => tf.layers.batchNormalization(),
    );
    const error = (await refusal('normalized')) as { code: string; message: string };
    expect(error.code).toBe('TANDEM_EXPORT_UNSUPPORTED');
    expect(error.message).toMatch(
      /^model normalized\/1 cannot be exported to ONNX: its model is not a dense stack \(.*BatchNormalization.*\)$/,
    );
  });
});
