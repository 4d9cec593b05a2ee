import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RawRow } from '@tandem/features';
import { Explainer, type Predictor, type TreeEnsemble, TreeShap } from '@tandem/runtime';
import { scoreFile } from '@tandem/scorer';
import { type TrainConfig, train } from '@tandem/trainer';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA, listening, postJson, tempDir } from './support.ts';

/**
 * Explanations on models trained from every shipped dataset with each model family: additivity
 * on every test row (1e-5 for linear and trees, the documented 1e-9 × max(1, |output|) bound of
 * exact Shapley enumeration for MLPs), TreeSHAP against brute force on a trained ensemble
 * restricted to a few columns, and the server's explanations equal to batch scoring's.
 */

const DATASETS = ['credit', 'titanic', 'penguins', 'cars'] as const;
const FAMILIES = {
  linear: { type: 'linear' },
  gbdt: { type: 'gbdt', maxIter: 40 },
  mlp: { type: 'mlp', hidden: [16] },
} as const;
type Family = keyof typeof FAMILIES;

interface Trained {
  name: string;
  family: Family;
  predictor: Predictor;
  rows: RawRow[];
}

let work: { dir: string; remove: () => Promise<void> };
let artifacts: string;
const trained: Trained[] = [];

async function shipped(dataset: string): Promise<TrainConfig> {
  const config = JSON.parse(await readFile(join(DATA, 'models', `${dataset}.json`), 'utf8'));
  return {
    ...config,
    data: join(DATA, `${dataset}.csv`),
    split: { ...config.split, file: join(DATA, 'splits', `${dataset}.json`) },
  };
}

function withoutTarget(rows: readonly RawRow[], target: string): RawRow[] {
  return rows.map((row) => {
    const copy = { ...(row as Record<string, unknown>) };
    delete copy[target];
    return copy;
  });
}

beforeAll(async () => {
  work = await tempDir('explain');
  artifacts = join(work.dir, 'artifacts');
  for (const dataset of DATASETS) {
    const config = await shipped(dataset);
    for (const family of Object.keys(FAMILIES) as Family[]) {
      const name = `${dataset}-${family}`;
      const result = await train({
        config: {
          ...config,
          name,
          model: FAMILIES[family],
          training: { ...config.training, epochs: 8 },
        } as TrainConfig,
        artifacts,
      });
      trained.push({
        name,
        family,
        predictor: result.predictor,
        rows: withoutTarget(result.testRows, result.target),
      });
    }
  }
}, 600_000);

afterAll(async () => {
  for (const t of trained) t.predictor.dispose();
  await work?.remove();
});

describe('additivity on every shipped dataset', () => {
  it('holds on every test row of every model family, for every class', () => {
    expect(trained).toHaveLength(12);
    for (const { name, family, predictor, rows } of trained) {
      const explainer = Explainer.of(predictor);
      expect(explainer.method, name).toBe(
        family === 'gbdt' ? 'tree_shap' : family === 'linear' ? 'linear_exact' : 'exact_shapley',
      );
      const batch = explainer.explainBatch(rows, { classes: 'all', errors: 'collect' });
      const predicted = predictor.predictBatch(rows, { errors: 'collect' });
      let checked = 0;
      batch.explanations.forEach((list, r) => {
        list.forEach((e, c) => {
          const sum = Object.values(e.contributions).reduce((a, b) => a + b, 0);
          const bound = family === 'mlp' ? 1e-9 * Math.max(1, Math.abs(e.output)) : 1e-5;
          expect(Math.abs(e.output - e.baseValue - sum), name).toBeLessThan(bound);
          expect(Math.abs(e.approximationError), name).toBeLessThan(bound);
          // The explained output is the model's: its probability or value as predicted.
          const width = predicted.width;
          const served = predicted.outputs[r * width + (width === 1 ? 0 : c)]!;
          const mine = e.probability ?? e.output;
          expect(Math.abs(mine - served), name).toBeLessThan(1e-4 * Math.max(1, Math.abs(served)));
          checked++;
        });
      });
      expect(checked, name).toBeGreaterThanOrEqual(rows.length - batch.rejected.length);
    }
  });
});

/** FORMAT.md's traversal rule, written out again. */
function goesLeft(e: TreeEnsemble, node: number, x: number): boolean {
  if (Number.isNaN(x)) return (e.flags[node]! & 1) !== 0;
  if ((e.flags[node]! & 2) !== 0) {
    if (!(x >= 0 && x < 256)) return false;
    return ((e.bitsets[e.bitsetOffset[node]! + (x >> 5)]! >>> (x & 31)) & 1) === 1;
  }
  return Math.fround(x) <= e.threshold[node]!;
}

/** E[tree(x) | x_S], path-dependent: splits on features outside S average children by cover. */
function conditional(
  e: TreeEnsemble,
  start: number,
  node: number,
  x: Float32Array,
  mask: number,
): number {
  const f = e.feature[node]!;
  if (f < 0) return e.value[node]!;
  const left = node + 1;
  const right = start + e.right[node]!;
  if ((mask >> f) & 1)
    return conditional(e, start, goesLeft(e, node, x[f]!) ? left : right, x, mask);
  const cl = e.cover[left]!;
  const cr = e.cover[right]!;
  return (
    (cl * conditional(e, start, left, x, mask) + cr * conditional(e, start, right, x, mask)) /
    (cl + cr)
  );
}

