import {
  averagePrecision,
  calibrationBins,
  confusion,
  prCurve,
  rocAuc,
  rocCurve,
  type ThresholdRow,
  thresholdTable,
} from './curves.ts';
import type { ColumnProfile } from './profile.ts';
import type { ReportData } from './report-data.ts';

/** A Vega-Lite spec (plain JSON): the report stores them and vega-embed draws them. */
export type Spec = Record<string, unknown>;

export interface Chart {
  title: string;
  spec: Spec;
}

const W = 320;
const H = 200;

const finite = (v: number) => (Number.isFinite(v) ? v : null);

export function profileCharts(columns: readonly ColumnProfile[]): Chart[] {
  return columns.map((column) => {
    const title = `${column.name} (${column.missing} missing of ${column.rows})`;
    if (column.kind === 'numeric') {
      return {
        title,
        spec: {
          width: W,
          height: 140,
          data: { values: column.bins },
          mark: { type: 'bar', tooltip: true },
          encoding: {
            x: { field: 'start', bin: { binned: true }, type: 'quantitative', title: column.name },
            x2: { field: 'end' },
            y: { field: 'count', type: 'quantitative', title: 'rows' },
          },
        },
      };
    }
    return {
      title,
      spec: {
        width: W,
        height: { step: 14 },
        data: { values: column.levels },
        mark: { type: 'bar', tooltip: true },
        encoding: {
          y: { field: 'level', type: 'nominal', sort: '-x', title: null },
          x: { field: 'count', type: 'quantitative', title: 'rows' },
        },
      },
    };
  });
}

export function learningCurve(history: ReportData['history']): Chart | undefined {
  const values = [
    ...history.loss.map((loss, i) => ({ step: i + 1, loss: finite(loss), part: 'training' })),
    ...history.valLoss.map((loss, i) => ({ step: i + 1, loss: finite(loss), part: 'validation' })),
  ].filter((v) => v.loss !== null);
  if (values.length === 0) return undefined;
  return {
    title: `Learning curve (best ${history.unit} ${history.best})`,
    spec: {
      width: 2 * W,
      height: H,
      data: { values },
      layer: [
        {
          mark: { type: 'line', tooltip: true },
          encoding: {
            x: { field: 'step', type: 'quantitative', title: history.unit },
            y: { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } },
            color: { field: 'part', type: 'nominal', title: null },
          },
        },
        ...(history.best > 0
          ? [
              {
                data: { values: [{ best: history.best }] },
                mark: { type: 'rule', strokeDash: [4, 4] },
                encoding: { x: { field: 'best', type: 'quantitative' } },
              },
            ]
          : []),
      ],
    },
  };
}

/** Per class: the scores and 0/1 truths a one-vs-rest curve needs (binary: the positive class). */
function classSeries(test: Extract<ReportData['test'], { kind: 'classification' }>) {
  const k = test.classes.length;
  const n = test.actual.length;
  const shown = k === 2 ? [1] : test.classes.map((_, c) => c);
  return shown.map((c) => {
    const scores = new Float64Array(n);
    const truths = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      scores[i] = test.probabilities[i * k + c] as number;
      truths[i] = test.actual[i] === c ? 1 : 0;
    }
    return { name: test.classes[c] as string, scores, truths };
  });
}

export interface ClassifierFigures {
  charts: Chart[];
  auc: Array<{ class: string; rocAuc: number; averagePrecision: number }>;
  confusion: { classes: readonly string[]; counts: number[][] };
  /** Binary only: the positive class and its thresholds. */
  thresholds?: { positive: string; rows: ThresholdRow[] };
}

