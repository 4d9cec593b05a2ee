import type { RawRow } from '@tandem/features';
import { describe, expect, it } from 'vitest';
import {
  buildReferenceProfile,
  compareRows,
  DriftMonitor,
  encodeProfile,
  parseProfile,
  profileFromPredictor,
} from '../src/index.ts';
import { creditSplit, fakeOutputs, fakeScores } from './data.ts';

const { train, test, inputs } = creditSplit();
const profile = parseProfile(
  encodeProfile(buildReferenceProfile(train, inputs, fakeOutputs(train))),
);

function drifted(report: ReturnType<typeof compareRows>): string[] {
  return report.columns.filter((c) => c.verdict === 'drift').map((c) => c.name);
}

function figure(
  report: ReturnType<typeof compareRows>,
  column: string,
  metric: string,
): number | null {
  const c = report.columns.find((x) => x.name === column);
  return c?.metrics.find((m) => m.metric === metric)?.value ?? null;
}

describe('reference profile', () => {
  it('records every input column with bins or levels and the outputs', () => {
    expect(profile.rows).toBe(train.length);
    expect(profile.columns.map((c) => c.name)).toEqual(inputs.map((c) => c.name));
    const income = profile.columns.find((c) => c.name === 'Income');
    expect(income?.kind).toBe('numeric');
    if (income?.kind !== 'numeric') throw new Error('unreachable');
    expect(income.counts.reduce((a, b) => a + b, 0) + income.missing).toBe(train.length);
    expect(income.counts[0]).toBe(0);
    expect(income.counts.at(-1)).toBe(0);
    const home = profile.columns.find((c) => c.name === 'Home');
    expect(home?.kind).toBe('categorical');
    expect(profile.output.columns.map((c) => c.name)).toEqual(['label', 'score:bad', 'score:good']);
  });

  it('profileFromPredictor profiles the predictor answers; refused rows are missing outputs', () => {
    const stub = {
      task: 'binary' as const,
      classes: ['bad', 'good'],
      inputSchema: inputs,
      predictBatch: (rows: readonly RawRow[]) => {
        const outputs = fakeScores(rows);
        outputs.fill(Number.NaN, 0, 2); // row 0 refused
        return { outputs };
      },
    };
    const fromPredictor = profileFromPredictor(stub, train);
    const label = fromPredictor.output.columns[0];
    expect(label?.missing).toBe(1);
    expect(fromPredictor.columns).toEqual(profile.columns);
  });

  it('refuses another format, naming it', () => {
    expect(() => parseProfile({ ...profile, format: 2 })).toThrow(/format 2/);
    expect(() => parseProfile('{')).toThrow(/not JSON/);
  });
});

