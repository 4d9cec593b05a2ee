import type { AutoModelConfig, ModelConfig } from '../config/types.ts';

/**
 * One line for logs: "mlp 64-32 relu, l2 0.0001", "linear", "gbdt 100 iterations × 31 leaves",
 * or for auto's ensemble its candidates.
 */
export function describeModel(model: ModelConfig | AutoModelConfig): string {
  if (model.type === 'auto')
    return `ensemble of auto's candidates (${model.candidates.join(', ')})`;
  if (model.type === 'linear') return model.l2 > 0 ? `linear, l2 ${model.l2}` : 'linear';
  if (model.type === 'gbdt') {
    const parts = [`gbdt ≤ ${model.maxIter} iterations × ${model.maxLeafNodes} leaves`];
    parts.push(`learning rate ${model.learningRate}`);
    if (model.maxDepth !== null) parts.push(`depth ≤ ${model.maxDepth}`);
    if (model.l2 > 0) parts.push(`l2 ${model.l2}`);
    return parts.join(', ');
  }
  const parts = [`mlp ${model.hidden.join('-')} ${model.activation}`];
  if (model.dropout > 0) parts.push(`dropout ${model.dropout}`);
  if (model.l2 > 0) parts.push(`l2 ${model.l2}`);
  return parts.join(', ');
}
