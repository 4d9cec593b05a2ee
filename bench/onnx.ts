/**
 * The exported graph's speed next to Tandem's own: `npm run bench:onnx [-- --rounds 5]`.
 *
 * Writes a credit-shaped fixture version (MLP 28 → 8 → 2 on data/credit.csv's pipeline) into a
 * temporary store, exports it, then times in alternation, best of --rounds: the Predictor
 * (dense engine, raw rows → features → model) and ONNX Runtime Web (WebAssembly, one thread)
 * running the exported graph on the same rows (raw-row → tensor conversion included), in 1-row
 * and 1,000-row batches. Prints rows/s and the ratio graph / Predictor.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runExport } from '@tandem/exporter';
import { CREDIT, readCsv, writeFixtureVersion } from '@tandem/fixtures';
import { FileModelStore } from '@tandem/model-store';
import { rowTensors } from '@tandem/onnx';
import { predictorFromStoredVersion } from '@tandem/runtime';
import * as ort from 'onnxruntime-web';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Number(values.rounds);
ort.env.wasm.numThreads = 1;

const dir = await mkdtemp(join(tmpdir(), 'tandem-bench-onnx-'));
try {
  await writeFixtureVersion(dir, { ...CREDIT, seed: 1 });
  const file = join(dir, 'credit.onnx');
  const summary = await runExport({
    model: { name: 'credit' },
    format: 'onnx',
    output: file,
    artifacts: dir,
  });
  const predictor = await predictorFromStoredVersion(
    await new FileModelStore(dir).readVersion('credit', 1),
    { engine: 'dense', log: () => undefined },
  );
  const session = await ort.InferenceSession.create(await readFile(file));
  const rows = readCsv('credit.csv', 1000).map(({ Status: _status, ...row }) => row);

  const runGraph = async (batch: typeof rows) => {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(rowTensors(summary.inputs, batch))) {
      feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
    }
    await session.run(feeds);
  };
  const cases = [
    { label: '1-row batches', batches: rows.slice(0, 200).map((row) => [row]) },
    { label: '1,000-row batches', batches: Array.from({ length: 5 }, () => rows) },
  ];
  console.log(`credit fixture (${summary.inputs.length} inputs), best of ${rounds} rounds`);
  console.log('| rows/s | Predictor (dense) | ONNX Runtime Web | graph / Predictor |');
  console.log('|---|---:|---:|---:|');
  for (const { label, batches } of cases) {
    const count = batches.reduce((n, b) => n + b.length, 0);
    let tandem = 0;
    let onnx = 0;
    for (let round = 0; round < rounds + 1; round++) {
      let start = performance.now();
      for (const batch of batches) predictor.predictBatch(batch);
      const tandemRate = count / ((performance.now() - start) / 1000);
      start = performance.now();
      for (const batch of batches) await runGraph(batch);
      const onnxRate = count / ((performance.now() - start) / 1000);
      // Round 0 warms both up.
      if (round > 0) {
        tandem = Math.max(tandem, tandemRate);
        onnx = Math.max(onnx, onnxRate);
      }
    }
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    console.log(
      `| ${label} | ${fmt(tandem)} | ${fmt(onnx)} | ${(onnx / tandem).toPrecision(2)}× |`,
    );
  }
  await session.release();
  predictor.dispose();
} finally {
  await rm(dir, { recursive: true, force: true });
}