describe('drift of a set of rows', () => {
  it('is exactly 0 for the training rows against their own profile', () => {
    const report = compareRows(profile, train, fakeScores(train));
    for (const column of [...report.columns, ...report.output.columns]) {
      for (const m of column.metrics) {
        if (m.metric === 'out_of_range_rate' || m.metric === 'unseen_rate' || m.value === null)
          continue;
        expect(Math.abs(m.value), `${column.name} ${m.metric}`).toBeLessThan(1e-12);
      }
      expect(column.verdict).toBe('ok');
    }
    expect(report.dataset.share).toBe(0);
    expect(report.verdict).toBe('ok');
  });

  it('finds no drift in held-out rows from the same data', () => {
    const report = compareRows(profile, test, fakeScores(test));
    expect(drifted(report)).toEqual([]);
    expect(report.output.verdict).toBe('ok');
  });

  it('flags a numeric column times 3, and no other', () => {
    const shifted = test.map((row) => ({ ...row, Amount: String(Number(row.Amount) * 3) }));
    const report = compareRows(profile, shifted, fakeScores(shifted));
    expect(drifted(report)).toEqual(['Amount']);
    expect(figure(report, 'Amount', 'wasserstein_std')).toBeGreaterThan(1);
    expect(figure(report, 'Amount', 'out_of_range_rate')).toBeGreaterThan(0.05);
    const amount = report.columns.find((c) => c.name === 'Amount');
    expect(amount?.moved.length).toBe(3);
  });

  it('flags a new dominant category, and no other column', () => {
    const shifted = test.map((row, i) => (i % 10 < 7 ? { ...row, Job: 'astronaut' } : row));
    const report = compareRows(profile, shifted, fakeScores(shifted));
    expect(drifted(report)).toEqual(['Job']);
    const job = report.columns.find((c) => c.name === 'Job');
    expect(job?.moved[0]).toMatchObject({ cell: '<unseen>', reference: 0 });
    expect(figure(report, 'Job', 'unseen_rate')).toBeCloseTo(0.7, 2);
  });

  it('flags a missing-rate change', () => {
    const shifted = test.map((row, i) => (i % 2 === 0 ? { ...row, Age: '' } : row));
    const report = compareRows(profile, shifted, fakeScores(shifted));
    expect(drifted(report)).toEqual(['Age']);
  });

  it('gives no verdict below the minimum rows, whatever the shift', () => {
    const few = test.slice(0, 499).map((row) => ({ ...row, Amount: Number(row.Amount) * 3 }));
    const report = compareRows(profile, few, fakeScores(few));
    expect(report.verdict).toBe('insufficient_rows');
    expect(report.columns.every((c) => c.verdict === 'insufficient_rows')).toBe(true);
    // The figures are still there to read; only the verdict is withheld.
    expect(figure(report, 'Amount', 'wasserstein_std')).toBeGreaterThan(1);
    const enough = [...few, test[499] as RawRow];
    expect(
      compareRows(profile, enough, fakeScores(enough)).columns.find((c) => c.name === 'Amount')
        ?.verdict,
    ).toBe('drift');
  });
});

describe('live windows', () => {
  it('the row window keeps the last N rows only', () => {
    const monitor = new DriftMonitor(profile, { rowWindow: 1000, timeWindowMs: 60_000 });
    const shifted = test.slice(0, 1000).map((row) => ({ ...row, Amount: Number(row.Amount) * 3 }));
    monitor.observe(shifted, fakeScores(shifted));
    expect(monitor.snapshot().rowWindow.columns.find((c) => c.name === 'Amount')?.verdict).toBe(
      'drift',
    );
    // 1,000 unshifted rows push every shifted one out: the window equals these rows alone.
    const clean = test.slice(1000, 2000);
    monitor.observe(clean, fakeScores(clean));
    const snapshot = monitor.snapshot();
    expect(snapshot.rowWindow.rows).toBe(1000);
    expect(snapshot.rowWindow.columns).toEqual(
      compareRows(profile, clean, fakeScores(clean)).columns,
    );
    // The time window still holds all 2,000.
    expect(snapshot.timeWindow.rows).toBe(2000);
    expect(monitor.rowsSeen).toBe(2000);
  });

  it('the time window forgets rows older than its duration, slice by slice', () => {
    let now = 1_000_000;
    const monitor = new DriftMonitor(profile, {
      rowWindow: 10_000,
      timeWindowMs: 60_000,
      timeSlices: 6,
      now: () => now,
    });
    const shifted = test.slice(0, 600).map((row) => ({ ...row, Amount: Number(row.Amount) * 3 }));
    monitor.observe(shifted, fakeScores(shifted));
    now += 30_000;
    const clean = test.slice(600, 1200);
    monitor.observe(clean, fakeScores(clean));
    expect(monitor.snapshot().timeWindow.rows).toBe(1200);
    now += 40_000; // the shifted rows' slice is now older than 60 s; the clean one is not
    const after = monitor.snapshot().timeWindow;
    expect(after.rows).toBe(600);
    expect(after.columns).toEqual(compareRows(profile, clean, fakeScores(clean)).columns);
    now += 60_000;
    expect(monitor.snapshot().timeWindow.rows).toBe(0);
    expect(monitor.snapshot().rowWindow.rows).toBe(1200);
  });
});
