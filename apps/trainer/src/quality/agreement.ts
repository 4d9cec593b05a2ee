import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RawRow } from '@tandem/features';
import type { Task } from '@tandem/model-store';
import { TreeEngine } from '@tandem/runtime';
import { DEFAULT_GBDT } from '../config/defaults.ts';
import { readTable } from '../data/read.ts';
import { boost } from '../gbdt/boost.ts';
import { treeData } from '../gbdt/tree-data.ts';

/**
 * scikit-learn HistGradientBoosting's predictions on a shipped split's test rows, as
 * scripts/reference/hgb_agreement.py writes them (apps/trainer/test/fixtures/sklearn/).
 */
export interface SklearnFixture {
  versions: { sklearn: string };
  dataset: string;
  task: Task;
  target: string;
  /** The tree-encoded inputs scikit-learn was given, in order. */
  features: string[];
  testRows: number[];
  classes?: string[];
  /** Per test row, per class. */
  probabilities?: number[][];
  /** decision_function: one log-odds per row (binary) or one score per class (multiclass). */
  margins?: Array<number | number[]>;
  labels?: string[];
  values?: number[];
}

export interface Agreement {
  dataset: string;
  sklearn: string;
  testRows: number;
  /** Max |Δ| over test rows of the class probabilities (classifiers) or the values (regression). */
  maxDelta: number;
  meanDelta: number;
  /** Max |Δ| of the raw margins: log-odds, per-class scores, or values. */
  maxMarginDelta: number;
  /** Test rows whose |Δ| exceeds APART: a different path in at least one tree. */
  rowsApart: number;
  /** Share of test rows with the same predicted label; 1 for regression. */
  sameLabel: number;
  /** The fixture's inputs and test rows are Tandem's: the comparison is on the same data. */
  sameInputs: boolean;
}

/**
 * A difference no float32 rounding makes (outputs here are at most about 50, float32 rounds them
 * by at most 4e-6): a row this far apart took another branch somewhere.
 */
export const APART = 1e-4;

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

/**
 * Trains Tandem's gbdt as scikit-learn's reference was trained (defaults, early stopping off, on
 * exactly the training rows of `<data>/splits/<dataset>.json`, no validation part carved) and
 * compares its test predictions, from the tree engine that serves them, with the fixture's.
 *
 * @example const agreement = await sklearnAgreement(fixture, 'data'); agreement.maxDelta;
 */
export async function sklearnAgreement(fixture: SklearnFixture, data: string): Promise<Agreement> {
  const name = fixture.dataset;
  const config = await readJson<{ drop?: string[] }>(path.join(data, 'models', `${name}.json`));
  const split = await readJson<{ train: number[]; test: number[] }>(
    path.join(data, 'splits', `${name}.json`),
  );
  const table = await readTable(path.join(data, `${name}.csv`));
  const pick = (rows: readonly number[]): RawRow[] => rows.map((i) => table.rows[i] as RawRow);
  const train = pick(split.train);
  const test = pick(split.test);
  const {
    pipeline,
    labels,
    loss,
    outputs: k,
    inputs,
    part,
  } = treeData(train, fixture.target, fixture.task, config.drop);
  const { type: _type, refit: _refit, ...settings } = DEFAULT_GBDT;
  const fitted = boost(loss, k, inputs, part, null, {
    ...settings,
    earlyStopping: false,
    seed: 42,
  });
  const engine = new TreeEngine(fitted.ensemble);
  const x = pipeline.transformBatch(test).values;
  const outputs = engine.predict(x, test.length);
  const margins = engine.predictMargins(x, test.length);

  let maxDelta = 0;
  let sumDelta = 0;
  let maxMarginDelta = 0;
  let rowsApart = 0;
  let same = 0;
  for (let i = 0; i < test.length; i++) {
    let delta = 0;
    if (fixture.task === 'regression') {
      delta = Math.abs((outputs[i] as number) - (fixture.values?.[i] as number));
      maxMarginDelta = Math.max(maxMarginDelta, delta);
      same++;
    } else {
      const ours =
        k === 1
          ? [1 - (outputs[i] as number), outputs[i] as number]
          : Array.from(outputs.subarray(i * k, (i + 1) * k));
      const theirs = fixture.probabilities?.[i] ?? [];
      for (let c = 0; c < ours.length; c++) {
        delta = Math.max(delta, Math.abs((ours[c] as number) - (theirs[c] as number)));
      }
      const reference = fixture.margins?.[i];
      for (let c = 0; c < k; c++) {
        const r = typeof reference === 'number' ? reference : (reference?.[c] as number);
        maxMarginDelta = Math.max(maxMarginDelta, Math.abs((margins[i * k + c] as number) - r));
      }
      if (labels?.classes[ours.indexOf(Math.max(...ours))] === fixture.labels?.[i]) same++;
    }
    maxDelta = Math.max(maxDelta, delta);
    sumDelta += delta;
    if (delta > APART) rowsApart++;
  }
  const sameInputs =
    JSON.stringify(pipeline.outputNames) === JSON.stringify(fixture.features) &&
    JSON.stringify(split.test) === JSON.stringify(fixture.testRows) &&
    (labels === null || JSON.stringify(labels.classes) === JSON.stringify(fixture.classes));
  return {
    dataset: name,
    sklearn: fixture.versions.sklearn,
    testRows: test.length,
    maxDelta,
    meanDelta: sumDelta / test.length,
    maxMarginDelta,
    rowsApart,
    sameLabel: same / test.length,
    sameInputs,
  };
}

/** Reads the fixture of one shipped dataset. */
export async function readSklearnFixture(folder: string, dataset: string): Promise<SklearnFixture> {
  return readJson<SklearnFixture>(path.join(folder, `${dataset}.json`));
}
