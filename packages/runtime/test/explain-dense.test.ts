import { FittedPipeline, fitPipeline, LabelEncoder, TargetScaler } from '@tandem/features';
import { describe, expect, it } from 'vitest';
import { DenseEngine } from '../src/dense/dense-engine.ts';
import type { DenseStack } from '../src/dense/dense-stack.ts';
import { EXACT_SHAPLEY_MAX_COLUMNS } from '../src/explain/dense-shapley.ts';
import { Explainer, globalImportance, Predictor, referenceRow } from '../src/index.ts';
import { mulberry32 } from './fixtures/trees.ts';

/** Four raw columns: a standardized number with a missing indicator, a one-hot, a boolean, a datetime. */
const SPEC = {
  columns: [
    { name: 'income', type: 'numeric' as const, missingIndicator: true },
    { name: 'home', type: 'categorical' as const },
    { name: 'owner', type: 'boolean' as const },
    { name: 'when', type: 'datetime' as const },
  ],
};

function trainingRows(count: number, next: () => number) {
  const homes = ['rent', 'own', 'boat', 'van'];
  return Array.from({ length: count }, () => ({
    income: next() < 0.1 ? null : Math.round(next() * 1000) / 10,
    home: homes[Math.floor(next() * homes.length)]!,
    owner: next() < 0.5,
    when: new Date(Date.UTC(2020, 0, 1) + Math.floor(next() * 1e10)).toISOString(),
    y: next() < 0.5 ? 'no' : 'yes',
  }));
}

const next = mulberry32(3);
const ROWS = trainingRows(60, next);
const PIPELINE = FittedPipeline.fromJSON(
  JSON.parse(JSON.stringify(fitPipeline(SPEC, ROWS).toJSON())),
);

function randomWeights(
  length: number,
  scale: number,
  zeroRows?: { width: number; rows: number[] },
) {
  const w = Float32Array.from({ length }, () => (next() - 0.5) * scale);
  if (zeroRows)
    for (const r of zeroRows.rows) w.fill(0, r * zeroRows.width, (r + 1) * zeroRows.width);
  return w;
}

function predictor(
  stack: DenseStack,
  task: 'binary' | 'multiclass' | 'regression',
  pipeline = PIPELINE,
) {
  const labels =
    task === 'binary'
      ? LabelEncoder.fit(['no', 'yes'])
      : task === 'multiclass'
        ? LabelEncoder.fit(['a', 'b', 'c'])
        : null;
  return new Predictor({
    meta: { name: 'm', version: 1, task },
    pipeline,
    labels,
    targetScaler: task === 'regression' ? TargetScaler.fit([10, 20, 40]) : null,
    engine: new DenseEngine(stack),
  });
}

const W = PIPELINE.width;
const span = (column: string) => PIPELINE.columnSpans().find((s) => s.column === column)!;

