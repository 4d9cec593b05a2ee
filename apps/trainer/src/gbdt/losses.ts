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

/** A loss as the gradient kernel (and its worker threads) numbers it. */
export const LOSS_CODE: Record<GbdtLoss, number> = { squared_error: 0, log_loss: 1, softmax: 2 };

/**
 * Rows start … end - 1: gradients and hessians of the loss with respect to the margins, float32
 * as scikit-learn keeps them, and each row's loss term (half squared error, or minus the log of
 * the label's probability clipped at 1e-15) in `terms`. Squared error (code 0): g = m - y,
 * h = 1. Log loss (1): g = p - y, h = p (1 - p). Softmax (2): for each class k,
 * g = p_k - [y = k], h = p_k (1 - p_k). `g` and `h` hold rows × outputs, class-major (class k at
 * k * rows); margins rows × outputs, row-major.
 *
 * Self-contained (literals only): histogram-threads.ts runs this function's source on its worker
 * threads, which compute shares of the rows; a row's values do not depend on who computes them.
 */
export function gradientRows(
  code: number,
  y: Float64Array,
  margins: Float64Array,
  outputs: number,
  g: Float32Array,
  h: Float32Array,
  terms: Float64Array,
  start: number,
  end: number,
): void {
  if (code === 0) {
    for (let i = start; i < end; i++) {
      const d = margins[i]! - y[i]!;
      terms[i] = 0.5 * d * d;
      g[i] = d;
      h[i] = 1;
    }
  } else if (code === 1) {
    for (let i = start; i < end; i++) {
      const p = 1 / (1 + Math.exp(-margins[i]!));
      const label = y[i]!;
      terms[i] = Math.log(Math.max(1e-15, label === 1 ? p : 1 - p));
      g[i] = p - label;
      h[i] = p * (1 - p);
    }
  } else {
    const n = y.length;
    const p = new Float64Array(outputs);
    for (let i = start; i < end; i++) {
      const at = i * outputs;
      let max = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < outputs; c++) if (margins[at + c]! > max) max = margins[at + c]!;
      let sum = 0;
      for (let c = 0; c < outputs; c++) {
        const e = Math.exp(margins[at + c]! - max);
        p[c] = e;
        sum += e;
      }
      for (let c = 0; c < outputs; c++) p[c] = p[c]! / sum;
      const label = y[i]!;
      terms[i] = Math.log(Math.max(1e-15, p[label]!));
      for (let k = 0; k < outputs; k++) {
        const pk = p[k]!;
        g[k * n + i] = pk - (k === label ? 1 : 0);
        h[k * n + i] = pk * (1 - pk);
      }
    }
  }
}

/** The mean loss from the rows' terms, summed in row order (whoever computed them). */
export function meanOfTerms(loss: GbdtLoss, terms: Float64Array): number {
  const n = terms.length;
  if (n === 0) return Number.NaN;
  let sum = 0;
  if (loss === 'squared_error') for (let i = 0; i < n; i++) sum += terms[i]!;
  else for (let i = 0; i < n; i++) sum -= terms[i]!;
  return sum / n;
}

/**
 * Gradients and hessians of every row (gradientRows) and the mean loss at these margins, on
 * this thread. `terms` (rows) is scratch.
 */
export function gradients(
  loss: GbdtLoss,
  y: Float64Array,
  margins: Float64Array,
  outputs: number,
  g: Float32Array,
  h: Float32Array,
  terms: Float64Array = new Float64Array(y.length),
): number {
  gradientRows(LOSS_CODE[loss], y, margins, outputs, g, h, terms, 0, y.length);
  return meanOfTerms(loss, terms);
}

/** Mean loss: half squared error, log loss (clipped at 1e-15), or cross-entropy. */
export function meanLoss(
  loss: GbdtLoss,
  y: Float64Array,
  margins: Float64Array,
  outputs: number,
): number {
  const cells = y.length * outputs;
  return gradients(loss, y, margins, outputs, new Float32Array(cells), new Float32Array(cells));
}