export function classifierFigures(
  test: Extract<ReportData['test'], { kind: 'classification' }>,
): ClassifierFigures {
  const series = classSeries(test);
  const roc: Array<Record<string, unknown>> = [];
  const pr: Array<Record<string, unknown>> = [];
  const cal: Array<Record<string, unknown>> = [];
  const auc: ClassifierFigures['auc'] = [];
  for (const s of series) {
    const r = rocCurve(s.scores, s.truths);
    const p = prCurve(s.scores, s.truths);
    const a = rocAuc(r);
    const ap = averagePrecision(p);
    auc.push({ class: s.name, rocAuc: a, averagePrecision: ap });
    const label = `${s.name} (AUC ${a.toFixed(3)})`;
    for (const point of r) roc.push({ fpr: point.fpr, tpr: point.tpr, class: label });
    for (const point of p)
      pr.push({
        recall: point.recall,
        precision: point.precision,
        class: `${s.name} (AP ${ap.toFixed(3)})`,
      });
    for (const bin of calibrationBins(s.scores, s.truths)) cal.push({ ...bin, class: s.name });
  }
  const diagonal = {
    data: { values: [{ a: 0 }, { a: 1 }] },
    mark: { type: 'line', strokeDash: [4, 4], color: 'gray' },
    encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'a', type: 'quantitative' } },
  };
  const k = test.classes.length;
  const predicted = Array.from({ length: test.actual.length }, (_, i) => {
    let best = 0;
    for (let c = 1; c < k; c++)
      if ((test.probabilities[i * k + c] as number) > (test.probabilities[i * k + best] as number))
        best = c;
    return best;
  });
  const counts = confusion(test.actual, predicted, k);
  const cells = counts.flatMap((row, a) =>
    row.map((count, p) => ({ actual: test.classes[a], predicted: test.classes[p], count })),
  );
  const charts: Chart[] = [
    {
      title: 'ROC curve',
      spec: {
        width: W,
        height: W,
        layer: [
          diagonal,
          {
            data: { values: roc },
            mark: { type: 'line', interpolate: 'step-after', tooltip: true },
            encoding: {
              x: { field: 'fpr', type: 'quantitative', title: 'false positive rate' },
              y: { field: 'tpr', type: 'quantitative', title: 'true positive rate' },
              color: { field: 'class', type: 'nominal', title: null },
            },
          },
        ],
      },
    },
    {
      title: 'Precision–recall curve',
      spec: {
        width: W,
        height: W,
        data: { values: pr },
        mark: { type: 'line', interpolate: 'step-before', tooltip: true },
        encoding: {
          x: { field: 'recall', type: 'quantitative' },
          y: { field: 'precision', type: 'quantitative', scale: { domain: [0, 1] } },
          color: { field: 'class', type: 'nominal', title: null },
        },
      },
    },
    {
      title: 'Calibration (10 bins)',
      spec: {
        width: W,
        height: W,
        layer: [
          diagonal,
          {
            data: { values: cal },
            mark: { type: 'line', point: true, tooltip: true },
            encoding: {
              x: {
                field: 'predicted',
                type: 'quantitative',
                title: 'mean predicted probability',
                scale: { domain: [0, 1] },
              },
              y: {
                field: 'observed',
                type: 'quantitative',
                title: 'observed share',
                scale: { domain: [0, 1] },
              },
              color: { field: 'class', type: 'nominal', title: null },
            },
          },
        ],
      },
    },
    {
      title: 'Confusion matrix (test part)',
      spec: {
        width: { step: 48 },
        height: { step: 40 },
        data: { values: cells },
        encoding: {
          x: { field: 'predicted', type: 'nominal' },
          y: { field: 'actual', type: 'nominal' },
        },
        layer: [
          {
            mark: 'rect',
            encoding: { color: { field: 'count', type: 'quantitative', legend: null } },
          },
          {
            mark: { type: 'text' },
            encoding: { text: { field: 'count', type: 'quantitative' }, color: { value: 'black' } },
          },
        ],
      },
    },
  ];
  const figures: ClassifierFigures = { charts, auc, confusion: { classes: test.classes, counts } };
  const positive = series[0];
  if (k === 2 && positive)
    figures.thresholds = {
      positive: positive.name,
      rows: thresholdTable(positive.scores, positive.truths),
    };
  return figures;
}

export function regressionCharts(
  test: Extract<ReportData['test'], { kind: 'regression' }>,
  target: string,
): Chart[] {
  const values = Array.from({ length: test.actual.length }, (_, i) => ({
    actual: test.actual[i] as number,
    predicted: test.predicted[i] as number,
    residual: (test.actual[i] as number) - (test.predicted[i] as number),
  }));
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    lo = Math.min(lo, v.actual, v.predicted);
    hi = Math.max(hi, v.actual, v.predicted);
  }
  return [
    {
      title: 'Predicted against actual',
      spec: {
        width: W,
        height: W,
        layer: [
          {
            data: { values: [{ a: lo }, { a: hi }] },
            mark: { type: 'line', strokeDash: [4, 4], color: 'gray' },
            encoding: {
              x: { field: 'a', type: 'quantitative' },
              y: { field: 'a', type: 'quantitative' },
            },
          },
          {
            data: { values },
            mark: { type: 'point', filled: true, opacity: 0.6, tooltip: true },
            encoding: {
              x: {
                field: 'actual',
                type: 'quantitative',
                title: `actual ${target}`,
                scale: { zero: false },
              },
              y: {
                field: 'predicted',
                type: 'quantitative',
                title: `predicted ${target}`,
                scale: { zero: false },
              },
            },
          },
        ],
      },
    },
    {
      title: 'Residuals (actual − predicted) against predicted',
      spec: {
        width: W,
        height: W,
        layer: [
          {
            data: { values: [{ r: 0 }] },
            mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' },
            encoding: { y: { field: 'r', type: 'quantitative' } },
          },
          {
            data: { values },
            mark: { type: 'point', filled: true, opacity: 0.6, tooltip: true },
            encoding: {
              x: { field: 'predicted', type: 'quantitative', scale: { zero: false } },
              y: { field: 'residual', type: 'quantitative' },
            },
          },
        ],
      },
    },
    {
      title: 'Residual distribution',
      spec: {
        width: W,
        height: H,
        data: { values },
        mark: 'bar',
        encoding: {
          x: { field: 'residual', bin: { maxbins: 30 }, type: 'quantitative' },
          y: { aggregate: 'count', type: 'quantitative', title: 'rows' },
        },
      },
    },
  ];
}

export function barsByColumn(
  title: string,
  values: ReadonlyArray<{ column: string; value: number }>,
  axis: string,
): Chart {
  return {
    title,
    spec: {
      width: W,
      height: { step: 16 },
      data: { values },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        y: { field: 'column', type: 'nominal', sort: '-x', title: null },
        x: { field: 'value', type: 'quantitative', title: axis },
      },
    },
  };
}
