import { fitPipeline } from '@tandem/features';
import { initBackend, predictorFromParts, serializeModel } from '@tandem/runtime';
import type { LinearModelConfig, MlpModelConfig } from '../config/types.ts';
import { buildModel } from '../model/build.ts';
import { describeModel } from '../model/choose.ts';
import type { CandidateInputs, TrainedCandidate } from './candidate.ts';
import { encodePart } from './features.ts';
import { fitModel } from './loop.ts';
import { createProgress, formatSeconds } from './progress.ts';
import { balancedClassWeights, fitTargets } from './targets.ts';

/**
 * A linear model or an MLP on tfjs: the standard pipeline (scaled, imputed, one-hot), the
 * hand-written training loop, the dense engine for predictions.
 */
export async function trainNetwork(
  model: LinearModelConfig | MlpModelConfig,
  inputs: CandidateInputs,
): Promise<TrainedCandidate> {
  const { task, target, trainRows, validationRows, training, log } = inputs;
  const pipeline = fitPipeline(inputs.spec, trainRows);
  for (const note of pipeline.notes) log(`note: ${note}`);
  const coding = fitTargets(task, target, trainRows, validationRows);
  // After the data checks: a user mistake fails before any backend fallback is logged.
  const backend = await initBackend({ log });
  const trainPart = encodePart(pipeline, coding, target, trainRows);
  const validationPart = encodePart(pipeline, coding, target, validationRows);
  log(
    `model ${describeModel(model)}: ${pipeline.width} inputs, ` +
      `${coding.labels ? `${coding.classCount} classes` : '1 output'}; backend ${backend.name}`,
  );
  const network = buildModel(model, task, pipeline.width, coding.classCount, training.seed);
  try {
    const progress = inputs.progress
      ? createProgress(process.stderr.isTTY ? { tty: process.stderr, log } : { log })
      : undefined;
    const started = performance.now();
    let history: Awaited<ReturnType<typeof fitModel>>;
    try {
      history = await fitModel(network, trainPart, validationPart, {
        task,
        classCount: coding.classCount,
        training,
        l2: model.l2,
        ...(training.classWeight === 'balanced' && coding.labels
          ? { classWeights: balancedClassWeights(trainPart.y, coding.classCount) }
          : {}),
        ...(progress ? { onEpoch: (report) => progress.onEpoch(report) } : {}),
        ...(inputs.deadline === undefined ? {} : { deadline: inputs.deadline }),
      });
    } finally {
      progress?.finish();
    }
    const trainSeconds = (performance.now() - started) / 1000;
    log(
      `trained ${history.epochsRun} epochs in ${formatSeconds(trainSeconds)}` +
        (history.stoppedEarly ? ' (early stop)' : '') +
        (history.stoppedByDeadline ? ' (stopped by the time budget)' : '') +
        `; kept epoch ${history.bestEpoch}` +
        (validationRows.length > 0 ? `, validation loss ${history.bestValLoss.toFixed(4)}` : ''),
    );
    const parts = { pipeline, labels: coding.labels, targetScaler: coding.scaler };
    return {
      model,
      ...parts,
      trainSeconds,
      history,
      backend: backend.name,
      extra: {},
      files: () => serializeModel(network),
      predictor: (meta) =>
        predictorFromParts({ manifest: meta, ...parts, model: network }, { log }),
      dispose: () => network.dispose(),
    };
  } catch (error) {
    network.dispose();
    throw error;
  }
}
