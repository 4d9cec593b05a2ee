/**
 * Training speed: `npm run bench:train`.
 *
 * 1. MLP (mlp-training.ts): the shipped credit config end to end, then Tandem's training loop
 *    against tfjs's model.fit on the same tensors; samples/s per epoch.
 * 2. gbdt (gbdt-training.ts): Tandem's gradient-boosted trees against scikit-learn's
 *    HistGradientBoosting on credit and on 500,000 rows made from credit, same rows and cores,
 *    fit seconds and the ratio Tandem ÷ scikit-learn. scikit-learn comes from /usr/bin/python3
 *    when it has it; nothing is installed.
 *
 * `--only mlp` or `--only gbdt` runs one part.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gbdtFigures } from './gbdt-training.ts';
import { mlpFigures } from './mlp-training.ts';

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const parts = values.only === undefined ? ['mlp', 'gbdt'] : [values.only];
if (!parts.every((part) => part === 'mlp' || part === 'gbdt')) {
  throw new Error(`--only expects mlp or gbdt, got ${JSON.stringify(values.only)}`);
}
console.log(`node ${process.version}`);
if (parts.includes('mlp')) await mlpFigures();
if (parts.includes('gbdt')) {
  const folder = await mkdtemp(path.join(tmpdir(), 'tandem-gbdt-bench-'));
  try {
    await gbdtFigures(folder);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
