import { readFileSync } from 'node:fs';
import { FittedPipeline, fitPipeline, type RawRow, TargetScaler } from '@tandem/features';
import type { Task } from '@tandem/model-store';
import { describe, expect, it } from 'vitest';
import { DenseForward } from '../src/explain/dense-forward.ts';
import { DenseGame, TreeGame } from '../src/explain/member-games.ts';
import { referenceRow } from '../src/explain/reference-row.ts';
import {
  decodeFeaturesFile,
  Explainer,
  type Explanation,
  Predictor,
  predictorFromParts,
} from '../src/index.ts';
import { readDataCsv } from './fixtures/csv.ts';
import { randomDenseModel } from './fixtures/random-models.ts';

// Explanations of ensembles (EnsembleShapley) against independent figures: an ensemble of one
// model twice is that model, so its explanation must be the model's own (TreeSHAP's leaf tables,
// the dense Shapley values); a regression blend is linear, so its contributions must be the
// weighted sum of its members' own. Members are the shipped configs' trained trees and seeded
// networks over the same raw columns.

const quiet = { log: () => {} };
const TARGETS: Record<string, { target: string; task: Task }> = {
  titanic: { target: 'survived', task: 'binary' },
  credit: { target: 'Status', task: 'binary' },
  penguins: { target: 'species', task: 'multiclass' },
  cars: { target: 'Miles_per_Gallon', task: 'regression' },
};

function treeMember(dataset: string): Predictor {
  const folder = new URL(`./fixtures/shipped-trees/${dataset}/`, import.meta.url);
  return Predictor.fromReplica({
    meta: { name: `${dataset}-trees`, version: 1, task: TARGETS[dataset]!.task },
    features: readFileSync(new URL('features.json', folder)),
    trees: readFileSync(new URL('trees.bin', folder)),
  });
}

/** A seeded network over the tree model's raw columns, standardized and one-hot encoded. */
function denseMember(dataset: string, seed: number, rows: readonly RawRow[]): Predictor {
  const { task, target } = TARGETS[dataset]!;
  const trees = treeMember(dataset);
  const columns = trees.pipeline.toJSON().columns.map(({ name, type }) => ({ name, type }));
  const { labels } = decodeFeaturesFile(trees.replica()!.features);
  trees.dispose();
  const training = rows.filter((row) => row[target] !== '');
  const fitted = fitPipeline({ columns }, training);
  const pipeline = FittedPipeline.fromJSON(JSON.parse(JSON.stringify(fitted.toJSON())));
  const targetScaler =
    task === 'regression' ? TargetScaler.fit(training.map((row) => Number(row[target]))) : null;
  const model = randomDenseModel({
    inputs: pipeline.width,
    hidden: [6],
    activation: 'tanh',
    head: task,
    seed,
    classes: labels?.classes.length ?? 1,
  });
  const predictor = predictorFromParts(
    {
      manifest: { name: `${dataset}-mlp-${seed}`, version: 1, task, target },
      pipeline,
      labels,
      targetScaler,
      model,
    },
    { ...quiet, engine: 'dense' },
  );
  model.dispose();
  return predictor;
}

function blend(dataset: string, members: Array<[Predictor, number]>): Predictor {
  const { task, target } = TARGETS[dataset]!;
  return new Predictor({
    meta: { name: `${dataset}-blend`, version: 1, task, target },
    members: members.map(([predictor, weight]) => ({
      model: predictor.trees ? 'gbdt' : 'mlp',
      weight,
      predictor,
    })),
  });
}

function inputsOf(dataset: string, count: number): RawRow[] {
  const { target } = TARGETS[dataset]!;
  return readDataCsv(dataset)
    .slice(0, count)
    .map(({ [target]: _target, ...inputs }) => inputs);
}

function expectSameExplanations(
  actual: readonly Explanation[][],
  expected: readonly Explanation[][],
  tolerance: number,
): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, r) => {
    expect(row.length).toBe(expected[r]!.length);
    row.forEach((explanation, c) => {
      const other = expected[r]![c]!;
      expect(explanation.class).toBe(other.class);
      expect(Math.abs(explanation.baseValue - other.baseValue)).toBeLessThan(tolerance);
      expect(Math.abs(explanation.output - other.output)).toBeLessThan(tolerance);
      for (const [column, value] of Object.entries(other.contributions)) {
        expect(
          Math.abs(explanation.contributions[column]! - value),
          `row ${r} ${column}`,
        ).toBeLessThan(tolerance);
      }
    });
  });
}

