// The Tandem console: plain browser JavaScript over the server's own API (no build step).
(() => {
  const KEY = 'tandem.apiKey';
  const $ = (id) => document.getElementById(id);
  const dark = window.matchMedia?.('(prefers-color-scheme: dark)').matches;
  const state = { model: null, version: null, meta: null, driftTimer: null };

  function headers(extra) {
    const key = sessionStorage.getItem(KEY);
    return { ...(key ? { authorization: `Bearer ${key}` } : {}), ...extra };
  }

  async function api(path, init = {}) {
    const response = await fetch(path, { ...init, headers: headers(init.headers) });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(
        body.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${response.status}`,
      );
      error.status = response.status;
      throw error;
    }
    return body;
  }

  function say(text, isError) {
    const status = $('status');
    status.textContent = text;
    status.className = isError ? 'error' : '';
  }

  function draw(target, spec) {
    spec.$schema = 'https://vega.github.io/schema/vega-lite/v6.json';
    spec.background = 'transparent';
    return vegaEmbed(target, spec, {
      actions: false,
      renderer: 'svg',
      theme: dark ? 'dark' : undefined,
    });
  }

  function button(text, onClick, current) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.setAttribute('aria-current', String(Boolean(current)));
    b.addEventListener('click', onClick);
    const li = document.createElement('li');
    li.append(b);
    return li;
  }

  async function loadModels() {
    try {
      const { models } = await api('/v1/models');
      const list = $('model-list');
      list.replaceChildren(
        ...models.map((m) => button(m.name, () => selectModel(m), state.model?.name === m.name)),
      );
      say(
        models.length === 0 ? 'No model is being served.' : `${models.length} model(s). Pick one.`,
      );
      if (models.length > 0 && !state.model) await selectModel(models[0]);
    } catch (error) {
      say(
        error.status === 401 || error.status === 403
          ? `${error.message}. Enter an API key above.`
          : error.message,
        true,
      );
    }
  }

  async function selectModel(model) {
    state.model = model;
    for (const b of $('model-list').querySelectorAll('button'))
      b.setAttribute('aria-current', String(b.textContent === model.name));
    const version =
      model.defaultVersion ?? model.versions.find((v) => v.status === 'available')?.version;
    if (version == null) return say(`${model.name} has no version being served.`, true);
    await selectVersion(version);
  }

  async function selectVersion(version) {
    const model = state.model;
    const meta = await api(`/v1/models/${encodeURIComponent(model.name)}/versions/${version}`);
    state.version = version;
    state.meta = meta;
    $('version').hidden = false;
    $('predict').hidden = false;
    $('drift').hidden = false;
    $('version-title').textContent = `${model.name} version ${version}`;
    $('version-meta').textContent =
      `${meta.task} model predicting ${meta.target}; trained ${meta.createdAt}; labels: ${meta.labels.join(', ') || 'none'}${meta.default ? ' (default version)' : ''}`;
    $('report-link').href =
      `/v1/models/${encodeURIComponent(model.name)}/versions/${version}/report`;
    $('version-list').replaceChildren(
      ...model.versions.map((v) => {
        const labels = Object.entries(model.labels)
          .filter(([, n]) => n === v.version)
          .map(([l]) => l);
        const item = button(
          `v${v.version}${labels.length ? ` (${labels.join(', ')})` : ''} · ${v.status}`,
          () => selectVersion(v.version),
          v.version === version,
        );
        item.querySelector('button').disabled = v.status !== 'available';
        return item;
      }),
    );
    const test = meta.metrics?.test ?? {};
    const baseline = meta.metrics?.baseline ?? {};
    const fmt = (x) => (typeof x === 'number' ? x.toPrecision(4) : '–');
    $('metrics').tBodies[0].replaceChildren(
      ...Object.keys(test).map((name) => {
        const tr = document.createElement('tr');
        tr.innerHTML = '<th scope="row"></th><td></td><td></td>';
        tr.children[0].textContent = name;
        tr.children[1].textContent = fmt(test[name]);
        tr.children[2].textContent = fmt(baseline[name]);
        return tr;
      }),
    );
    buildForm(meta.inputs);
    say(`Showing ${model.name} version ${version}.`);
    refreshDrift();
  }

  /** One labelled field per input column: numbers within the training range, levels as a list. */
  function buildForm(inputs) {
    const fields = inputs.map((column, i) => {
      const field = document.createElement('div');
      field.className = 'field';
      const label = document.createElement('label');
      const id = `field-${i}`;
      label.htmlFor = id;
      label.textContent = column.name;
      let control;
      const choices =
        column.values ?? column.levels ?? (column.type === 'boolean' ? ['true', 'false'] : null);
      if (choices && column.type !== 'numeric') {
        control = document.createElement('select');
        for (const level of choices) control.add(new Option(level, level));
      } else {
        control = document.createElement('input');
        control.type = column.type === 'numeric' ? 'number' : 'text';
        if (column.type === 'numeric') {
          control.step = 'any';
          const lo = column.range?.min ?? column.min;
          const hi = column.range?.max ?? column.max;
          if (lo != null) control.min = String(lo);
          if (hi != null) control.max = String(hi);
          if (lo != null && hi != null)
            control.value = String(Number(((lo + hi) / 2).toPrecision(4)));
        } else if (column.type === 'datetime') {
          // Epoch ms in the metadata: start mid-way through the training period, as numbers do.
          control.placeholder = '2024-01-31T12:00:00Z';
          const lo = column.range?.min ?? column.min;
          const hi = column.range?.max ?? column.max;
          if (lo != null && hi != null)
            control.value = new Date(Math.round((lo + hi) / 2)).toISOString();
        }
      }
      control.id = id;
      control.name = column.name;
      control.required = !column.nullable;
      const hint = document.createElement('small');
      hint.textContent =
        column.min == null
          ? column.type
          : column.type === 'numeric'
            ? `${column.type}, trained on ${column.min} to ${column.max}`
            : column.type === 'datetime'
              ? `datetime (ISO 8601), trained on ${isoDay(column.min)} to ${isoDay(column.max)}`
              : column.type;
      hint.id = `${id}-hint`;
      control.setAttribute('aria-describedby', hint.id);
      field.append(label, control, hint);
      return field;
    });
    $('fields').replaceChildren(...fields);
  }

  function isoDay(ms) {
    return new Date(ms).toISOString().slice(0, 10);
  }

  function formRow() {
    const row = {};
    for (const column of state.meta.inputs) {
      const control = $('fields').querySelector(`[name="${CSS.escape(column.name)}"]`);
      const value = control.value;
      if (value === '') row[column.name] = null;
      else if (column.type === 'numeric') row[column.name] = Number(value);
      else if (column.type === 'boolean') row[column.name] = value === 'true';
      else row[column.name] = value;
    }
    return row;
  }

  async function predict(event) {
    event.preventDefault();
    const base = `/v1/models/${encodeURIComponent(state.model.name)}/versions/${state.version}`;
    const body = JSON.stringify({ instances: [formRow()] });
    const json = { 'content-type': 'application/json' };
    try {
      const [prediction, explanation] = await Promise.all([
        api(`${base}/predict`, { method: 'POST', headers: json, body }),
        api(`${base}/explain`, { method: 'POST', headers: json, body }),
      ]);
      const answer = prediction.predictions[0];
      $('prediction').textContent =
        `Prediction: ${typeof answer === 'object' ? JSON.stringify(answer) : answer}`;
      const e = explanation.explanations[0];
      const values = Object.entries(e.contributions).map(([column, value]) => ({ column, value }));
      await draw('#explanation-chart', {
        title: `Contributions${e.class ? ` to class ${e.class}` : ''}: base ${e.baseValue.toPrecision(4)} → output ${e.output.toPrecision(4)} (${explanation.space})`,
        width: 480,
        height: { step: 16 },
        data: { values },
        mark: { type: 'bar', tooltip: true },
        encoding: {
          y: {
            field: 'column',
            type: 'nominal',
            sort: { field: 'value', op: 'max', order: 'descending' },
            title: null,
          },
          x: { field: 'value', type: 'quantitative', title: 'contribution' },
          color: { condition: { test: 'datum.value >= 0', value: '#cf4446' }, value: '#3b73b9' },
        },
      });
      refreshDrift();
    } catch (error) {
      $('prediction').textContent = error.message;
      $('prediction').className = 'error';
    }
  }

  async function refreshDrift() {
    clearTimeout(state.driftTimer);
    if (!state.model) return;
    const name = state.model.name;
    try {
      const report = await api(
        `/v1/models/${encodeURIComponent(name)}/versions/${state.version}/monitoring`,
      );
      const window = report.drift?.rowWindow;
      if (!window) {
        $('drift-status').textContent = report.profile?.present
          ? 'No rows seen yet.'
          : 'This version has no training profile.';
      } else {
        $('drift-status').textContent =
          `Last ${window.rows} rows (verdicts need ${window.minRows}): dataset ${window.verdict}.`;
        const figures = window.columns.map((c) => {
          const deciding =
            c.metrics.find((m) => m.decides && m.metric !== 'missing_rate_change') ?? c.metrics[0];
          return {
            column: c.name,
            metric: deciding.metric,
            value: deciding.value ?? 0,
            threshold: deciding.threshold,
            verdict: c.verdict,
          };
        });
        await draw('#drift-chart', {
          title: 'Drift per column (deciding metric; tick: threshold)',
          width: 480,
          height: { step: 16 },
          data: { values: figures },
          layer: [
            {
              mark: { type: 'bar', tooltip: true },
              encoding: {
                y: { field: 'column', type: 'nominal', title: null },
                x: { field: 'value', type: 'quantitative', title: 'drift' },
                color: { field: 'verdict', type: 'nominal' },
              },
            },
            {
              mark: { type: 'tick', thickness: 2 },
              encoding: {
                y: { field: 'column', type: 'nominal' },
                x: { field: 'threshold', type: 'quantitative' },
              },
            },
          ],
        });
        const moved = window.columns.flatMap((c) =>
          c.moved.flatMap((m) => [
            { column: c.name, cell: m.cell, share: m.reference, part: 'training' },
            { column: c.name, cell: m.cell, share: m.current, part: 'live' },
          ]),
        );
        if (moved.length > 0) {
          await draw('#moved-chart', {
            title: 'Most moved cells: training against live shares',
            data: { values: moved },
            facet: { row: { field: 'column', title: null } },
            spec: {
              width: 360,
              height: { step: 10 },
              mark: 'bar',
              encoding: {
                y: { field: 'cell', type: 'nominal', title: null },
                yOffset: { field: 'part' },
                x: { field: 'share', type: 'quantitative' },
                color: { field: 'part', type: 'nominal' },
              },
            },
            resolve: { scale: { y: 'independent' } },
          });
        }
      }
    } catch (error) {
      $('drift-status').textContent =
        error.status === 404 ? 'Monitoring is off on this server.' : error.message;
      return;
    }
    if (state.model?.name === name) state.driftTimer = setTimeout(refreshDrift, 5000);
  }

  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const key = $('api-key').value.trim();
    if (key) sessionStorage.setItem(KEY, key);
    else sessionStorage.removeItem(KEY);
    $('api-key').value = '';
    loadModels();
  });
  $('predict-form').addEventListener('submit', predict);
  // A link cannot carry the key: with one, the report is fetched with it and shown from a blob.
  $('report-link').addEventListener('click', async (event) => {
    if (!sessionStorage.getItem(KEY)) return;
    event.preventDefault();
    const response = await fetch(event.currentTarget.href, { headers: headers() });
    if (!response.ok) return say(`report: HTTP ${response.status}`, true);
    window.open(URL.createObjectURL(await response.blob()), '_blank');
  });
  loadModels();
})();
