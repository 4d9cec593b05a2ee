import type { Task } from '@tandem/model-store';
import type { TreeLink } from '@tandem/runtime';

/** The boosting loss of a task, as scikit-learn's HistGradientBoosting names them. */
export type GbdtLoss = 'squared_error' | 'log_loss' | 'softmax';

export function lossOf(task: Task): GbdtLoss {
  return task === 'regression' ? 'squared_error' : task === 'binary' ? 'log_loss' : 'softmax';
}

export const LINK_OF: Record<GbdtLoss, TreeLink> = {
  squared_error: 'identity',
  log_loss: 'logistic',
  softmax: 'softmax',
};

const PROBABILITY_FLOOR = 1e-15;

/**
 * Starting margins: the training mean (squared error), the log-odds of class 1 (log loss), the
 * log class priors less their mean (softmax; a class absent from training gets the log of a
 * tiny floor).
 */
export function baselineMargins(loss: GbdtLoss, y: Float64Array, outputs: number): Float64Array {
  const n = y.length;
  if (loss === 'squared_error') {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += y[i]!;
    return Float64Array.of(sum / n);
  }
  const counts = new Float64Array(loss === 'log_loss' ? 2 : outputs);
  for (let i = 0; i < n; i++) counts[y[i]!]! += 1;
  const clip = (p: number) => Math.min(1 - PROBABILITY_FLOOR, Math.max(PROBABILITY_FLOOR, p));
  if (loss === 'log_loss') {
    const p = clip(counts[1]! / n);
    return Float64Array.of(Math.log(p / (1 - p)));
  }
  // Centred, as scikit-learn's multinomial link: softmax ignores the shift, the margins match.
  const logs = Float64Array.from(counts, (c) => Math.log(clip(c / n)));
  let mean = 0;
  for (const value of logs) mean += value;
  mean /= logs.length;
  return logs.map((value) => value - mean);
}

/**
 * Gradients and hessians of the loss with respect to the margins, float32 as scikit-learn keeps
 * them, and the mean loss at those margins (meanLoss's value, bit for bit: the same terms summed
 * in the same order), from one pass. Squared error: g = m - y, h = 1. Log loss: g = p - y,
 * h = p (1 - p). Softmax: for each class k, g = p_k - [y = k], h = p_k (1 - p_k). `g` and `h`
 * hold rows × outputs, class-major (class k at k * rows).
 */
export function gradients(
  loss: GbdtLoss,
  y: Float64Array,
  margins: Float64Array,
  outputs: number,
  g: Float32Array,
  h: Float32Array,
): number {
  const n = y.length;
  if (n === 0) return Number.NaN;
  let sum = 0;
  if (loss === 'squared_error') {
    for (let i = 0; i < n; i++) {
      const d = margins[i]! - y[i]!;
      sum += 0.5 * d * d;
      g[i] = d;
      h[i] = 1;
    }
    return sum / n;
  }
  if (loss === 'log_loss') {
    for (let i = 0; i < n; i++) {
      const p = sigmoid(margins[i]!);
      const label = y[i]!;
      sum -= Math.log(Math.max(PROBABILITY_FLOOR, label === 1 ? p : 1 - p));
      g[i] = p - label;
      h[i] = p * (1 - p);
    }
    return sum / n;
  }
  const p = new Float64Array(outputs);
  for (let i = 0; i < n; i++) {
    softmax(margins, i * outputs, outputs, p);
    const label = y[i]!;
    sum -= Math.log(Math.max(PROBABILITY_FLOOR, p[label]!));
    for (let k = 0; k < outputs; k++) {
      const pk = p[k]!;
      g[k * n + i] = pk - (k === label ? 1 : 0);
      h[k * n + i] = pk * (1 - pk);
    }
  }
  return sum / n;
}

/** Mean loss: half squared error, log loss (clipped at 1e-15), or cross-entropy. */
export function meanLoss(
  loss: GbdtLoss,
  y: Float64Array,
  margins: Float64Array,
  outputs: number,
): number {
  const n = y.length;
  if (n === 0) return Number.NaN;
  let sum = 0;
  if (loss === 'squared_error') {
    for (let i = 0; i < n; i++) {
      const d = margins[i]! - y[i]!;
      sum += 0.5 * d * d;
    }
  } else if (loss === 'log_loss') {
    for (let i = 0; i < n; i++) {
      const p = sigmoid(margins[i]!);
      sum -= Math.log(Math.max(PROBABILITY_FLOOR, y[i] === 1 ? p : 1 - p));
    }
  } else {
    const p = new Float64Array(outputs);
    for (let i = 0; i < n; i++) {
      softmax(margins, i * outputs, outputs, p);
      sum -= Math.log(Math.max(PROBABILITY_FLOOR, p[y[i]!]!));
    }
  }
  return sum / n;
}

export function sigmoid(m: number): number {
  return 1 / (1 + Math.exp(-m));
}

function softmax(margins: Float64Array, at: number, k: number, out: Float64Array): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < k; c++) if (margins[at + c]! > max) max = margins[at + c]!;
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const e = Math.exp(margins[at + c]! - max);
    out[c] = e;
    sum += e;
  }
  for (let c = 0; c < k; c++) out[c] = out[c]! / sum;
}