describe('ensemble explanations', () => {
  it("one tree model twice (titanic): TreeSHAP's values, in the same log-odds", () => {
    const trees = treeMember('titanic');
    const ensemble = blend('titanic', [
      [trees, 0.3],
      [trees, 0.7],
    ]);
    const rows = inputsOf('titanic', 120);
    const own = Explainer.of(trees).explainBatch(rows, { classes: 'all', errors: 'collect' });
    const blended = Explainer.of(ensemble).explainBatch(rows, {
      classes: 'all',
      errors: 'collect',
    });
    expect(own.method).toBe('tree_shap');
    expect(blended.method).toBe('ensemble_exact_shapley');
    expect(blended.space).toBe('margin');
    expect(blended.rejected).toEqual(own.rejected);
    expectSameExplanations(blended.explanations, own.explanations, 1e-9);
    trees.dispose();
  });

  it('one network twice (penguins, every class): the dense Shapley values', () => {
    const rows = readDataCsv('penguins');
    const network = denseMember('penguins', 11, rows);
    const ensemble = blend('penguins', [
      [network, 0.5],
      [network, 0.5],
    ]);
    const inputs = inputsOf('penguins', 80);
    const own = Explainer.of(network).explainBatch(inputs, { classes: 'all', errors: 'collect' });
    const blended = Explainer.of(ensemble).explainBatch(inputs, {
      classes: 'all',
      errors: 'collect',
    });
    expect(own.method).toBe('exact_shapley');
    // Softmax logits are defined up to a constant: the ensemble's are log-probabilities, so
    // compare what a logit difference means, the log-odds of every class against the first.
    const logOdds = (batch: typeof own) =>
      batch.explanations.map((row) =>
        row.map((e) => ({
          ...e,
          baseValue: e.baseValue - row[0]!.baseValue,
          output: e.output - row[0]!.output,
          contributions: Object.fromEntries(
            Object.entries(e.contributions).map(([k, v]) => [k, v - row[0]!.contributions[k]!]),
          ),
        })),
      );
    expectSameExplanations(logOdds(blended), logOdds(own), 1e-9);
    blended.explanations.forEach((row, r) => {
      row.forEach((e, c) => {
        expect(Math.abs(e.probability! - own.explanations[r]![c]!.probability!)).toBeLessThan(1e-9);
      });
    });
    network.dispose();
  });

  it("a regression blend (cars, trees + network): the weighted sum of the members' own", () => {
    const rows = readDataCsv('cars');
    const trees = treeMember('cars');
    const network = denseMember('cars', 5, rows);
    const ensemble = blend('cars', [
      [trees, 0.6],
      [network, 0.4],
    ]);
    const inputs = inputsOf('cars', 150);
    // The trees' part of the game is the trees twice: tree_shap makes each of Year's four
    // encoded parts a player of its own, where an ensemble moves a raw column's parts together.
    const treesTwice = blend('cars', [
      [trees, 0.5],
      [trees, 0.5],
    ]);
    const a = Explainer.of(treesTwice).explainBatch(inputs, { errors: 'collect' });
    const b = Explainer.of(network).explainBatch(inputs, { errors: 'collect' });
    const blended = Explainer.of(ensemble).explainBatch(inputs, { errors: 'collect' });
    expect(blended.space).toBe('value');
    const predicted = ensemble.predictBatch(inputs, { errors: 'collect' }).outputs;
    const expected = a.explanations.map((row, r) =>
      row.map((e, c) => {
        const f = b.explanations[r]![c]!;
        return {
          ...e,
          baseValue: 0.6 * e.baseValue + 0.4 * f.baseValue,
          output: 0.6 * e.output + 0.4 * f.output,
          contributions: Object.fromEntries(
            Object.entries(e.contributions).map(([k, v]) => [
              k,
              0.6 * v + 0.4 * f.contributions[k]!,
            ]),
          ),
        };
      }),
    );
    expectSameExplanations(blended.explanations, expected, 1e-9);
    blended.explanations.forEach((row, r) => {
      if (row.length === 0) return;
      expect(Math.abs(row[0]!.output - predicted[r]!)).toBeLessThan(1e-4);
    });
    trees.dispose();
    network.dispose();
  });

  it("a binary blend (credit, trees + network): additive, its output the blend's log-odds", () => {
    const rows = readDataCsv('credit');
    const trees = treeMember('credit');
    const network = denseMember('credit', 3, rows);
    const ensemble = blend('credit', [
      [trees, 0.64],
      [network, 0.36],
    ]);
    const inputs = inputsOf('credit', 60);
    const batch = Explainer.of(ensemble).explainBatch(inputs, { errors: 'collect' });
    const predicted = ensemble.predictBatch(inputs, { errors: 'collect' }).outputs;
    const columns = ensemble.pipeline.columnSpans().length;
    expect(batch.method).toBe(
      columns <= 14 ? 'ensemble_exact_shapley' : 'ensemble_sampled_shapley',
    );
    let explained = 0;
    batch.explanations.forEach((row, r) => {
      if (row.length === 0) return;
      explained++;
      const e = row[0]!;
      expect(e.class).toBe(ensemble.classes![1]);
      expect(Math.abs(e.approximationError)).toBeLessThan(1e-9);
      const p = predicted[r * 2 + 1]!;
      expect(Math.abs(e.probability! - p)).toBeLessThan(1e-6);
      expect(Math.abs(e.output - Math.log(p / (1 - p)))).toBeLessThan(1e-4);
    });
    expect(explained).toBeGreaterThan(50);
    // Not the members' own: a blend of probabilities is no blend of log-odds.
    const own = Explainer.of(trees).explainBatch(inputs, { errors: 'collect' });
    expect(batch.explanations[0]![0]!.contributions).not.toEqual(
      own.explanations[0]![0]!.contributions,
    );
    trees.dispose();
    network.dispose();
  });

  it('more than 14 columns: sampled, and one network twice still gives its own values', () => {
    const columns = Array.from({ length: 16 }, (_, i) => ({ name: `x${i}`, type: 'numeric' }));
    const training = Array.from({ length: 40 }, (_, r) =>
      Object.fromEntries(columns.map((c, i) => [c.name, ((r * (i + 3)) % 17) - 8])),
    );
    const pipeline = fitPipeline({ columns } as never, training);
    const model = randomDenseModel({
      inputs: pipeline.width,
      hidden: [5],
      activation: 'relu',
      head: 'binary',
      seed: 9,
    });
    const { labels } = decodeFeaturesFile(treeMember('titanic').replica()!.features);
    const network = predictorFromParts(
      { manifest: { name: 'wide', version: 1, task: 'binary' }, pipeline, labels, model },
      { ...quiet, engine: 'dense' },
    );
    model.dispose();
    const ensemble = new Predictor({
      meta: { name: 'wide-blend', version: 1, task: 'binary' },
      members: [
        { model: 'mlp', weight: 0.5, predictor: network },
        { model: 'mlp', weight: 0.5, predictor: network },
      ],
    });
    const rows = training.slice(0, 10);
    const own = Explainer.of(network).explainBatch(rows);
    const blended = Explainer.of(ensemble).explainBatch(rows);
    expect(own.method).toBe('sampled_shapley');
    expect(blended.method).toBe('ensemble_sampled_shapley');
    expectSameExplanations(blended.explanations, own.explanations, 1e-9);
    for (const row of blended.explanations) {
      expect(Math.abs(row[0]!.approximationError)).toBeLessThan(1e-9);
    }
    network.dispose();
  });
});

