import { cellName } from '../profile/bins.ts';
import type { ColumnProfile } from '../profile/types.ts';
import { type DriftMetricName, type DriftSettings, thresholdOf } from './defaults.ts';
import { jensenShannon, psi, wassersteinOverStd } from './divergence.ts';
import type { CountLayout, TrackedColumn, WindowCounts } from './layout.ts';

export type Verdict = 'ok' | 'drift' | 'insufficient_rows';

export interface MetricFigure {
  metric: DriftMetricName | 'missing_rate_change' | 'out_of_range_rate' | 'unseen_rate';
  /** null when undefined (no value in the window). */
  value: number | null;
  /** null for figures that are reported, not judged. */
  threshold: number | null;
  /** Whether this figure decides the verdict (the chosen drift metric, the missing-rate change). */
  decides: boolean;
  exceeded: boolean;
}

export interface MovedCell {
  /** A bin ("[18, 25)", "> 70"), a level, or "<unseen>". */
  cell: string;
  reference: number;
  current: number;
}

export interface ColumnDrift {
  name: string;
  kind: 'numeric' | 'categorical';
  rows: number;
  verdict: Verdict;
  metrics: MetricFigure[];
  missingRate: { reference: number; current: number | null };
  /** The cells whose share moved most, largest change first. */
  moved: MovedCell[];
}

export interface WindowDrift {
  rows: number;
  minRows: number;
  verdict: Verdict;
  columns: ColumnDrift[];
  output: { verdict: Verdict; columns: ColumnDrift[] };
  dataset: { columns: number; drifted: number; share: number; threshold: number; verdict: Verdict };
}

/** The verdicts of one window against the profile its layout was built from. */
export function driftReport(
  layout: CountLayout,
  window: WindowCounts,
  settings: DriftSettings,
): WindowDrift {
  const enough = window.rows >= settings.minRows;
  const inputs: ColumnDrift[] = [];
  const outputs: ColumnDrift[] = [];
  for (const t of layout.columns) {
    (t.side === 'input' ? inputs : outputs).push(columnDrift(t, window, settings, enough));
  }
  const drifted = inputs.filter((c) => c.verdict === 'drift').length;
  const share = inputs.length === 0 ? 0 : drifted / inputs.length;
  const threshold = settings.thresholds.datasetShare;
  const datasetVerdict: Verdict = !enough
    ? 'insufficient_rows'
    : share >= threshold && drifted > 0
      ? 'drift'
      : 'ok';
  const outputVerdict: Verdict = !enough
    ? 'insufficient_rows'
    : outputs.some((c) => c.verdict === 'drift')
      ? 'drift'
      : 'ok';
  return {
    rows: window.rows,
    minRows: settings.minRows,
    verdict: !enough
      ? 'insufficient_rows'
      : drifted > 0 || outputVerdict === 'drift'
        ? 'drift'
        : 'ok',
    columns: inputs,
    output: { verdict: outputVerdict, columns: outputs },
    dataset: { columns: inputs.length, drifted, share, threshold, verdict: datasetVerdict },
  };
}

function columnDrift(
  t: TrackedColumn,
  window: WindowCounts,
  settings: DriftSettings,
  enough: boolean,
): ColumnDrift {
  const p = t.profile;
  const current = window.counts.subarray(t.base + 1, t.base + 1 + t.cells);
  const missing = window.counts[t.base] as number;
  const reference = p.counts;
  const present = window.rows - missing;
  const figures: MetricFigure[] = [];
  const chosen = p.kind === 'numeric' ? settings.numericMetric : settings.categoricalMetric;
  const judged = (metric: DriftMetricName, value: number) => {
    const threshold = thresholdOf(settings, metric);
    const decides = metric === chosen;
    const defined = Number.isFinite(value);
    figures.push({
      metric,
      value: defined ? value : null,
      threshold,
      decides,
      exceeded: defined && value > threshold,
    });
  };
  judged('psi', psi(reference, current));
  judged('jensen_shannon', jensenShannon(reference, current));
  if (p.kind === 'numeric') {
    const sums = window.sums.subarray(t.base + 1, t.base + 1 + t.cells);
    judged('wasserstein_std', wassersteinOverStd(reference, p.means, current, sums, p.std));
  }
  const referenceMissing = p.rows === 0 ? 0 : p.missing / p.rows;
  const currentMissing = window.rows === 0 ? null : missing / window.rows;
  const change = currentMissing === null ? Number.NaN : Math.abs(currentMissing - referenceMissing);
  const missingThreshold = settings.thresholds.missingRateChange;
  figures.push({
    metric: 'missing_rate_change',
    value: Number.isFinite(change) ? change : null,
    threshold: missingThreshold,
    decides: true,
    exceeded: change > missingThreshold,
  });
  const outside =
    p.kind === 'numeric'
      ? (current[0] as number) + (current[current.length - 1] as number)
      : (current[current.length - 1] as number);
  figures.push({
    metric: p.kind === 'numeric' ? 'out_of_range_rate' : 'unseen_rate',
    value: present > 0 ? outside / present : null,
    threshold: null,
    decides: false,
    exceeded: false,
  });
  const drifted = figures.some((f) => f.decides && f.exceeded);
  return {
    name: p.name,
    kind: p.kind,
    rows: window.rows,
    verdict: !enough ? 'insufficient_rows' : drifted ? 'drift' : 'ok',
    metrics: figures,
    missingRate: { reference: referenceMissing, current: currentMissing },
    moved: movedCells(p, reference, current, settings.topMoved),
  };
}

function movedCells(
  p: ColumnProfile,
  reference: readonly number[],
  current: ArrayLike<number>,
  top: number,
): MovedCell[] {
  let rt = 0;
  let ct = 0;
  for (const r of reference) rt += r;
  for (let i = 0; i < current.length; i++) ct += current[i] as number;
  if (rt === 0 || ct === 0) return [];
  const cells: MovedCell[] = [];
  for (let i = 0; i < reference.length; i++) {
    const r = (reference[i] as number) / rt;
    const c = (current[i] as number) / ct;
    if (r === c) continue;
    const name =
      p.kind === 'numeric'
        ? cellName(p.edges, i)
        : i < p.levels.length
          ? (p.levels[i] as string)
          : '<unseen>';
    cells.push({ cell: name, reference: r, current: c });
  }
  cells.sort((a, b) => Math.abs(b.current - b.reference) - Math.abs(a.current - a.reference));
  return cells.slice(0, top);
}
