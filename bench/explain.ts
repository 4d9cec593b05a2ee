/**
 * Explanations next to predictions: `npm run bench:explain [-- --rows 10000 --requests 2000]`.
 *
 * Trains into a temporary folder, with the real trainer, the models the goals name: credit as a
 * gradient-boosted ensemble of 100 trees of up to 31 leaves (learning rate 0.03, so that the best
 * validation iteration is the last), credit
 * as the shipped MLP (hidden [64, 32]; --epochs, default 10, since speed does not depend on
 * accuracy), penguins as a linear model, and the two credit models blended (0.6 trees, 0.4
 * network) as one ensemble version, as auto stores its blends. Then, in the same process, for
 * each model:
 *
 * 1. batch: rows/s of Predictor.predictBatch against Explainer.explainBatch over --rows test rows
 *    cycled (one thread, best of 3 passes), and rows per CPU-second; for the trees, also TreeSHAP
 *    alone (TreeShap.explainBlock on the encoded rows, 64 at a time, as the Explainer calls it),
 *    so that the share of the Explainer's own work (raw columns, objects) shows;
 *    for the blend, the CPU a row's joint explanation takes against its members' own
 *    explanations of the same row together (Σ of their CPU-seconds per row);
 * 2. through the server (the Fastify app on loopback, one sequential client): p50 / p99 of a
 *    1-row POST …/predict against a 1-row POST …/explain, --requests each, alternating.
 *
 * Prints one table; the ratios (explain / predict) are the figures to read on a shared machine.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { RawRow } from '@tandem/features';
import { writeEnsembleFixtureVersion } from '@tandem/fixtures';
import { FileModelStore } from '@tandem/model-store';
import { Explainer, type Predictor, predictorFromStoredVersion, TreeShap } from '@tandem/runtime';
import { loadConfig, startServer } from '@tandem/server';
import { type TrainConfig, train } from '@tandem/trainer';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000' },
    'mlp-rows': { type: 'string', default: '300' },
    requests: { type: 'string', default: '2000' },
    epochs: { type: 'string', default: '10' },
  },
});
const ROWS = Number(values.rows);
const MLP_ROWS = Number(values['mlp-rows']);
const REQUESTS = Number(values.requests);

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function shipped(dataset: string): Promise<TrainConfig> {
  const config = JSON.parse(await readFile(join(root, 'data/models', `${dataset}.json`), 'utf8'));
  return {
    ...config,
    data: join(root, 'data', `${dataset}.csv`),
    split: { ...config.split, file: join(root, 'data/splits', `${dataset}.json`) },
  };
}

interface Model {
  name: string;
  predictor: Predictor;
  rows: RawRow[];
  batchRows: number;
  /** A blend's members, by name: its explanation is compared with theirs. */
  members?: string[];
}

function cycle(rows: readonly RawRow[], count: number): RawRow[] {
  return Array.from({ length: count }, (_, i) => rows[i % rows.length] as RawRow);
}