describe('member games', () => {
  it('walk a permutation through the same values as the table of every coalition', () => {
    const rows = readDataCsv('credit');
    const trees = treeMember('credit');
    const network = denseMember('credit', 4, rows);
    const inputs = inputsOf('credit', 5);
    const columns = trees.pipeline.columnSpans().map((span) => span.column);
    for (const member of [trees, network]) {
      const own = new Map(member.pipeline.columnSpans().map((span) => [span.column, span]));
      const spans = columns.map((column) => own.get(column)!);
      const game = member.trees
        ? new TreeGame(member.trees, spans)
        : new DenseGame(
            new DenseForward(member.replica()!.stack!),
            spans,
            referenceRow(member.pipeline),
          );
      const x = member.pipeline.transformBatch(inputs, { errors: 'collect' }).values;
      const k = game.outputs;
      for (let r = 0; r < inputs.length; r++) {
        const matters = new Uint8Array(columns.length);
        game.load(x, r * member.pipeline.width, matters);
        // Ten players: every coalition of them, and one order through them.
        const players = [...matters.keys()].filter((p) => matters[p] === 1).slice(0, 10);
        const table = new Float64Array((1 << players.length) * k);
        game.table(players, table);
        const order = [...players].reverse();
        const walked = new Float64Array((order.length + 1) * k);
        game.prefixes(order, walked);
        let mask = 0;
        for (let step = 0; step <= order.length; step++) {
          if (step > 0) mask |= 1 << players.indexOf(order[step - 1]!);
          for (let c = 0; c < k; c++) {
            expect(Math.abs(walked[step * k + c]! - table[mask * k + c]!)).toBeLessThan(1e-9);
          }
        }
        for (let c = 0; c < k; c++) expect(table[c]).toBeCloseTo(game.emptyValue[c]!, 9);
      }
    }
    trees.dispose();
    network.dispose();
  });
});