describe('TreeSHAP against brute force on a trained ensemble', () => {
  it('matches every-coalition Shapley values on credit restricted to five columns', async () => {
    const config = await shipped('credit');
    const keep = ['Seniority', 'Home', 'Income', 'Amount', 'Records'];
    const result = await train({
      config: {
        ...config,
        name: 'credit-five',
        drop: ['Time', 'Age', 'Marital', 'Job', 'Expenses', 'Assets', 'Debt', 'Price'],
        model: { type: 'gbdt', maxIter: 25 },
      } as TrainConfig,
      artifacts,
    });
    try {
      const ensemble = result.predictor.trees!;
      expect(
        result.predictor.pipeline
          .columnSpans()
          .map((s) => s.column)
          .sort(),
      ).toEqual([...keep].sort());
      const width = ensemble.inputWidth;
      const shap = new TreeShap(ensemble);
      const rows = withoutTarget(result.testRows.slice(0, 12), result.target);
      const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
      for (const row of rows) {
        const x = result.predictor.pipeline.transform(row).values;
        const value = (mask: number) => {
          let total = 0;
          for (let t = 0; t < ensemble.treeOutput.length; t++) {
            total += conditional(ensemble, ensemble.treeStart[t]!, ensemble.treeStart[t]!, x, mask);
          }
          return total;
        };
        const phi = new Float64Array(width);
        shap.explainInto(x, 0, phi);
        for (let f = 0; f < width; f++) {
          let expected = 0;
          for (let mask = 0; mask < 1 << width; mask++) {
            if ((mask >> f) & 1) continue;
            let size = 0;
            for (let b = mask; b; b &= b - 1) size++;
            expected +=
              ((factorial(size) * factorial(width - size - 1)) / factorial(width)) *
              (value(mask | (1 << f)) - value(mask));
          }
          expect(Math.abs(phi[f]! - expected)).toBeLessThan(1e-10);
        }
      }
    } finally {
      result.predictor.dispose();
    }
  }, 120_000);
});

describe('the server and batch scoring give the same explanations', () => {
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await listening(artifacts));
  });

  afterAll(async () => {
    await app?.close();
  });

  it("value by value, for a tree, a linear and an MLP model; an invalid row gets predict's 400", async () => {
    for (const name of ['credit-gbdt', 'penguins-linear', 'titanic-mlp', 'cars-mlp']) {
      const { rows } = trained.find((t) => t.name === name)!;
      const columns = Object.keys(rows[0]!);
      const input = join(work.dir, `${name}.csv`);
      await writeFile(
        input,
        stringify(
          rows.map((row) =>
            columns.map((c) => (row[c] === null || row[c] === undefined ? '' : String(row[c]))),
          ),
          { header: true, columns },
        ),
      );
      const output = join(work.dir, `${name}-explained.csv`);
      await scoreFile({ model: name, artifacts, input, output, explain: {} });
      const scored = parse(await readFile(output, 'utf8'), { columns: true }) as Record<
        string,
        string
      >[];
      const csvRows = parse(await readFile(input, 'utf8'), { columns: true }) as Record<
        string,
        string
      >[];
      const answer = await postJson<{
        explanations: {
          class?: string;
          baseValue: number;
          contributions: Record<string, number>;
          approximationError: number;
        }[];
      }>(`${url}/v1/models/${name}/explain`, {
        instances: csvRows.map((row) =>
          Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === '' ? null : v])),
        ),
      });
      expect(answer.status, name).toBe(200);
      expect(answer.body.explanations).toHaveLength(scored.length);
      answer.body.explanations.forEach((e, r) => {
        const record = scored[r]!;
        if (e.class !== undefined) expect(record.explained_class).toBe(e.class);
        expect(Number(record.base_value), name).toBe(e.baseValue);
        expect(Number(record.approximation_error), name).toBe(e.approximationError);
        for (const [column, value] of Object.entries(e.contributions)) {
          expect(Number(record[`contribution_${column}`]), `${name} ${column}`).toBe(value);
        }
      });
    }
    // Global importance, written by the trainer, shown by the metadata route.
    for (const t of trained) {
      const metadata = (await (await fetch(`${url}/v1/models/${t.name}`)).json()) as {
        metrics: {
          extra: { importance: { method: string; rows: number; columns: Record<string, number> } };
        };
      };
      const importance = metadata.metrics.extra.importance;
      expect(importance.method, t.name).toBe(Explainer.of(t.predictor).method);
      expect(importance.rows, t.name).toBeGreaterThan(0);
      expect(Object.keys(importance.columns), t.name).toEqual(Explainer.of(t.predictor).columns);
      for (const value of Object.values(importance.columns))
        expect(value).toBeGreaterThanOrEqual(0);
    }
    const credit = trained.find((t) => t.name === 'credit-gbdt')!;
    const bad = { instances: [{ ...(credit.rows[0] as object), Income: 'lots' }] };
    const predict = await postJson(`${url}/v1/models/credit-gbdt/predict`, bad);
    const explain = await postJson(`${url}/v1/models/credit-gbdt/explain`, bad);
    expect(predict.status).toBe(400);
    expect(explain).toEqual(predict);
  }, 300_000);
});
