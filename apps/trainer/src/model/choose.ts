import { DEFAULT_LINEAR, DEFAULT_MLP } from '../config/defaults.ts';
import type { ModelConfig, ResolvedConfig } from '../config/types.ts';

/** Below this many training rows 'auto' picks a linear model: an MLP would mostly overfit. */
export const AUTO_MLP_MIN_ROWS = 1000;

/** The concrete model of a config: 'auto' becomes linear or an MLP by training-set size. */
export function chooseModel(model: ResolvedConfig['model'], trainingRows: number): ModelConfig {
  if (model.type !== 'auto') return model;
  return trainingRows < AUTO_MLP_MIN_ROWS
    ? { ...DEFAULT_LINEAR }
    : { ...DEFAULT_MLP, hidden: [...DEFAULT_MLP.hidden] };
}

/** One line for logs: "mlp 64-32 relu, l2 0.0001" or "linear". */
export function describeModel(model: ModelConfig): string {
  if (model.type === 'linear') return model.l2 > 0 ? `linear, l2 ${model.l2}` : 'linear';
  const parts = [`mlp ${model.hidden.join('-')} ${model.activation}`];
  if (model.dropout > 0) parts.push(`dropout ${model.dropout}`);
  if (model.l2 > 0) parts.push(`l2 ${model.l2}`);
  return parts.join(', ');
}