describe('linear explanations', () => {
  const owner = span('owner');
  const weights = randomWeights(W, 2, { width: 1, rows: [owner.start] });
  const stack: DenseStack = {
    inputWidth: W,
    outputWidth: 1,
    steps: [{ inputs: W, units: 1, weights, bias: Float32Array.of(0.3), activation: 'sigmoid' }],
  };
  const model = predictor(stack, 'binary');
  const explainer = new Explainer(model);

  it('is exact: w (x − mean) summed over each column, log-odds and probability beside it', () => {
    const rows = trainingRows(20, next).map(({ y: _, ...row }) => row);
    const batch = explainer.explainBatch(rows);
    expect(batch.method).toBe('linear_exact');
    expect(batch.space).toBe('margin');
    const reference = referenceRow(PIPELINE);
    const { values } = PIPELINE.transformBatch(rows);
    const probabilities = model.predictBatch(rows).outputs;
    batch.explanations.forEach(([explanation], r) => {
      expect(explanation!.class).toBe('yes');
      let logit = Math.fround(0.3);
      for (let k = 0; k < W; k++) logit += weights[k]! * values[r * W + k]!;
      expect(explanation!.output).toBeCloseTo(logit, 12);
      expect(explanation!.probability).toBeCloseTo(probabilities[2 * r + 1]!, 6);
      for (const s of PIPELINE.columnSpans()) {
        let expected = 0;
        for (let k = s.start; k < s.start + s.width; k++) {
          expected += weights[k]! * (values[r * W + k]! - reference[k]!);
        }
        // One-hot levels and the missing indicator add up to their column's contribution.
        expect(explanation!.contributions[s.column]).toBeCloseTo(expected, 12);
      }
      expect(Math.abs(explanation!.approximationError)).toBeLessThan(1e-9);
      // The column the model never uses gets exactly 0.
      expect(explanation!.contributions.owner).toBe(0);
    });
  });

  it('explains classes[0] as the negated log-odds, and refuses a class the model lacks', () => {
    const row = { income: 12, home: 'van', owner: true, when: '2021-01-01T00:00:00Z' };
    const [yes] = explainer.explainBatch([row]).explanations[0]!;
    const [no] = explainer.explainBatch([row], { classes: ['no'] }).explanations[0]!;
    expect(no!.output).toBe(-yes!.output);
    expect(no!.probability! + yes!.probability!).toBeCloseTo(1, 12);
    expect(() => explainer.explainBatch([row], { classes: ['maybe'] })).toThrow(
      expect.objectContaining({ code: 'TANDEM_EXPLAIN_CLASS_UNKNOWN' }),
    );
  });

  it('refuses an invalid row with the same FeatureInputError as predict', () => {
    const bad = [{ income: 'lots', home: 'van', owner: true, when: '2021-01-01T00:00:00Z' }];
    let predictError: unknown;
    try {
      model.predictBatch(bad);
    } catch (error) {
      predictError = error;
    }
    expect(() => explainer.explainBatch(bad)).toThrow(predictError as Error);
    const collected = explainer.explainBatch(bad, { errors: 'collect' });
    expect(collected.rejected).toEqual([0]);
    expect(collected.explanations).toEqual([[]]);
  });
});

/** A two-layer relu network: inputs → hidden → outputs (softmax or linear). */
function mlp(
  inputs: number,
  hidden: number,
  outputs: number,
  activation: 'softmax' | 'linear' | 'sigmoid',
  unused: number[] = [],
): DenseStack {
  return {
    inputWidth: inputs,
    outputWidth: outputs,
    steps: [
      {
        inputs,
        units: hidden,
        weights: randomWeights(inputs * hidden, 1.5, { width: hidden, rows: unused }),
        bias: randomWeights(hidden, 0.5),
        activation: 'relu',
      },
      {
        inputs: hidden,
        units: outputs,
        weights: randomWeights(hidden * outputs, 1.5),
        bias: randomWeights(outputs, 0.5),
        activation,
      },
    ],
  };
}

/** Shapley values by brute force, each coalition's mixed row run through the dense engine. */
function bruteForce(
  model: Predictor,
  x: Float32Array,
  reference: Float64Array,
  margin: (out: Float32Array) => number,
) {
  const spans = model.pipeline.columnSpans();
  const m = spans.length;
  const engine = new DenseEngine(model.replica()!.stack!);
  const value = (mask: number) => {
    const mixed = Float32Array.from(reference);
    spans.forEach((s, p) => {
      if ((mask >> p) & 1) for (let k = s.start; k < s.start + s.width; k++) mixed[k] = x[k]!;
    });
    return margin(engine.predict(mixed, 1));
  };
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  return spans.map((_, p) => {
    let phi = 0;
    for (let mask = 0; mask < 1 << m; mask++) {
      if ((mask >> p) & 1) continue;
      let size = 0;
      for (let b = mask; b; b &= b - 1) size++;
      phi +=
        ((factorial(size) * factorial(m - size - 1)) / factorial(m)) *
        (value(mask | (1 << p)) - value(mask));
    }
    return phi;
  });
}

