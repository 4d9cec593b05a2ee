import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runExport } from '@tandem/exporter';
import type { RawRow } from '@tandem/features';
import { writeEnsembleFixtureVersion } from '@tandem/fixtures';
import { FileModelStore } from '@tandem/model-store';
import { rowTensors } from '@tandem/onnx';
import { type Predictor, predictorFromStoredVersion } from '@tandem/runtime';
import { type TrainResult, train } from '@tandem/trainer';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA, listening, tempDir } from './support.ts';

/**
 * End to end: the real trainer trains every shipped config (gradient-boosted trees), and each
 * again as an MLP and as a linear model (few epochs or iterations: the numbers, not the accuracy,
 * are under test), the exporter writes each version as ONNX and as a Triton model
 * repository entry, and ONNX Runtime (WebAssembly) runs the graph on the test rows, on the same
 * rows with values missing, out of the training range and categories never seen. Every output
 * must be within 1e-5 of the trainer's Predictor; labels must be the Predictor's. Each dataset's
 * three versions are also blended into an ensemble version, exported the same way.
 */

ort.env.wasm.numThreads = 1;

const SHIPPED = ['credit', 'titanic', 'penguins', 'cars'];
/** Each shipped config as it is, and again with an MLP and with a linear model. */
const VARIANTS: Record<string, Record<string, unknown> | null> = {
  '': null,
  '-mlp': { type: 'mlp', hidden: [64, 32], activation: 'relu', dropout: 0, l2: 0.001 },
  '-linear': { type: 'linear', l2: 0.001 },
};
const MODELS = SHIPPED.flatMap((name) => Object.keys(VARIANTS).map((suffix) => `${name}${suffix}`));
const TOLERANCE = 1e-5;

let store: { dir: string; remove: () => Promise<void> };
const trained = new Map<string, TrainResult>();

async function trainSmall(name: string): Promise<TrainResult> {
  const [config = name, suffix = ''] = name.split(/(?=-)/);
  const configPath = path.join(DATA, 'models', `${config}.json`);
  const raw = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
  const split = raw.split as Record<string, unknown>;
  const here = path.dirname(configPath);
  const model = VARIANTS[suffix] ?? (raw.model as Record<string, unknown>);
  return train({
    config: {
      ...raw,
      name,
      // Few epochs or iterations: the numbers, not the accuracy, are under test.
      model: model.type === 'gbdt' ? { ...model, maxIter: 30 } : model,
      data: path.resolve(here, String(raw.data)),
      split: { ...split, file: path.resolve(here, String(split.file)) },
      training: { ...(raw.training as Record<string, unknown>), epochs: 5 },
    } as never,
    artifacts: store.dir,
  });
}

/** Test rows, then the same rows with a value missing, out of range, and unseen categories. */
function probeRows(result: TrainResult): RawRow[] {
  const test = result.testRows.map((row) => {
    const { [result.target]: _target, ...inputs } = row;
    return inputs;
  });
  const schema = result.predictor.inputSchema;
  // A bool tensor has no missing value: booleans keep theirs.
  const missable = schema.filter((c) => c.type !== 'boolean').map((c) => c.name);
  const missing = test.map((row, i) => ({ ...row, [missable[i % missable.length]!]: '' }));
  const outOfRange = test.map((row, i) => {
    const out: Record<string, unknown> = { ...row };
    for (const column of schema) {
      if (column.type === 'numeric' && column.max !== undefined && column.min !== undefined) {
        out[column.name] = i % 2 ? column.max * 3 + 7 : column.min - 2 * (column.max - column.min);
      }
      if (column.type === 'datetime')
        out[column.name] = i % 2 ? '2091-06-30T18:00:00Z' : '1901-02-03';
    }
    return out;
  });
  const unseen = test.map((row) => {
    const out: Record<string, unknown> = { ...row };
    for (const column of schema) if (column.type === 'categorical') out[column.name] = 'never seen';
    return out;
  });
  return [...test, ...missing, ...outOfRange, ...unseen];
}

beforeAll(async () => {
  store = await tempDir('onnx');
  for (const name of MODELS) trained.set(name, await trainSmall(name));
}, 900_000);

afterAll(async () => {
  await store.remove();
});

/**
 * Exports version `version` of `name`, runs it on `rows` and checks every output against
 * `predictor`'s; returns the largest |ONNX − Predictor|.
 */
