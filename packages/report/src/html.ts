import {
  barsByColumn,
  type Chart,
  classifierFigures,
  learningCurve,
  profileCharts,
  regressionCharts,
} from './charts.ts';
import type { ReportData } from './report-data.ts';
import { vegaAssets } from './vega-assets.ts';

const html = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const fmt = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v)
    ? '–'
    : Math.abs(v) >= 1000
      ? v.toFixed(0)
      : v.toPrecision(4);

/** JSON that cannot end the <script> element it sits in. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const th = head.map((h) => `<th scope="col">${html(h)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${html(c)}</th>` : `<td>${html(c)}</td>`)).join('')}</tr>`,
    )
    .join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#57606a;--line:#d0d7de;--card:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9da7b3;--line:#30363d;--card:#161b22}}
body{font:14px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1100px;padding:1.5rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{border-bottom:1px solid var(--line);padding-bottom:.2rem;margin-top:2rem}
.muted{color:var(--muted)}.grid{display:flex;flex-wrap:wrap;gap:1rem}
figure{margin:0;padding:.6rem;background:var(--card);border:1px solid var(--line);border-radius:6px;break-inside:avoid}
figcaption{font-weight:600;margin-bottom:.3rem}
table{border-collapse:collapse;margin:.5rem 0;break-inside:avoid}th,td{border:1px solid var(--line);padding:.2rem .5rem;text-align:right}
thead th{background:var(--card)}tbody th{text-align:left;font-weight:600}
@media print{:root{--fg:#000;--bg:#fff;--card:#fff;--line:#999;color-scheme:light}body{max-width:none;padding:0}h2{break-after:avoid}}
`;

/** Draws every chart with vega-embed, SVG so that print is sharp; the dark theme follows the system. */
const BOOT = `
(function(){
  var specs = JSON.parse(document.getElementById('tandem-specs').textContent);
  var dark = window.matchMedia && matchMedia('(prefers-color-scheme: dark)').matches && !matchMedia('print').matches;
  specs.forEach(function(spec, i){
    spec.$schema = 'https://vega.github.io/schema/vega-lite/v6.json';
    spec.background = 'transparent';
    vegaEmbed('#chart-' + i, spec, { actions: false, renderer: 'svg', theme: dark ? 'dark' : undefined })
      .catch(function(error){ document.getElementById('chart-' + i).textContent = 'chart failed: ' + error.message; });
  });
})();
`;

/**
 * The training report of one version as one HTML file: Vega, Vega-Lite and vega-embed inlined,
 * every figure's data inside, so it opens offline, prints, and follows light or dark mode.
 */