/** Best-of-3 rows/s (wall) and rows per CPU-second of one call over all rows. */
function throughput(
  run: () => void,
  rows: number,
): { rowsPerSecond: number; perCpuSecond: number } {
  let best = 0;
  let bestCpu = 0;
  for (let pass = 0; pass < 3; pass++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    run();
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    best = Math.max(best, rows / seconds);
    bestCpu = Math.max(bestCpu, rows / ((used.user + used.system) / 1e6));
  }
  return { rowsPerSecond: best, perCpuSecond: bestCpu };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function latency(url: string, body: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}`);
  return performance.now() - started;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'tandem-bench-explain-'));
  const artifacts = join(work, 'artifacts');
  try {
    const credit = await shipped('credit');
    const penguins = await shipped('penguins');
    const configs: Array<{ config: TrainConfig; batchRows: number }> = [
      {
        config: {
          ...credit,
          name: 'credit-gbdt',
          // A slow learning rate: the validation loss still falls at iteration 100, so the
          // ensemble keeps all 100 trees (it keeps the best iteration).
          model: {
            type: 'gbdt',
            maxIter: 100,
            maxLeafNodes: 31,
            learningRate: 0.03,
            earlyStopping: false,
          },
        } as TrainConfig,
        batchRows: ROWS,
      },
      {
        config: {
          ...credit,
          name: 'credit-mlp',
          model: { type: 'mlp', hidden: [64, 32], activation: 'relu', dropout: 0, l2: 0.001 },
          training: { ...credit.training, epochs: Number(values.epochs) },
        } as TrainConfig,
        batchRows: MLP_ROWS,
      },
      {
        config: {
          ...penguins,
          name: 'penguins-linear',
          model: { type: 'linear', l2: 0.001 },
          training: { ...penguins.training, epochs: Number(values.epochs) },
        } as TrainConfig,
        batchRows: ROWS,
      },
    ];
    const models: Model[] = [];
    for (const { config, batchRows } of configs) {
      const result = await train({ config, artifacts });
      const rows = result.testRows.map((row) => {
        const copy = { ...(row as Record<string, unknown>) };
        delete copy[result.target];
        return copy;
      });
      models.push({ name: result.name, predictor: result.predictor, rows, batchRows });
      const trees = result.predictor.trees;
      const leaves = trees ? trees.feature.filter((f) => f < 0).length : 0;
      log(
        `trained ${result.name}${trees ? ` (${trees.treeOutput.length} trees, ${(leaves / trees.treeOutput.length).toFixed(1)} leaves per tree)` : ''}`,
      );
    }

    const members = [
      { name: 'credit-gbdt', version: 1, weight: 0.6 },
      { name: 'credit-mlp', version: 1, weight: 0.4 },
    ];
    const blendVersion = await writeEnsembleFixtureVersion(artifacts, 'credit-blend', members);
    const stored = await new FileModelStore(artifacts).readVersion('credit-blend', blendVersion);
    models.push({
      name: 'credit-blend',
      predictor: await predictorFromStoredVersion(stored, { log: () => undefined }),
      rows: models[0]?.rows ?? [],
      batchRows: MLP_ROWS,
      members: members.map((member) => member.name),
    });
    log(`stored credit-blend (${members.map((m) => `${m.name} × ${m.weight}`).join(' + ')})`);

    const table: string[][] = [];
    /** CPU-seconds per explained row, by model. */
    const explainCpu = new Map<string, number>();
    for (const model of models) {
      const rows = cycle(model.rows, model.batchRows);
      const explainer = Explainer.of(model.predictor);
      const predict = throughput(
        () => model.predictor.predictBatch(rows, { errors: 'collect' }),
        rows.length,
      );
      const explain = throughput(
        () => explainer.explainBatch(rows, { errors: 'collect' }),
        rows.length,
      );
      explainCpu.set(model.name, 1 / explain.perCpuSecond);
      if (model.members !== undefined) {
        const own = model.members.reduce((sum, name) => sum + (explainCpu.get(name) ?? 0), 0);
        table.push([
          `${model.name} joint explanation against its members' own (${model.members.join(' + ')})`,
          `${(1e3 / explain.perCpuSecond).toFixed(2)} CPU-ms per row`,
          `members together ${(1e3 * own).toFixed(2)} CPU-ms per row`,
          `blend / members ${(1 / explain.perCpuSecond / own).toFixed(2)} ×`,
        ]);
      }
      const trees = model.predictor.trees;
      if (trees) {
        const shap = new TreeShap(trees);
        const x = model.predictor.pipeline.transformBatch(rows, { errors: 'collect' }).values;
        const width = trees.inputWidth;
        const block = 64;
        const phi = new Float64Array(block * trees.outputs * width);
        const margins = new Float64Array(block * trees.outputs);
        const alone = throughput(() => {
          for (let from = 0; from < rows.length; from += block) {
            const count = Math.min(block, rows.length - from);
            phi.fill(0);
            shap.explainBlock(x, from * width, count, phi, margins);
          }
        }, rows.length);
        table.push([
          `${model.name} TreeSHAP alone (${shap.sums}, encoded rows, ${rows.length} rows)`,
          `${Math.round(alone.rowsPerSecond).toLocaleString('en')} rows/s`,
          `${Math.round(alone.perCpuSecond).toLocaleString('en')} per CPU-s`,
          `Explainer / TreeSHAP alone (per CPU-s) ${((100 * explain.perCpuSecond) / alone.perCpuSecond).toFixed(1)} %`,
        ]);
      }
      table.push([
        `${model.name} batch (${explainer.method}, ${rows.length} rows)`,
        `predict ${Math.round(predict.rowsPerSecond).toLocaleString('en')} rows/s (${Math.round(predict.perCpuSecond).toLocaleString('en')} per CPU-s)`,
        `explain ${Math.round(explain.rowsPerSecond).toLocaleString('en')} rows/s (${Math.round(explain.perCpuSecond).toLocaleString('en')} per CPU-s)`,
        `explain / predict ${((100 * explain.rowsPerSecond) / predict.rowsPerSecond).toFixed(2)} % (per CPU-s ${((100 * explain.perCpuSecond) / predict.perCpuSecond).toFixed(2)} %)`,
      ]);
    }

    const config = loadConfig({
      argv: [
        '--artifacts',
        artifacts,
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--reload-interval',
        '0',
      ],
      env: {},
    });
    const { app, url } = await startServer({ config, logger: false, defaultMetrics: false });
    try {
      for (const model of models) {
        const body = JSON.stringify({ instances: [model.rows[0]] });
        const requests =
          model.name.endsWith('mlp') || model.members !== undefined
            ? Math.min(REQUESTS, 300)
            : REQUESTS;
        for (let i = 0; i < 50; i++) {
          await latency(`${url}/v1/models/${model.name}/predict`, body);
          await latency(`${url}/v1/models/${model.name}/explain`, body);
        }
        const predict: number[] = [];
        const explain: number[] = [];
        for (let i = 0; i < requests; i++) {
          const row = JSON.stringify({ instances: [model.rows[i % model.rows.length]] });
          predict.push(await latency(`${url}/v1/models/${model.name}/predict`, row));
          explain.push(await latency(`${url}/v1/models/${model.name}/explain`, row));
        }
        predict.sort((a, b) => a - b);
        explain.sort((a, b) => a - b);
        table.push([
          `${model.name} server 1 row (${requests} requests each)`,
          `predict p50 ${percentile(predict, 50).toFixed(2)} / p99 ${percentile(predict, 99).toFixed(2)} ms`,
          `explain p50 ${percentile(explain, 50).toFixed(2)} / p99 ${percentile(explain, 99).toFixed(2)} ms`,
          `explain / predict p99 ${(percentile(explain, 99) / percentile(predict, 99)).toFixed(2)} ×`,
        ]);
      }
    } finally {
      await app.close();
    }
    for (const model of models) model.predictor.dispose();
    process.stdout.write(`${table.map((row) => `| ${row.join(' | ')} |`).join('\n')}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
