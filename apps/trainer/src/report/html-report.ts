import type { RawRow } from '@tandem/features';
import type { Metrics, Task } from '@tandem/model-store';
import { profileColumns, type ReportData, renderReport, type TestOutputs } from '@tandem/report';
import { Explainer, type Predictor } from '@tandem/runtime';
import type { FinalConfig } from '../config/types.ts';
import { toNumber } from '../data/cells.ts';
import { classOf } from '../data/target.ts';
import { describeModel } from '../model/choose.ts';
import type { DatasetSplit } from '../split/split.ts';
import type { CandidateRecord } from '../train/auto.ts';
import type { TrainingHistory } from '../train/loop.ts';

/** Explanations are exact but not free (Kernel SHAP on networks): a sample of test rows is enough. */
const EXPLAINED_ROWS = 200;

/** What the report needs from the model while it is still loaded: its test outputs. */
export interface ReportScores {
  test: TestOutputs;
  meanContribution: Array<{ column: string; value: number }>;
}

/** Scores the test rows again (rejected rows left out) and averages |contribution| per column. */
export function reportScores(
  predictor: Predictor,
  testRows: readonly RawRow[],
  target: string,
): ReportScores {
  const batch = predictor.predictBatch(testRows, { errors: 'collect' });
  const rejected = new Set(batch.rejected);
  const kept = testRows.flatMap((row, i) => (rejected.has(i) ? [] : [{ row, i }]));
  const width = batch.width;
  const outputs = Float64Array.from(
    kept.flatMap(({ i }) => Array.from(batch.outputs.subarray(i * width, (i + 1) * width))),
  );
  const classes = predictor.classes;
  let test: TestOutputs;
  if (classes) {
    const index = new Map(classes.map((name, position) => [name, position]));
    test = {
      kind: 'classification',
      classes: [...classes],
      probabilities: outputs,
      actual: kept.map(({ row }) => index.get(classOf(row[target])) ?? -1),
    };
  } else {
    test = {
      kind: 'regression',
      predicted: outputs,
      actual: kept.map(({ row }) => toNumber(row[target]) ?? Number.NaN),
    };
  }
  const sample = kept.slice(0, EXPLAINED_ROWS).map(({ row }) => row);
  const sums = new Map<string, number>();
  let explained = 0;
  for (const list of Explainer.of(predictor).explainBatch(sample, { errors: 'collect' })
    .explanations) {
    for (const explanation of list) {
      explained++;
      for (const [column, value] of Object.entries(explanation.contributions)) {
        sums.set(column, (sums.get(column) ?? 0) + Math.abs(value));
      }
    }
  }
  const meanContribution = [...sums].map(([column, sum]) => ({
    column,
    value: explained === 0 ? 0 : sum / explained,
  }));
  return { test, meanContribution };
}

/** report.html of a new version, from what the trainer holds when it writes the files. */
export function trainingReport(inputs: {
  config: FinalConfig;
  task: Task;
  trainRows: readonly RawRow[];
  inputSchema: Predictor['inputSchema'];
  split: Pick<DatasetSplit, 'train' | 'validation' | 'test'>;
  metrics: Metrics;
  baseline: Metrics;
  history: TrainingHistory;
  extra: Record<string, unknown>;
  candidates?: readonly CandidateRecord[];
  scores: ReportScores;
}): Uint8Array {
  const { config, history } = inputs;
  const importance = inputs.extra.featureImportance as ReportData['importance'];
  const data: ReportData = {
    name: config.name,
    task: inputs.task,
    target: config.target,
    createdAt: new Date().toISOString(),
    model: describeModel(config.model),
    split: {
      train: inputs.split.train.length,
      validation: inputs.split.validation.length,
      test: inputs.split.test.length,
    },
    metrics: figures(inputs.metrics),
    baseline: figures(inputs.baseline),
    columns: profileColumns(inputs.trainRows, inputs.inputSchema),
    history: {
      unit: config.model.type === 'gbdt' ? 'iteration' : 'epoch',
      loss: history.loss,
      valLoss: history.valLoss,
      best: history.bestEpoch,
    },
    test: inputs.scores.test,
    meanContribution: inputs.scores.meanContribution,
    ...(importance ? { importance } : {}),
    ...(inputs.candidates
      ? {
          candidates: inputs.candidates.map((c) =>
            'skipped' in c
              ? { model: c.model, chosen: false, skipped: c.skipped }
              : {
                  model: c.model,
                  chosen: c.chosen,
                  validationLoss: c.validationLoss,
                  trainSeconds: c.trainSeconds,
                  test: figures(c.test),
                },
          ),
        }
      : {}),
  };
  return new TextEncoder().encode(renderReport(data));
}

function figures(metrics: Metrics): Record<string, number> {
  return Object.fromEntries(
    Object.entries(metrics).filter(
      (entry): entry is [string, number] => typeof entry[1] === 'number',
    ),
  );
}
