import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Metrics } from '@tandem/model-store';
import { train } from '../train/run.ts';
import { passes, QUALITY_TARGETS, type QualityTarget } from './references.ts';

export interface QualityRun {
  target: QualityTarget;
  /** The config's own seed, or the seed given. */
  seed: number | 'config';
  value: number | undefined;
  passed: boolean;
  metrics: Metrics;
  baseline: Metrics;
  trainSeconds: number;
  epochs: number;
  backend: string;
}

export interface QualityOptions {
  /** Repository root: the configs' paths start there. */
  root: string;
  /** Extra seeds each config is also trained with (robustness check). */
  seeds?: readonly number[];
  log?: (line: string) => void;
}

/**
 * Trains every shipped config into a throw-away model store and measures it against its
 * reference: once with the config's own seed, then once per extra seed.
 */
export async function runQuality(options: QualityOptions): Promise<{ runs: QualityRun[] }> {
  const log = options.log ?? (() => {});
  const artifacts = await mkdtemp(path.join(tmpdir(), 'tandem-quality-'));
  const runs: QualityRun[] = [];
  try {
    for (const target of QUALITY_TARGETS) {
      for (const seed of ['config', ...(options.seeds ?? [])] as const) {
        log(`training ${target.dataset}${seed === 'config' ? '' : ` with seed ${seed}`}`);
        const result = await train({
          config: path.join(options.root, target.config),
          artifacts,
          ...(seed === 'config' ? {} : { seed }),
        });
        result.predictor.dispose();
        const value = result.metrics[target.metric];
        runs.push({
          target,
          seed,
          value,
          passed: passes(target, value),
          metrics: result.metrics,
          baseline: result.baseline,
          trainSeconds: result.trainSeconds,
          epochs: result.history.epochsRun,
          backend: result.backend,
        });
        log(`  ${target.metric} ${value?.toFixed(4)} in ${result.trainSeconds.toFixed(1)}s`);
      }
    }
  } finally {
    await rm(artifacts, { recursive: true, force: true });
  }
  return { runs };
}