export function renderReport(data: ReportData): string {
  const specs: unknown[] = [];
  const figure = (chart: Chart) => {
    specs.push(chart.spec);
    return `<figure><figcaption>${html(chart.title)}</figcaption><div id="chart-${specs.length - 1}" class="chart" role="img" aria-label="${html(chart.title)}"></div></figure>`;
  };
  const sections: string[] = [];

  const names = [...new Set([...Object.keys(data.metrics), ...Object.keys(data.baseline)])];
  sections.push(
    `<section id="metrics"><h2>Test metrics against the baseline</h2>${table(
      ['metric', 'model', 'baseline'],
      names.map((n) => [n, fmt(data.metrics[n]), fmt(data.baseline[n])]),
    )}<p class="muted">Baseline: ${data.task === 'regression' ? 'the mean of the training and validation targets' : 'the class shares of the training and validation targets'}, scored on the same test rows.</p></section>`,
  );

  const curve = learningCurve(data.history);
  sections.push(
    `<section id="learning"><h2>Learning curve</h2>${curve ? `<div class="grid">${figure(curve)}</div>` : '<p>No loss was recorded for this model.</p>'}</section>`,
  );

  if (data.test.kind === 'classification') {
    const figures = classifierFigures(data.test);
    const aucTable = table(
      ['class', 'ROC AUC', 'average precision'],
      figures.auc.map((a) => [a.class, fmt(a.rocAuc), fmt(a.averagePrecision)]),
    );
    const matrix = table(
      ['actual \\ predicted', ...figures.confusion.classes],
      figures.confusion.counts.map((row, a) => [
        figures.confusion.classes[a] as string,
        ...row.map(String),
      ]),
    );
    const thresholds = figures.thresholds
      ? `<h3>Thresholds (positive class “${html(figures.thresholds.positive)}” at score ≥ threshold)</h3>${table(
          ['threshold', 'precision', 'recall', 'F1', 'predicted positive', 'TP', 'FP', 'FN', 'TN'],
          figures.thresholds.rows.map((r) => [
            r.threshold.toFixed(1),
            fmt(r.precision),
            fmt(r.recall),
            fmt(r.f1),
            fmt(r.positiveRate),
            String(r.tp),
            String(r.fp),
            String(r.fn),
            String(r.tn),
          ]),
        )}`
      : '<p class="muted">Threshold table: binary classifiers only (this model picks the most probable class).</p>';
    sections.push(
      `<section id="classifier"><h2>Classifier on the test part (${data.test.actual.length} rows)</h2>${aucTable}<div class="grid">${figures.charts.map(figure).join('')}</div><h3>Confusion matrix</h3>${matrix}${thresholds}</section>`,
    );
  } else {
    sections.push(
      `<section id="regression"><h2>Regression on the test part (${data.test.actual.length} rows)</h2><div class="grid">${regressionCharts(data.test, data.target).map(figure).join('')}</div></section>`,
    );
  }

  const importance: string[] = [];
  if (data.importance?.length) {
    importance.push(
      figure(
        barsByColumn(
          'Feature importance (share of split gain)',
          data.importance.map((i) => ({ column: i.column, value: i.share })),
          'share of gain',
        ),
      ),
    );
  }
  if (data.meanContribution?.length) {
    importance.push(
      figure(
        barsByColumn(
          'Mean |contribution| per raw column (test rows)',
          data.meanContribution,
          'mean |contribution|',
        ),
      ),
    );
  }
  if (importance.length > 0) {
    sections.push(
      `<section id="importance"><h2>Importance</h2><div class="grid">${importance.join('')}</div></section>`,
    );
  }

  if (data.candidates?.length) {
    const metricNames = [...new Set(data.candidates.flatMap((c) => Object.keys(c.test ?? {})))];
    sections.push(
      `<section id="candidates"><h2>auto: the candidates side by side</h2>${table(
        [
          'candidate',
          'chosen',
          'validation loss',
          'train seconds',
          ...metricNames.map((m) => `test ${m}`),
        ],
        data.candidates.map((c) => [
          c.model,
          c.chosen ? 'yes' : c.skipped ? `skipped: ${c.skipped}` : 'no',
          fmt(c.validationLoss),
          fmt(c.trainSeconds),
          ...metricNames.map((m) => fmt(c.test?.[m])),
        ]),
      )}</section>`,
    );
  }

  sections.push(
    `<section id="profile"><h2>Data profile (training part, ${data.split.train} rows)</h2><div class="grid">${profileCharts(data.columns).map(figure).join('')}</div></section>`,
  );

  const scripts = vegaAssets()
    .map((asset) => `<script data-library="${asset.name}">${asset.source}</script>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${html(data.name)}: training report</title><style>${STYLE}</style></head>
<body><header><h1>${html(data.name)}: training report</h1>
<p class="muted">${html(data.task)} model (${html(data.model)}) predicting <code>${html(data.target)}</code>, trained ${html(data.createdAt)}; split: train ${data.split.train}, validation ${data.split.validation}, test ${data.split.test} rows.</p></header>
<main>${sections.join('\n')}</main>
<script type="application/json" id="tandem-specs">${scriptJson(specs)}</script>
${scripts}
<script>${BOOT}</script>
</body></html>
`;
}
