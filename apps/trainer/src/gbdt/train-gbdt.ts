import { fitPipeline, LabelEncoder, type RawRow, treeInputsOf, treeSpec } from '@tandem/features';
import { encodeTreeFile, predictorFromTrees } from '@tandem/runtime';
import type { GbdtModelConfig } from '../config/types.ts';
import { toNumber } from '../data/cells.ts';
import { deriveSeed } from '../split/prng.ts';
import type { CandidateInputs, TrainedCandidate } from '../train/candidate.ts';
import { createProgress, formatSeconds } from '../train/progress.ts';
import { type BoostPart, type BoostSettings, boost } from './boost.ts';
import { featureImportance } from './importance.ts';
import { lossOf } from './losses.ts';

/** Training + validation rows above which `earlyStopping: "auto"` is on (scikit-learn's rule). */
export const AUTO_EARLY_STOPPING_ROWS = 10_000;

/**
 * Whether the run stops early on the validation part: `true` / `false`, or `"auto"` as
 * scikit-learn's `early_stopping='auto'` (on above 10,000 rows, where its own 10 % hold-out is
 * Tandem's validation part); never without validation rows.
 */
export function stopsEarly(
  setting: GbdtModelConfig['earlyStopping'],
  nonTestRows: number,
  validationRows: number,
): boolean {
  const on = setting === 'auto' ? nonTestRows > AUTO_EARLY_STOPPING_ROWS : setting;
  return on && validationRows > 0;
}

/**
 * Gradient-boosted trees: the tree encoding of the inferred schema (treeSpec: unscaled values,
 * category codes, missing as NaN), class indices or the raw regression target, boost(), and a
 * tree-engine predictor. Regression trees predict the target on its own scale: no target scaler.
 */
export async function trainGbdt(
  model: GbdtModelConfig,
  inputs: CandidateInputs,
): Promise<TrainedCandidate> {
  const { task, target, trainRows, validationRows, training, log } = inputs;
  const pipeline = fitPipeline(treeSpec(inputs.spec), trainRows);
  for (const note of pipeline.notes) log(`note: ${note}`);
  const treeInputs = treeInputsOf(pipeline.toJSON());
  if (treeInputs === null) throw new Error('the tree encoding did not give a tree pipeline');
  const labels =
    task === 'regression'
      ? null
      : LabelEncoder.fit(
          [...trainRows, ...validationRows].map((row) => row[target]),
          { column: target },
        );
  const part = (rows: readonly RawRow[]): BoostPart => ({
    x: pipeline.transformBatch(rows, { errors: 'throw' }).values,
    rows: rows.length,
    y: Float64Array.from(rows, (row, index) =>
      labels
        ? labels.encode(row[target], { row: index, column: target })
        : (toNumber(row[target]) ?? Number.NaN),
    ),
  });
  const loss = lossOf(task);
  const outputs = task === 'multiclass' ? labels!.classes.length : 1;
  log(
    `model gbdt: ${pipeline.width} inputs (${treeInputs.filter((i) => i.kind === 'categorical').length} categorical), ` +
      `${loss}, ≤ ${model.maxIter} iterations × ${model.maxLeafNodes} leaves` +
      (task === 'multiclass' ? ` × ${outputs} classes` : ''),
  );
  const progress = inputs.progress
    ? createProgress({
        ...(process.stderr.isTTY ? { tty: process.stderr } : {}),
        log,
        unit: 'iteration',
      })
    : undefined;
  const started = performance.now();
  const nonTestRows = [...trainRows, ...validationRows];
  const stopping = stopsEarly(model.earlyStopping, nonTestRows.length, validationRows.length);
  const settings: BoostSettings = {
    ...model,
    earlyStopping: stopping,
    seed: deriveSeed(training.seed, 'gbdt-bins'),
    ...(inputs.deadline === undefined ? {} : { deadline: inputs.deadline }),
  };
  let result: ReturnType<typeof boost>;
  try {
    // Without early stopping nothing is validated: every non-test row trains, as in scikit-learn.
    result = boost(
      loss,
      outputs,
      treeInputs,
      part(stopping ? trainRows : nonTestRows),
      stopping ? part(validationRows) : null,
      settings,
      progress
        ? (report) =>
            progress.onEpoch({
              epoch: report.iteration,
              epochs: report.maxIter,
              loss: report.trainLoss,
              valLoss: report.validationLoss,
              bestValLoss: report.bestValidationLoss,
              elapsedMs: report.elapsedMs,
            })
        : undefined,
    );
  } finally {
    progress?.finish();
  }
  // Early stopping chose how long to train; the final model then learns from every non-test row,
  // for proportionally more iterations (the same learning rate sees more rows).
  const refitIterations =
    model.refit && stopping && result.bestIteration > 0
      ? Math.max(1, Math.round((result.bestIteration * nonTestRows.length) / trainRows.length))
      : 0;
  const stopped = result;
  if (refitIterations > 0) {
    // The refit's length is fixed by the run above, which the deadline already bounded.
    const { deadline: _deadline, ...refitSettings } = settings;
    result = boost(loss, outputs, treeInputs, part(nonTestRows), null, {
      ...refitSettings,
      maxIter: refitIterations,
      earlyStopping: false,
    });
  }
  const trainSeconds = (performance.now() - started) / 1000;
  const bestValLoss =
    stopped.bestIteration > 0
      ? (stopped.validationLoss[stopped.bestIteration - 1] ?? Number.NaN)
      : Number.NaN;
  log(
    `trained ${stopped.iterations} iterations in ${formatSeconds(trainSeconds)}` +
      (stopped.stoppedEarly ? ' (early stop)' : '') +
      (stopped.stoppedByDeadline ? ' (stopped by the time budget)' : '') +
      `; best ${stopped.bestIteration}` +
      (Number.isFinite(bestValLoss) ? `, validation loss ${bestValLoss.toFixed(4)}` : '') +
      (refitIterations > 0
        ? `; refitted on training + validation rows for ${refitIterations} iterations`
        : ''),
  );
  const { ensemble } = result;
  const importance = featureImportance(ensemble, treeInputs);
  return {
    model,
    pipeline,
    labels,
    targetScaler: null,
    trainSeconds,
    history: {
      epochsRun: stopped.iterations,
      bestEpoch: stopped.bestIteration,
      bestValLoss,
      stoppedEarly: stopped.stoppedEarly,
      stoppedByDeadline: stopped.stoppedByDeadline,
      loss: stopped.trainLoss,
      valLoss: stopped.validationLoss,
    },
    backend: 'none',
    extra: {
      refitIterations,
      trees: ensemble.treeOutput.length,
      nodes: ensemble.feature.length,
      featureImportance: importance,
    },
    files: async () => ({ 'trees.bin': encodeTreeFile(ensemble) }),
    predictor: (meta) => predictorFromTrees({ meta, pipeline, labels, trees: ensemble }),
    dispose: () => {},
  };
}
