import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Metrics } from '@tandem/model-store';
import { type TrainConfig, train } from '@tandem/trainer';
import type { DatasetReference } from './references.ts';
import type { QualityRun } from './summary.ts';

export const MODELS = ['linear', 'mlp', 'gbdt', 'auto'] as const;
export type ModelFamily = (typeof MODELS)[number];

export interface QualityOptions {
  /** Repository root: the configs' paths start there. */
  root: string;
  datasets: readonly DatasetReference[];
  models: readonly ModelFamily[];
  seeds: readonly number[];
  log?: (line: string) => void;
  /** Called after every run with all runs so far (to save them as they come). */
  onRun?: (runs: readonly QualityRun[]) => Promise<void>;
}

interface ShippedConfig extends Record<string, unknown> {
  name: string;
  data: string;
  target: string;
  task: TrainConfig['task'];
  drop?: string[];
  split: { file: string } & Record<string, unknown>;
  model?: { type: string } & Record<string, unknown>;
}

/**
 * The config a run trains. linear and mlp keep the shipped config's training settings (and its
 * model settings when it ships that family); gbdt and auto get the four required keys, the
 * columns the shipped config drops and its split file, every other setting at its default:
 * what a user who names only the data gets.
 */
export async function configFor(
  root: string,
  reference: DatasetReference,
  model: ModelFamily,
): Promise<TrainConfig> {
  const file = path.join(root, reference.config);
  const shipped = JSON.parse(await readFile(file, 'utf8')) as ShippedConfig;
  const folder = path.dirname(file);
  const data = path.resolve(folder, shipped.data);
  const splitFile = path.resolve(folder, shipped.split.file);
  if (model === 'gbdt' || model === 'auto') {
    return {
      name: shipped.name,
      data,
      target: shipped.target,
      task: shipped.task,
      ...(shipped.drop ? { drop: shipped.drop } : {}),
      split: { file: splitFile },
      model: { type: model },
    } as TrainConfig;
  }
  return {
    ...shipped,
    data,
    split: { ...shipped.split, file: splitFile },
    model: shipped.model?.type === model ? shipped.model : { type: model },
  } as TrainConfig;
}

/**
 * Trains every dataset with every model family and seed into a throw-away model store and
 * records the test metrics. A run that fails is recorded with its error and the others go on.
 */
export async function runQuality(options: QualityOptions): Promise<QualityRun[]> {
  const log = options.log ?? (() => {});
  const artifacts = await mkdtemp(path.join(tmpdir(), 'tandem-quality-'));
  const runs: QualityRun[] = [];
  try {
    for (const reference of options.datasets) {
      for (const model of options.models) {
        const config = await configFor(options.root, reference, model);
        for (const seed of options.seeds) {
          const where = `${reference.dataset} ${model} seed ${seed}`;
          try {
            const result = await train({ config, artifacts, seed });
            const kept =
              result.predictor.engine === 'ensemble' ? 'ensemble' : result.config.model.type;
            result.predictor.dispose();
            const value = result.metrics[reference.metric];
            runs.push({
              dataset: reference.dataset,
              model,
              seed,
              metrics: result.metrics,
              chosen: kept,
              trainSeconds: result.trainSeconds,
            });
            log(
              `${where}: ${reference.metric} ${value?.toFixed(4)} (${kept}) ` +
                `in ${result.trainSeconds.toFixed(1)} s`,
            );
          } catch (error) {
            const message = (error as Error).message.split('\n')[0] ?? String(error);
            runs.push({ dataset: reference.dataset, model, seed, error: message });
            log(`${where}: failed: ${message}`);
          }
          await options.onRun?.(runs);
        }
      }
    }
  } finally {
    await rm(artifacts, { recursive: true, force: true });
  }
  return runs;
}

/**
 * scikit-learn HGB's test metrics on Tandem's own tree encoding (missing values as NaN, native
 * categories), from the agreement fixtures that scripts/reference/hgb_agreement.py writes.
 */
export async function nativeHgbMetrics(
  root: string,
  dataset: string,
): Promise<{ metrics: Metrics; sklearn: string } | undefined> {
  const file = path.join(root, 'apps/trainer/test/fixtures/sklearn', `${dataset}.json`);
  try {
    const fixture = JSON.parse(await readFile(file, 'utf8')) as {
      metrics: Metrics;
      versions: { sklearn: string };
    };
    return { metrics: fixture.metrics, sklearn: fixture.versions.sklearn };
  } catch {
    return undefined;
  }
}
