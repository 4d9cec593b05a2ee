import { describe, expect, it } from 'vitest';
import { FeatureInputError, fitPipeline, type RawRow } from '../src/index.ts';
import { MIXED_SPEC, randomMixedRow } from './support/mixed-pipeline.ts';
import { seededRandom } from './support/random.ts';

describe('transform(row) and transformBatch(rows) agree', () => {
  it.each([1, 2, 3, 4, 5])('on random rows with gaps and unseen values (seed %i)', (seed) => {
    const random = seededRandom(seed);
    const pipeline = fitPipeline(
      MIXED_SPEC,
      Array.from({ length: 200 }, () => randomMixedRow(random, false)),
    );
    const rows = Array.from({ length: 400 }, () => randomMixedRow(random, true));
    // A reused buffer holds the previous batch: fill it with junk so every output must be written.
    const reused = new Float32Array(rows.length * pipeline.width).fill(Number.NaN);
    const batch = pipeline.transformBatch(rows, { out: reused });
    expect(batch.rejected).toEqual([]);
    expect(batch.issues.length).toBeGreaterThan(0);
    rows.forEach((row, i) => {
      const single = pipeline.transform(row);
      const slice = batch.values.subarray(i * pipeline.width, (i + 1) * pipeline.width);
      // Bitwise equality of the Float32 values, not closeness.
      const same = Buffer.from(single.values.buffer).equals(Buffer.from(slice.slice().buffer));
      if (!same) expect([...single.values]).toEqual([...slice]);
      expect(same).toBe(true);
      const batchIssues = batch.issues
        .filter((issue) => issue.row === i)
        .map((issue) => ({ ...issue, row: 0 }));
      expect(single.issues).toEqual(batchIssues);
    });
    expect(batch.values.every(Number.isFinite)).toBe(true);
  });

  it('and agree on which rows are invalid', () => {
    const random = seededRandom(11);
    const pipeline = fitPipeline(
      MIXED_SPEC,
      Array.from({ length: 200 }, () => randomMixedRow(random, false)),
    );
    const breakers: Array<[string, unknown]> = [
      ['income', 'abc'],
      ['ratio', Number.NaN],
      ['home', { nested: true }],
      ['owner', 'maybe'],
      ['since', 'soon'],
    ];
    const rows: RawRow[] = Array.from({ length: 300 }, () => {
      const row = { ...randomMixedRow(random, true) } as Record<string, unknown>;
      if (random() < 0.2) {
        const [column, value] = breakers[Math.floor(random() * breakers.length)]!;
        row[column] = value;
      }
      return row;
    });
    const batch = pipeline.transformBatch(rows, { errors: 'collect' });
    expect(batch.rejected.length).toBeGreaterThan(20);
    rows.forEach((row, i) => {
      const rejected = batch.rejected.includes(i);
      if (rejected) {
        expect(() => pipeline.transform(row)).toThrow(FeatureInputError);
        expect(
          [...batch.values.subarray(i * pipeline.width, (i + 1) * pipeline.width)].every(
            (v) => v === 0,
          ),
        ).toBe(true);
      } else {
        expect([...pipeline.transform(row).values]).toEqual([
          ...batch.values.subarray(i * pipeline.width, (i + 1) * pipeline.width),
        ]);
      }
    });
  });
});
