import type { Task } from '@tandem/model-store';
import { tf } from '@tandem/runtime';
import type { TrainingConfig } from '../config/types.ts';
import { TrainerError } from '../errors.ts';
import { deriveSeed, mulberry32, shuffleInPlace } from '../split/prng.ts';

/** Features and targets of one part, ready for tfjs. */
export interface TrainingPart {
  /** rows × width, row-major. */
  x: Float32Array;
  rows: number;
  width: number;
  /** Classification: class index per row; regression: standardized target per row. */
  y: Float32Array;
}

export interface EpochReport {
  epoch: number;
  epochs: number;
  loss: number;
  valLoss: number;
  bestValLoss: number;
  elapsedMs: number;
}

export interface TrainingHistory {
  epochsRun: number;
  /** 1-based epoch whose weights the model holds at the end. */
  bestEpoch: number;
  bestValLoss: number;
  stoppedEarly: boolean;
  /** Stopped at FitOptions.deadline (a time budget) before early stopping or the last epoch. */
  stoppedByDeadline: boolean;
  loss: number[];
  valLoss: number[];
}

export interface FitOptions {
  task: Task;
  classCount: number;
  training: TrainingConfig;
  /** Weight of each class in the training loss (all 1 when absent). */
  classWeights?: readonly number[];
  l2: number;
  onEpoch?: (report: EpochReport) => void;
  /** performance.now() past which no further epoch starts (at least one runs). */
  deadline?: number;
}

const PROBABILITY_EPSILON = 1e-7;
const VALIDATION_CHUNK = 4096;

/**
 * Trains with a hand-written loop rather than model.fit: batches are shuffled with a seeded PRNG
 * and dropout masks get a fresh seed per step, so a run is reproducible on a given backend.
 * The loss is cross-entropy (weighted per class) or mean squared error, plus l2 × Σ kernel².
 * Early stopping watches the validation loss and can restore the best epoch's weights.
 */
export async function fitModel(
  model: tf.LayersModel,
  train: TrainingPart,
  validation: TrainingPart,
  options: FitOptions,
): Promise<TrainingHistory> {
  const { training, task, classCount } = options;
  const classification = task !== 'regression';
  const optimizer = makeOptimizer(training);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const kernels = variables.filter((variable) => variable.shape.length === 2);
  const dropouts = model.layers.filter((layer) => layer.getClassName() === 'Dropout');
  const xTrain = tf.tensor2d(train.x, [train.rows, train.width]);
  const yTrain = tf.tidy(() =>
    classification
      ? tf.oneHot(tf.tensor1d(Int32Array.from(train.y), 'int32'), classCount).toFloat()
      : tf.tensor2d(train.y, [train.rows, 1]),
  );
  const sampleWeights = tf.tensor1d(
    classification && options.classWeights
      ? Float32Array.from(train.y, (label) => options.classWeights?.[label] ?? 1)
      : new Float32Array(train.rows).fill(1),
  );
  const validationChunks = uploadValidation(validation, classification, classCount);
  const random = mulberry32(deriveSeed(training.seed, 'shuffle'));
  const dropoutSeeds = mulberry32(deriveSeed(training.seed, 'dropout'));
  const order = Array.from({ length: train.rows }, (_, i) => i);
  const history: TrainingHistory = {
    epochsRun: 0,
    bestEpoch: 0,
    bestValLoss: Number.POSITIVE_INFINITY,
    stoppedEarly: false,
    stoppedByDeadline: false,
    loss: [],
    valLoss: [],
  };
  const stopping = training.earlyStopping;
  const restoreBest = stopping !== false && stopping.restoreBest;
  let best: tf.Tensor[] | null = null;
  let sinceBest = 0;
  const started = performance.now();
  try {
    for (let epoch = 1; epoch <= training.epochs; epoch++) {
      shuffleInPlace(order, random);
      let lossSum = 0;
      for (let start = 0; start < train.rows; start += training.batchSize) {
        const batch = order.slice(start, start + training.batchSize);
        // A fixed dropout seed would draw the same mask at every step.
        for (const layer of dropouts) setDropoutSeed(layer, Math.floor(dropoutSeeds() * 2 ** 31));
        const loss = tf.tidy(() => {
          const indices = tf.tensor1d(batch, 'int32');
          const xb = tf.gather(xTrain, indices);
          const yb = tf.gather(yTrain, indices);
          const wb = tf.gather(sampleWeights, indices);
          const value = optimizer.minimize(
            () => {
              const output = model.apply(xb, { training: true }) as tf.Tensor;
              const data = dataLoss(classification, output, yb, wb);
              return penalty(kernels, options.l2, data);
            },
            true,
            variables,
          );
          return value as tf.Scalar;
        });
        lossSum += (await loss.data())[0] ?? Number.NaN;
        loss.dispose();
      }
      const steps = Math.ceil(train.rows / training.batchSize);
      const trainLoss = lossSum / steps;
      // No validation rows (auto's refit, a fixed epoch count): nothing to watch, NaN.
      const valLoss = validationLoss(model, validationChunks, classification);
      if (!Number.isFinite(trainLoss) || (validation.rows > 0 && !Number.isFinite(valLoss))) {
        throw new TrainerError(
          'TANDEM_TRAINING_FAILED',
          `training diverged at epoch ${epoch} (loss ${trainLoss}, validation loss ${valLoss}): lower training.learningRate`,
        );
      }
      history.epochsRun = epoch;
      history.loss.push(trainLoss);
      if (validation.rows > 0) history.valLoss.push(valLoss);
      const improved = valLoss < history.bestValLoss - (stopping ? stopping.minDelta : 0);
      if (improved) {
        history.bestValLoss = valLoss;
        history.bestEpoch = epoch;
        sinceBest = 0;
        if (restoreBest) {
          for (const tensor of best ?? []) tensor.dispose();
          best = model.getWeights().map((weight) => weight.clone());
        }
      } else {
        sinceBest++;
      }
      options.onEpoch?.({
        epoch,
        epochs: training.epochs,
        loss: trainLoss,
        valLoss,
        bestValLoss: history.bestValLoss,
        elapsedMs: performance.now() - started,
      });
      if (stopping && sinceBest >= stopping.patience) {
        history.stoppedEarly = true;
        break;
      }
      if (
        options.deadline !== undefined &&
        epoch < training.epochs &&
        performance.now() >= options.deadline
      ) {
        history.stoppedByDeadline = true;
        break;
      }
    }
    if (restoreBest && best) {
      model.setWeights(best);
    } else {
      history.bestEpoch = history.epochsRun;
    }
    if (validation.rows === 0) history.bestValLoss = Number.NaN;
    for (const layer of dropouts) setDropoutSeed(layer, training.seed);
    return history;
  } finally {
    for (const tensor of best ?? []) tensor.dispose();
    tf.dispose([xTrain, yTrain, sampleWeights]);
    for (const chunk of validationChunks) tf.dispose([chunk.x, chunk.y]);
    optimizer.dispose();
  }
}

