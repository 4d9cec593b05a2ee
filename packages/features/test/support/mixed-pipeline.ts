import type { PipelineSpec, RawRow } from '../../src/index.ts';
import { pick } from './random.ts';

/** A spec using every column type and transform, for property and round-trip tests. */
export const MIXED_SPEC: PipelineSpec = {
  columns: [
    { name: 'income', type: 'numeric' },
    {
      name: 'ratio',
      type: 'numeric',
      transform: { kind: 'minmax', clip: true },
      outOfRange: 'clip',
    },
    {
      name: 'spread',
      type: 'numeric',
      transform: { kind: 'robust' },
      impute: { strategy: 'mean' },
    },
    { name: 'debt', type: 'numeric', transform: { kind: 'log1p' } },
    { name: 'age', type: 'numeric', transform: { kind: 'bucketize', buckets: 5 } },
    {
      name: 'home',
      type: 'categorical',
      transform: { kind: 'onehot', maxCategories: 3, unknown: 'other' },
    },
    { name: 'job', type: 'categorical', transform: { kind: 'onehot' }, missingIndicator: true },
    { name: 'grade', type: 'categorical', transform: { kind: 'ordinal', unknownValue: -2 } },
    { name: 'owner', type: 'boolean', missingIndicator: true },
    { name: 'since', type: 'datetime' },
    { name: 'empty', type: 'numeric' },
  ],
};

const HOMES = ['rent', 'owner', 'parents', 'priv', 'other'];
const JOBS = ['fixed', 'freelance', 'partime'];
const GRADES = ['A', 'B', 'C'];

/**
 * A random row for MIXED_SPEC. With `unseen`, values may fall outside training: unknown levels,
 * out-of-range numbers, negative debts, numeric strings, absent keys and nulls. Every value stays
 * valid for the spec (no row is rejected).
 */
export function randomMixedRow(random: () => number, unseen: boolean): RawRow {
  const gap = () => random() < 0.15;
  const spreadFactor = unseen ? 3 : 1;
  const number = (scale: number) => (random() - (unseen ? 0.3 : 0)) * scale * spreadFactor;
  const row: Record<string, unknown> = {};
  row['income'] = gap() ? null : random() < 0.2 ? String(Math.round(number(1000))) : number(1000);
  row['ratio'] = gap() ? '' : number(1);
  row['spread'] = gap() ? undefined : number(50);
  row['debt'] = gap() ? null : Math.abs(number(500)) * (unseen && random() < 0.1 ? -1 : 1);
  row['age'] = gap() ? null : 18 + Math.floor(number(60));
  row['home'] = gap()
    ? null
    : unseen && random() < 0.2
      ? `home-${Math.floor(random() * 9)}`
      : pick(random, HOMES);
  row['job'] = gap() ? '' : unseen && random() < 0.2 ? 'retired' : pick(random, JOBS);
  row['grade'] = gap() ? null : unseen && random() < 0.2 ? 'Z' : pick(random, GRADES);
  row['owner'] = gap() ? null : pick(random, [true, false, 'yes', 'no', 1, 0, 'TRUE']);
  row['since'] = gap()
    ? null
    : random() < 0.5
      ? new Date(Date.UTC(2000, 0, 1) + Math.floor(number(20 * 365)) * 86_400_000).toISOString()
      : Date.UTC(2000, 0, 1) + Math.floor(number(6e11));
  row['empty'] = unseen && random() < 0.3 ? number(10) : null;
  if (random() < 0.05) delete row['income'];
  return row;
}
