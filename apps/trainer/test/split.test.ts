import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RawRow } from '@tandem/features';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.ts';
import type { ResolvedConfig } from '../src/config/types.ts';
import { type Dataset, loadDataset } from '../src/data/load.ts';
import { holdOut } from '../src/split/holdout.ts';
import { deriveSeed, mulberry32 } from '../src/split/prng.ts';
import { splitDataset } from '../src/split/split.ts';
import { DATA, tempDir, writeJson } from './support.ts';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir('split'));
});
afterAll(() => remove());

async function setup(
  file: string,
  target: string,
  task: ResolvedConfig['task'],
  split?: Record<string, unknown>,
): Promise<{ config: ResolvedConfig; dataset: Dataset }> {
  const config = await loadConfig({
    name: 'x',
    data: path.join(DATA, file),
    target,
    task,
    ...(split ? { split } : {}),
  } as never);
  return { config, dataset: await loadDataset(config, { profile: false }) };
}

function share(
  rows: readonly RawRow[],
  indices: readonly number[],
  target: string,
  value: string,
): number {
  return indices.filter((i) => rows[i]?.[target] === value).length / indices.length;
}

describe('seeded random numbers', () => {
  it('repeat for a seed and differ between seeds and purposes', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect(mulberry32(8)()).not.toBe(first[0]);
    expect(deriveSeed(42, 'test')).toBe(deriveSeed(42, 'test'));
    expect(deriveSeed(42, 'test')).not.toBe(deriveSeed(42, 'validation'));
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('holdOut', () => {
  it('holds out round(fraction × n) rows, the same share of every stratum', () => {
    const indices = Array.from({ length: 100 }, (_, i) => i);
    const strata = indices.map((i) => (i < 70 ? 'a' : 'b'));
    const { kept, heldOut } = holdOut(indices, strata, 0.2, 1);
    expect(heldOut).toHaveLength(20);
    expect(kept).toHaveLength(80);
    expect(heldOut.filter((i) => i < 70)).toHaveLength(14);
    expect([...kept, ...heldOut].sort((x, y) => x - y)).toEqual(indices);
  });

  it('always leaves a row on each side', () => {
    expect(holdOut([4, 9], ['a', 'a'], 0.01, 1).heldOut).toHaveLength(1);
    expect(holdOut([4, 9], ['a', 'a'], 0.99, 1).kept).toHaveLength(1);
  });
});

describe('splitDataset', () => {
  it('gives the same parts for the same seed and other parts for another seed', async () => {
    const { config, dataset } = await setup('credit.csv', 'Status', 'binary');
    const first = await splitDataset(dataset, config);
    const again = await splitDataset(dataset, config);
    expect(again).toEqual(first);
    const other = await splitDataset(dataset, { ...config, split: { ...config.split, seed: 7 } });
    expect(other.test).not.toEqual(first.test);
    expect(other.test).toHaveLength(first.test.length);
  });

  it('partitions the rows 72 / 8 / 20 and keeps the class balance in every part', async () => {
    const { config, dataset } = await setup('credit.csv', 'Status', 'binary');
    const split = await splitDataset(dataset, config);
    const n = dataset.rows.length;
    expect(split.test).toHaveLength(Math.round(0.2 * n));
    expect(split.validation).toHaveLength(Math.round(0.1 * (n - split.test.length)));
    const all = [...split.train, ...split.validation, ...split.test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
    const overall = share(dataset.rows, all, 'Status', 'bad');
    for (const part of [split.train, split.validation, split.test]) {
      expect(Math.abs(share(dataset.rows, part, 'Status', 'bad') - overall)).toBeLessThan(0.005);
    }
  });

  it('stratifies a regression target by deciles', async () => {
    const { config, dataset } = await setup('cars.csv', 'Miles_per_Gallon', 'regression');
    const split = await splitDataset(dataset, config);
    const values = (indices: number[]) =>
      indices.map((i) => Number(dataset.rows[i]?.['Miles_per_Gallon']));
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const all = values([...split.train, ...split.validation, ...split.test]);
    const test = values(split.test);
    // Each decile gives a fifth of its rows: the test mean stays within a few tenths of a mpg.
    expect(Math.abs(mean(test) - mean(all))).toBeLessThan(0.5);
    expect(Math.min(...test)).toBeLessThan(14);
    expect(Math.max(...test)).toBeGreaterThan(36);
  });

  it('reads the fixed split files by data-row number of the file', async () => {
    const splitFile = path.join(DATA, 'splits/cars.json');
    const { config, dataset } = await setup('cars.csv', 'Miles_per_Gallon', 'regression', {
      file: splitFile,
    });
    const fixed = JSON.parse(await readFile(splitFile, 'utf8')) as {
      train: number[];
      test: number[];
    };
    const split = await splitDataset(dataset, config);
    expect(dataset.rowsWithoutTarget).toBe(8);
    expect(split.test.map((i) => dataset.rowNumbers[i])).toEqual(
      [...fixed.test].sort((a, b) => a - b),
    );
    const trainAll = [...split.train, ...split.validation].map(
      (i) => dataset.rowNumbers[i] as number,
    );
    expect(trainAll.sort((a, b) => a - b)).toEqual([...fixed.train].sort((a, b) => a - b));
    expect(split.validation).toHaveLength(Math.round(0.1 * fixed.train.length));
    // Data rows 10 to 14 have no target: row 15 is the eleventh row holding one.
    expect(dataset.rowNumbers.indexOf(15)).toBe(10);
    expect(dataset.rows[10]?.['Name']).toBe('dodge challenger se');
    expect(fixed.train).toContain(15);
  });

  it('refuses a split file listing a row without a target, out of range or twice', async () => {
    const { config, dataset } = await setup('cars.csv', 'Miles_per_Gallon', 'regression');
    const attempt = async (content: unknown) => {
      const file = await writeJson(
        path.join(dir, `s${Math.random().toString(36).slice(2)}.json`),
        content,
      );
      return splitDataset(dataset, {
        ...config,
        split: { file, validation: 0.1, seed: 1, stratify: true },
      });
    };
    await expect(attempt({ train: [0, 1, 10], test: [2] })).rejects.toThrow(
      /lists row 10, which has no target/,
    );
    await expect(attempt({ train: [0, 1], test: [406] })).rejects.toThrow(
      /"test" holds 406, not a row number in \[0, 406\)/,
    );
    await expect(attempt({ train: [0, 1], test: [1] })).rejects.toThrow(/row 1 is listed twice/);
    await expect(attempt({ train: [0, 1] })).rejects.toThrow(/"test" must be a non-empty array/);
    const broken = path.join(dir, 'broken-split.json');
    await writeFile(broken, '[');
    await expect(
      splitDataset(dataset, {
        ...config,
        split: { file: broken, validation: 0.1, seed: 1, stratify: true },
      }),
    ).rejects.toMatchObject({ code: 'TANDEM_SPLIT_INVALID' });
    const folder = path.join(dir, 'split-folder.json');
    await mkdir(folder);
    await expect(
      splitDataset(dataset, {
        ...config,
        split: { file: folder, validation: 0.1, seed: 1, stratify: true },
      }),
    ).rejects.toThrow(/^split file is a directory: .*split-folder\.json$/);
  });
});
