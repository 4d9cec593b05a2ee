import { type BackendName, currentBackend } from './backend.ts';
import type { EngineKind } from './engine.ts';
import { tf } from './tf.ts';

/**
 * The most probable class of one row of probabilities, out[offset, offset + width): the index of
 * the largest value. Tie rule: the first (lowest) index wins, as numpy's argmax and
 * toPredictions; a NaN never wins, so a row of NaN gives 0.
 *
 * @example predictedClass(batch.outputs, row * batch.width, batch.width)
 */
export function predictedClass(
  probabilities: ArrayLike<number>,
  offset = 0,
  width: number = probabilities.length - offset,
): number {
  let best = 0;
  let bestValue = probabilities[offset] as number;
  for (let k = 1; k < width; k++) {
    const p = probabilities[offset + k] as number;
    if (p > bestValue || (Number.isNaN(bestValue) && !Number.isNaN(p))) {
      best = k;
      bestValue = p;
    }
  }
  return best;
}

export interface RuntimeInfo {
  /** The tfjs backend initBackend settled on; null before it ran (tree models need none). */
  backend: BackendName | null;
  /** The engine of the predictor asked about; null without one. */
  engine: EngineKind | null;
  /** The tfjs version this build carries. */
  tfjs: string;
}

/** What runs predictions here: for metadata routes, manifests and benchmark headers. */
export function runtimeInfo(predictor?: { engine: EngineKind }): RuntimeInfo {
  return {
    backend: currentBackend() ?? null,
    engine: predictor?.engine ?? null,
    tfjs: tf.version.tfjs,
  };
}
