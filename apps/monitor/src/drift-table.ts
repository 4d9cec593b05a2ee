import type { ColumnDrift, WindowDrift } from '@tandem/monitoring';
import type { DriftFileResult } from './drift-file.ts';

function fmt(value: number | null): string {
  return value === null ? '-' : value.toFixed(4);
}

function row(c: ColumnDrift): string[] {
  const decide = c.metrics.find((m) => m.decides && m.metric !== 'missing_rate_change');
  const psi = c.metrics.find((m) => m.metric === 'psi');
  const missing = c.metrics.find((m) => m.metric === 'missing_rate_change');
  const outside = c.metrics.find(
    (m) => m.metric === 'out_of_range_rate' || m.metric === 'unseen_rate',
  );
  const moved = c.moved[0];
  return [
    c.name,
    c.verdict,
    `${decide?.metric ?? '-'} ${fmt(decide?.value ?? null)} (> ${decide?.threshold ?? '-'})`,
    fmt(psi?.value ?? null),
    fmt(missing?.value ?? null),
    fmt(outside?.value ?? null),
    moved === undefined
      ? ''
      : `${moved.cell}: ${(moved.reference * 100).toFixed(1)}% → ${(moved.current * 100).toFixed(1)}%`,
  ];
}

/** The terminal table: one line per input column, then the outputs, then the verdicts. */
export function driftTable(result: DriftFileResult): string {
  const { report } = result;
  const header = ['column', 'verdict', 'drift metric', 'psi', 'missing Δ', 'outside', 'moved most'];
  const body = [
    ...report.columns.map(row),
    ['', '', '', '', '', '', ''],
    ...report.output.columns.map(row),
  ];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...body.map((r) => (r[i] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [
    `${result.model.name} version ${result.model.version}: ${result.input.rows} rows from ${result.input.path}` +
      (result.input.rejected > 0
        ? ` (${result.input.rejected} refused by the model, left out)`
        : ''),
    '',
    line(header),
    ...body.map(line),
    '',
    summary(report),
  ].join('\n');
}

export function summary(report: WindowDrift): string {
  if (report.verdict === 'insufficient_rows') {
    return `no verdict: ${report.rows} rows, fewer than the minimum of ${report.minRows}`;
  }
  const d = report.dataset;
  return (
    `${d.drifted} of ${d.columns} input columns drift (share ${d.share.toFixed(3)}, dataset drift at ${d.threshold}: ${d.verdict}); ` +
    `output: ${report.output.verdict}`
  );
}