describe('MLP explanations: exact Shapley values over the raw columns', () => {
  it('match brute force on every coalition (multiclass, per-class margins), add up, 0 for an unused column', () => {
    const owner = span('owner');
    const model = predictor(mlp(W, 6, 3, 'softmax', [owner.start]), 'multiclass');
    const explainer = new Explainer(model);
    expect(explainer.method).toBe('exact_shapley');
    const reference = referenceRow(PIPELINE);
    const rows = trainingRows(5, next).map(({ y: _, ...row }) => row);
    const batch = explainer.explainBatch(rows, { classes: 'all' });
    rows.forEach((row, r) => {
      const x = PIPELINE.transform(row).values;
      const probabilities = model.predictBatch([row]).outputs;
      batch.explanations[r]!.forEach((explanation, c) => {
        expect(explanation.class).toBe(['a', 'b', 'c'][c]);
        // Softmax outputs give logits up to a constant: compare log-ratios to class 0's.
        const expected = bruteForce(model, x, reference, (out) => Math.log(out[c]! / out[0]!));
        const ratio = explainer.explainBatch([row], { classes: [explanation.class!, 'a'] })
          .explanations[0]!;
        explainer.columns.forEach((column, p) => {
          const mine = ratio[0]!.contributions[column]! - ratio[1]!.contributions[column]!;
          expect(Math.abs(mine - expected[p]!)).toBeLessThan(2e-5);
        });
        expect(explanation.contributions.owner).toBe(0);
        expect(Math.abs(explanation.approximationError)).toBeLessThan(1e-9);
        expect(explanation.probability).toBeCloseTo(probabilities[c]!, 5);
      });
      // The default explains the predicted class.
      const [predicted] = explainer.explainBatch([row]).explanations[0]!;
      const best = [0, 1, 2].reduce((b, c) => (probabilities[c]! > probabilities[b]! ? c : b), 0);
      expect(predicted!.class).toBe(['a', 'b', 'c'][best]);
    });
  });

  it('explain a regression value in the target unit (the scaler applied to every term)', () => {
    const model = predictor(mlp(W, 5, 1, 'linear'), 'regression');
    const explainer = new Explainer(model);
    expect(explainer.space).toBe('value');
    const rows = trainingRows(8, next).map(({ y: _, ...row }) => row);
    const outputs = model.predictBatch(rows).outputs;
    explainer.explainBatch(rows).explanations.forEach(([explanation], r) => {
      expect(explanation!.class).toBeUndefined();
      expect(explanation!.output).toBeCloseTo(outputs[r]!, 4);
      expect(Math.abs(explanation!.approximationError)).toBeLessThan(1e-9);
    });
  });

  it(`sample permutations above ${EXACT_SHAPLEY_MAX_COLUMNS} raw columns, still adding up exactly`, () => {
    const columns = Array.from({ length: 16 }, (_, i) => ({
      name: `x${i}`,
      type: 'numeric' as const,
    }));
    const rows = Array.from({ length: 30 }, () =>
      Object.fromEntries(columns.map((c) => [c.name, Math.round(next() * 100)])),
    );
    const pipeline = FittedPipeline.fromJSON(fitPipeline({ columns }, rows).toJSON());
    const model = predictor(mlp(16, 8, 1, 'sigmoid'), 'binary', pipeline);
    const explainer = new Explainer(model);
    expect(explainer.method).toBe('sampled_shapley');
    const first = explainer.explainBatch(rows.slice(0, 5));
    for (const [explanation] of first.explanations) {
      expect(Math.abs(explanation!.approximationError)).toBeLessThan(1e-9);
    }
    // The same row always gets the same values (a fixed seed).
    expect(explainer.explainBatch(rows.slice(0, 5))).toEqual(first);
  });
});

describe('global importance', () => {
  it('is the mean |contribution| per raw column over the valid rows; 0 for an unused column', () => {
    const owner = span('owner');
    const model = predictor(mlp(W, 4, 3, 'softmax', [owner.start]), 'multiclass');
    const rows = trainingRows(12, next).map(({ y: _, ...row }) => row);
    const bad = { ...rows[0]!, income: 'lots' };
    const importance = globalImportance(model, [...rows, bad]);
    expect(importance).toMatchObject({ method: 'exact_shapley', space: 'margin', rows: 12 });
    const all = Explainer.of(model).explainBatch(rows, { classes: 'all' });
    for (const column of Explainer.of(model).columns) {
      let total = 0;
      for (const list of all.explanations) {
        for (const e of list) total += Math.abs(e.contributions[column]!) / 3;
      }
      expect(importance.columns[column]).toBeCloseTo(total / 12, 12);
    }
    expect(importance.columns.owner).toBe(0);
    expect(globalImportance(model, rows, 5).rows).toBe(5);
  });
});
