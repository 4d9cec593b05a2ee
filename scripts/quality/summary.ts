import type { Metrics } from '@tandem/model-store';
import { type DatasetReference, meets } from './references.ts';

/** One training run of one model family on one dataset with one seed. */
export interface QualityRun {
  dataset: string;
  model: string;
  seed: number;
  /** Test metrics; undefined when the run failed (see `error`). */
  metrics?: Metrics;
  /** The model family the run ended with (auto: the one it kept). */
  chosen?: string;
  trainSeconds?: number;
  error?: string;
}

export interface Spread {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1); 0 for one value. */
  sd: number;
  /** Standard error of the mean: sd / sqrt(n). */
  se: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  const variance = n > 1 ? values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1) : 0;
  const sd = Math.sqrt(variance);
  return { n, mean, sd, se: sd / Math.sqrt(n), min: Math.min(...values), max: Math.max(...values) };
}

/** A model family on a dataset over its seeds. */
export interface Cell {
  dataset: string;
  model: string;
  runs: number;
  failed: number;
  headline: Spread | undefined;
  secondary: Spread | undefined;
  seconds: Spread | undefined;
  /** Seeds whose own figure is within one standard error of HGB. */
  seedsMeeting: number;
  /** The mean over seeds is within one standard error of HGB (false when any run failed). */
  meetsHgb: boolean;
  /** auto: how often each family was kept, e.g. { gbdt: 4, mlp: 1 }. */
  chosen: Record<string, number>;
  firstError?: string;
}

export function summarize(
  reference: DatasetReference,
  model: string,
  runs: readonly QualityRun[],
): Cell {
  const mine = runs.filter((run) => run.dataset === reference.dataset && run.model === model);
  const done = mine.filter((run) => run.metrics !== undefined);
  const values = (key: keyof Metrics): number[] =>
    done.map((run) => run.metrics?.[key]).filter((v): v is number => typeof v === 'number');
  const headline = spread(values(reference.metric));
  const chosen: Record<string, number> = {};
  for (const run of done) {
    if (run.chosen) chosen[run.chosen] = (chosen[run.chosen] ?? 0) + 1;
  }
  const failed = mine.length - done.length;
  const firstError = mine.find((run) => run.error !== undefined)?.error;
  return {
    dataset: reference.dataset,
    model,
    runs: mine.length,
    failed,
    headline,
    secondary: spread(values(reference.secondary)),
    seconds: spread(done.map((run) => run.trainSeconds ?? Number.NaN).filter(Number.isFinite)),
    seedsMeeting: values(reference.metric).filter((v) => meets(reference, v)).length,
    meetsHgb: failed === 0 && headline !== undefined && meets(reference, headline.mean),
    chosen,
    ...(firstError !== undefined ? { firstError } : {}),
  };
}