async function parity(
  name: string,
  version: number,
  predictor: Predictor,
  rows: RawRow[],
): Promise<number> {
  const file = path.join(store.dir, `${name}.onnx`);
  const summary = await runExport({
    model: { name, version },
    format: 'onnx',
    output: file,
    artifacts: store.dir,
  });
  const expected = predictor.predictBatch(rows);
  const session = await ort.InferenceSession.create(await readFile(file));
  const feeds: Record<string, ort.Tensor> = {};
  for (const [input, t] of Object.entries(rowTensors(summary.inputs, rows))) {
    feeds[input] = new ort.Tensor(t.type, t.data, t.dims);
  }
  const out = await session.run(feeds);
  await session.release();
  const values = (out.probabilities ?? out.value)!.data as Float32Array;
  expect(values.length).toBe(expected.outputs.length);
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    worst = Math.max(worst, Math.abs((values[i] as number) - (expected.outputs[i] as number)));
  }
  // The figure docs/onnx.md reports.
  console.log(
    `onnx parity ${name} (${predictor.engine}): ${rows.length} rows, max |delta| ${worst.toExponential(2)}`,
  );
  expect(worst).toBeLessThanOrEqual(TOLERANCE);
  if (out.label) {
    const classes = predictor.classes!;
    const k = classes.length;
    for (let r = 0; r < rows.length; r++) {
      const p = Array.from(expected.outputs.subarray(r * k, (r + 1) * k));
      const sorted = [...p].sort((a, b) => b - a);
      // A near tie may fall either way within float32 rounding; every other label must match.
      if (sorted[0]! - sorted[1]! > 2 * TOLERANCE) {
        expect(out.label.data[r], `row ${r}`).toBe(classes[p.indexOf(sorted[0]!)]);
      }
    }
  }
  return worst;
}

describe('exported ONNX graphs agree with the Predictor', () => {
  for (const name of MODELS) {
    it(`${name}: every test row, missing, out of range and unseen`, async () => {
      const result = trained.get(name)!;
      // The variants are neural; the shipped configs train trees (or whatever they name).
      const neural = name.endsWith('-mlp') || name.endsWith('-linear');
      if (neural) expect(result.predictor.engine).toBe('dense');
      await parity(name, result.version, result.predictor, probeRows(result));
    }, 120_000);
  }

  // auto's ensembles blend these same families: each dataset's three trained versions as one
  // ensemble version (trees, network and linear model, each with its own pipeline).
  for (const name of SHIPPED) {
    it(`${name}-blend: an ensemble of its trees, MLP and linear versions`, async () => {
      const members = ['', '-mlp', '-linear'].map((suffix, i) => ({
        name: `${name}${suffix}`,
        version: result(`${name}${suffix}`).version,
        weight: [0.5, 0.3, 0.2][i]!,
      }));
      const version = await writeEnsembleFixtureVersion(store.dir, `${name}-blend`, members);
      const stored = await new FileModelStore(store.dir).readVersion(`${name}-blend`, version);
      const predictor = await predictorFromStoredVersion(stored, { log: () => undefined });
      try {
        expect(predictor.engine).toBe('ensemble');
        await parity(`${name}-blend`, version, predictor, probeRows(result(name)));
      } finally {
        predictor.dispose();
      }
    }, 120_000);
  }
});

describe('Triton model repository', () => {
  it("config.pbtxt names inputs and outputs with the server's V2 metadata datatypes", async () => {
    const repo = path.join(store.dir, 'triton');
    const { app, url } = await listening(store.dir);
    try {
      for (const name of MODELS) {
        const { version } = trained.get(name)!;
        const summary = await runExport({
          model: { name, version },
          format: 'triton',
          output: repo,
          artifacts: store.dir,
        });
        expect(summary.files).toEqual([
          path.join(repo, name, String(version), 'model.onnx'),
          path.join(repo, name, 'config.pbtxt'),
        ]);
        const config = await readFile(path.join(repo, name, 'config.pbtxt'), 'utf8');
        const declared = tensorsOf(config);
        const metadata = (await (await fetch(`${url}/v2/models/${name}`)).json()) as {
          inputs: { name: string; datatype: string; shape: number[] }[];
          outputs: { name: string; datatype: string; shape: number[] }[];
        };
        const types = new Map(result(name).predictor.inputSchema.map((c) => [c.name, c.type]));
        const expectedInputs = metadata.inputs.map((i) => ({
          name: i.name,
          // Datetimes are epoch milliseconds (FP64): ONNX cannot parse ISO-8601 text.
          datatype: types.get(i.name) === 'datetime' ? 'FP64' : i.datatype,
          shape: i.shape,
        }));
        expect(declared.input).toEqual(expectedInputs);
        expect(declared.output).toEqual(metadata.outputs);
        expect(config).toContain('backend: "onnxruntime"');
        expect(config).toContain(`version_policy: { specific: { versions: [ ${version} ] } }`);
      }
    } finally {
      await app.close();
    }
  }, 300_000);
});

function result(name: string): TrainResult {
  return trained.get(name)!;
}

/** The input and output tensors of a config.pbtxt, datatypes as V2 names them. */
function tensorsOf(
  config: string,
): Record<'input' | 'output', { name: string; datatype: string; shape: number[] }[]> {
  const section = (key: string) => {
    const body = new RegExp(`^${key} \\[\\n([\\s\\S]*?)\\n\\]`, 'm').exec(config)?.[1] ?? '';
    return [
      ...body.matchAll(/name: "([^"]*)"\s+data_type: TYPE_(\w+)\s+dims: \[ ([^\]]*) \]/g),
    ].map((m) => ({
      name: m[1]!,
      datatype: m[2] === 'STRING' ? 'BYTES' : m[2]!,
      shape: m[3]!.split(', ').map(Number),
    }));
  };
  return { input: section('input'), output: section('output') };
}
