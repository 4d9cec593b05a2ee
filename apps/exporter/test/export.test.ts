import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CARS,
  CREDIT,
  readCsv,
  writeEnsembleFixtureVersion,
  writeFixtureVersion,
} from '@tandem/fixtures';
import { FileModelStore } from '@tandem/model-store';
import { decodeModel, rowTensors } from '@tandem/onnx';
import { predictorFromStoredVersion } from '@tandem/runtime';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExport } from '../src/index.ts';

ort.env.wasm.numThreads = 1;

const CLI = new URL('../src/cli.ts', import.meta.url).pathname;

let root: string;
let out: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tandem-export-'));
  out = join(root, 'out');
  await writeFixtureVersion(join(root, 'store'), { ...CREDIT, seed: 1 });
  await writeFixtureVersion(join(root, 'store'), { ...CREDIT, seed: 2 });
  await new FileModelStore(join(root, 'store')).setLabel('credit', 'production', 1);
  await writeFixtureVersion(join(root, 'store'), { ...CARS, seed: 3 });
  await writeEnsembleFixtureVersion(join(root, 'store'), 'credit-blend', [
    { name: 'credit', version: 1, weight: 0.3 },
    { name: 'credit', version: 2, weight: 0.7 },
  ]);
});

/** Runs ONNX bytes on raw rows in ONNX Runtime (WebAssembly). */
async function runOnnx(
  bytes: Uint8Array,
  inputs: Parameters<typeof rowTensors>[0],
  rows: Parameters<typeof rowTensors>[1],
): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(rowTensors(inputs, rows))) {
    feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
  }
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TANDEM_ARTIFACTS: join(root, 'store') },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('runExport', () => {
  it('exports the labelled version as one graph that gives the served predictions', async () => {
    const file = join(root, 'credit.onnx');
    const summary = await runExport({
      model: { name: 'credit', label: 'production' },
      format: 'onnx',
      output: file,
      artifacts: join(root, 'store'),
    });
    expect(summary).toMatchObject({ name: 'credit', version: 1, files: [file] });
    const bytes = await readFile(file);
    const model = decodeModel(bytes) as {
      opsetImport: { domain?: string; version: number }[];
      graph: { input: { name: string }[]; output: { name: string }[] };
    };
    expect(model.opsetImport).toEqual([{ version: 20 }, { domain: 'ai.onnx.ml', version: 3 }]);
    const store = new FileModelStore(join(root, 'store'));
    const stored = await store.readVersion('credit', 1);
    expect(model.graph.input.map((i) => i.name)).toEqual(stored.manifest.inputs.map((c) => c.name));
    expect(model.graph.output.map((o) => o.name)).toEqual(['label', 'probabilities']);

    const rows = readCsv('credit.csv', 200).map(({ Status: _status, ...row }) => row);
    const predictor = await predictorFromStoredVersion(stored, { log: () => undefined });
    const expected = predictor.predictBatch(rows).outputs;
    predictor.dispose();
    const result = await runOnnx(bytes, summary.inputs, rows);
    expect(Array.from(result.probabilities!.data as Float32Array)).toEqual(Array.from(expected));
  });

  it("exports an ensemble version as one graph: every member's pipeline and model, blended", async () => {
    const file = join(root, 'credit-blend.onnx');
    const summary = await runExport({
      model: { name: 'credit-blend' },
      format: 'onnx',
      output: file,
      artifacts: join(root, 'store'),
    });
    const bytes = await readFile(file);
    const model = decodeModel(bytes) as { metadataProps: { key: string; value: string }[] };
    const ensemble = model.metadataProps.find((p) => p.key === 'tandem.ensemble');
    expect(JSON.parse(ensemble!.value).map((m: { weight: number }) => m.weight)).toEqual([
      0.3, 0.7,
    ]);
    const stored = await new FileModelStore(join(root, 'store')).readVersion('credit-blend', 1);
    const rows = readCsv('credit.csv', 200).map(({ Status: _status, ...row }) => row);
    const predictor = await predictorFromStoredVersion(stored, { log: () => undefined });
    expect(predictor.engine).toBe('ensemble');
    const expected = predictor.predictBatch(rows).outputs;
    predictor.dispose();
    const result = await runOnnx(bytes, summary.inputs, rows);
    const got = result.probabilities!.data as Float32Array;
    expect(got).toHaveLength(expected.length);
    let delta = 0;
    for (let i = 0; i < got.length; i++) delta = Math.max(delta, Math.abs(got[i]! - expected[i]!));
    // The members' dense arithmetic is the engine's, bit for bit; the blend sums in float64.
    expect(delta).toBeLessThanOrEqual(1e-7);
  });

  it('writes a Triton model repository entry for a version', async () => {
    const summary = await runExport({
      model: { name: 'cars', version: 1 },
      format: 'triton',
      output: join(out, 'repo'),
      artifacts: join(root, 'store'),
    });
    const model = join(out, 'repo', 'cars', '1', 'model.onnx');
    const config = join(out, 'repo', 'cars', 'config.pbtxt');
    expect(summary.files).toEqual([model, config]);
    expect((await stat(model)).size).toBeGreaterThan(1000);
    const text = await readFile(config, 'utf8');
    expect(text).toContain('name: "cars"\nbackend: "onnxruntime"\nmax_batch_size: 0\n');
    expect(text).toContain('name: "Origin"\n    data_type: TYPE_STRING\n    dims: [ -1 ]');
    expect(text).toContain('name: "Horsepower"\n    data_type: TYPE_FP64\n    dims: [ -1 ]');
    expect(text).toContain('name: "value"\n    data_type: TYPE_FP32\n    dims: [ -1 ]');
  });
});

describe('npm run export (the command line)', () => {
  it('prints what it wrote', () => {
    const file = join(root, 'cli.onnx');
    const result = cli(['--model', 'credit@2', '--format', 'onnx', '--output', file]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`exported credit/2: 13 inputs → label + probabilities\n  ${file}\n`);
  });

  it.each([
    [
      ['--format', 'onnx', '--output', 'x.onnx'],
      2,
      'export: error: --model is required (see --help)',
    ],
    [
      ['--model', 'credit', '--format', 'zip', '--output', 'x'],
      2,
      'export: error: --format must be one of onnx, triton, got "zip"',
    ],
    [
      ['--model', 'nope', '--format', 'onnx', '--output', 'x.onnx'],
      1,
      'export: error: model nope not found',
    ],
    [['--model', 'credit@9', '--format', 'onnx', '--output', 'x.onnx'], 1, 'export: error: '],
    [
      ['--model', 'credit', '--format', 'onnx', '--output', '/no/such/dir/x.onnx'],
      1,
      'export: error: cannot write /no/such/dir/x.onnx: its folder does not exist',
    ],
  ])('%j exits %i with one line', (args, status, message) => {
    const result = cli(args);
    expect(result.status).toBe(status);
    expect(result.stderr.startsWith(message)).toBe(true);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  });
});