function makeOptimizer(training: TrainingConfig): tf.Optimizer {
  switch (training.optimizer) {
    case 'sgd':
      return tf.train.sgd(training.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(training.learningRate);
    case 'adagrad':
      return tf.train.adagrad(training.learningRate);
    default:
      return tf.train.adam(training.learningRate);
  }
}

/** Mean over rows of the (weighted) cross-entropy, or the mean squared error. */
function dataLoss(
  classification: boolean,
  output: tf.Tensor,
  target: tf.Tensor,
  weights?: tf.Tensor,
): tf.Scalar {
  if (!classification) return tf.mean(tf.square(tf.sub(output, target)));
  const p = tf.clipByValue(output, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON);
  const perRow = tf.neg(tf.sum(tf.mul(target, tf.log(p)), 1));
  return tf.mean(weights ? tf.mul(perRow, weights) : perRow);
}

function penalty(kernels: readonly tf.Variable[], l2: number, loss: tf.Scalar): tf.Scalar {
  if (l2 === 0 || kernels.length === 0) return loss;
  const squares = kernels.map((kernel) => tf.sum(tf.square(kernel)));
  return tf.add(loss, tf.mul(l2, tf.addN(squares))) as tf.Scalar;
}

/** The validation part as tensors, uploaded once for the whole run in chunks of rows. */
interface ValidationChunk {
  x: tf.Tensor2D;
  y: tf.Tensor;
  rows: number;
}

function uploadValidation(
  part: TrainingPart,
  classification: boolean,
  classCount: number,
): ValidationChunk[] {
  const chunks: ValidationChunk[] = [];
  for (let start = 0; start < part.rows; start += VALIDATION_CHUNK) {
    const rows = Math.min(VALIDATION_CHUNK, part.rows - start);
    const x = part.x.subarray(start * part.width, (start + rows) * part.width);
    const yValues = part.y.subarray(start, start + rows);
    chunks.push(
      tf.tidy(() => ({
        x: tf.tensor2d(x, [rows, part.width]),
        y: classification
          ? tf.oneHot(tf.tensor1d(Int32Array.from(yValues), 'int32'), classCount).toFloat()
          : tf.tensor2d(yValues, [rows, 1]),
        rows,
      })),
    );
  }
  return chunks;
}

/** Unweighted data loss over the validation rows, without the l2 term (what early stopping watches). */
function validationLoss(
  model: tf.LayersModel,
  chunks: readonly ValidationChunk[],
  classification: boolean,
): number {
  let total = 0;
  let rows = 0;
  for (const chunk of chunks) {
    const sum = tf.tidy(() => {
      const output = model.predict(chunk.x, { batchSize: chunk.rows }) as tf.Tensor;
      return tf.mul(dataLoss(classification, output, chunk.y), chunk.rows);
    });
    total += sum.dataSync()[0] ?? Number.NaN;
    sum.dispose();
    rows += chunk.rows;
  }
  return rows === 0 ? Number.NaN : total / rows;
}

function setDropoutSeed(layer: tf.layers.Layer, seed: number): void {
  // tfjs keeps the seed as a plain field read at each call (layers/core.js, Dropout.call).
  (layer as unknown as { seed?: number }).seed = seed;
}
