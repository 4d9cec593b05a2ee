import { describe, expect, it } from 'vitest';
import { FittedPipeline, fitPipeline, inferSchema } from '../src/index.ts';
import { CREDIT_TARGET, readCreditRows, readCreditSplit } from './support/credit.ts';

describe('the credit dataset', () => {
  const rows = readCreditRows();
  const split = readCreditSplit();
  // Credit has no row without a target, so the training split applies to the rows as read.
  const labelled = rows.filter((row) => row[CREDIT_TARGET] !== '');
  const training = split.train.map((i) => labelled[i]!);
  const { spec, report } = inferSchema(training, { exclude: [CREDIT_TARGET] });
  const pipeline = fitPipeline(spec, training);

  it('has 4454 rows, all labelled, 3563 of them in the training split', () => {
    expect(rows).toHaveLength(4454);
    expect(labelled).toHaveLength(4454);
    expect(training).toHaveLength(3563);
  });

  it('infers 9 numeric, 3 categorical and 1 boolean input columns', () => {
    // The issue expected "8 numeric and 5 categorical", but the file has 13 input columns:
    // 9 hold numbers, Home / Marital / Job hold words, and Records holds only "yes" / "no",
    // which the inference rules make boolean.
    const typeOf = Object.fromEntries(report.columns.map((column) => [column.name, column.type]));
    expect(typeOf).toEqual({
      Seniority: 'numeric',
      Home: 'categorical',
      Time: 'numeric',
      Age: 'numeric',
      Marital: 'categorical',
      Records: 'boolean',
      Job: 'categorical',
      Expenses: 'numeric',
      Income: 'numeric',
      Assets: 'numeric',
      Debt: 'numeric',
      Amount: 'numeric',
      Price: 'numeric',
    });
    expect(report.excluded).toEqual(['Status']);
  });

  it('counts the training gaps and adds indicators for the numeric columns that had them', () => {
    const missing = Object.fromEntries(
      report.columns.filter((c) => c.missing > 0).map((c) => [c.name, c.missing]),
    );
    expect(missing).toEqual({ Home: 3, Marital: 1, Job: 2, Income: 305, Assets: 38, Debt: 11 });
    expect(pipeline.outputNames.filter((name) => name.endsWith(':missing'))).toEqual([
      'Income:missing',
      'Assets:missing',
      'Debt:missing',
    ]);
    // 9 numeric + 3 indicators + Home (6 levels) + Marital (5) + Job (4) + Records.
    expect(pipeline.width).toBe(28);
  });

  it('transforms all 4454 rows, as CSV strings, without a NaN', () => {
    const batch = pipeline.transformBatch(rows);
    expect(batch.rows).toBe(4454);
    expect(batch.rejected).toEqual([]);
    expect(batch.values).toHaveLength(4454 * 28);
    expect(batch.values.every(Number.isFinite)).toBe(true);
    const issueCount = (kind: string) => batch.issues.filter((issue) => issue.kind === kind).length;
    // Every empty field of the 13 input columns: 6 + 1 + 2 + 381 + 47 + 18.
    expect(issueCount('missing')).toBe(455);
    expect(issueCount('unseen_category')).toBe(0);
  });

  it('gives the same output after a JSON round trip of the state', () => {
    const restored = FittedPipeline.fromJSON(JSON.parse(JSON.stringify(pipeline.toJSON())));
    const expected = pipeline.transformBatch(rows).values;
    const actual = restored.transformBatch(rows).values;
    // Bitwise comparison of the Float32 bytes.
    expect(Buffer.compare(Buffer.from(actual.buffer), Buffer.from(expected.buffer))).toBe(0);
  });
});
