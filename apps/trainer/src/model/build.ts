import type { Task } from '@tandem/model-store';
import { tf } from '@tandem/runtime';
import type { ModelConfig } from '../config/types.ts';
import { deriveSeed } from '../split/prng.ts';

/** Output units: one probability per class, or one standardized value for regression. */
function outputUnits(task: Task, classCount: number): number {
  return task === 'regression' ? 1 : classCount;
}

/**
 * A feed-forward model: `linear` is logistic / softmax / linear regression, `mlp` adds hidden
 * layers. Classification ends in a softmax over the classes (binary too: the predictor reads one
 * probability column per class). Initializers are seeded and layers named explicitly so that the
 * same seed gives the same weights and the same model.json bytes.
 */
export function buildModel(
  config: ModelConfig,
  task: Task,
  inputWidth: number,
  classCount: number,
  seed: number,
): tf.Sequential {
  const model = tf.sequential({ name: 'tandem' });
  let width = inputWidth;
  if (config.type === 'mlp') {
    config.hidden.forEach((units, index) => {
      model.add(
        tf.layers.dense({
          name: `hidden_${index + 1}`,
          units,
          activation: config.activation,
          inputShape: index === 0 ? [width] : undefined,
          kernelInitializer: tf.initializers.glorotUniform({
            seed: deriveSeed(seed, `kernel:${index}`),
          }),
          biasInitializer: 'zeros',
        }),
      );
      if (config.dropout > 0) {
        model.add(tf.layers.dropout({ name: `dropout_${index + 1}`, rate: config.dropout, seed }));
      }
      width = units;
    });
  }
  const units = outputUnits(task, classCount);
  model.add(
    tf.layers.dense({
      name: 'output',
      units,
      activation: task === 'regression' ? 'linear' : 'softmax',
      inputShape: config.type === 'linear' ? [inputWidth] : undefined,
      kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, 'kernel:output') }),
      biasInitializer: 'zeros',
    }),
  );
  return model;
}
