/**
 * `npm start`: serves the models under artifacts/ (or $TANDEM_ARTIFACTS), first training the demo
 * credit model when the folder holds none, then prints the URL and a curl that works.
 * Server options pass through: `npm start -- --port 3001`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FileModelStore } from '@tandem/model-store';
import { configFromCommandLine, run } from '@tandem/server';
import { parseText } from '@tandem/tabular';
import { train } from '@tandem/trainer';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DEMO_CONFIG = `${ROOT}data/models/credit.json`;

/** The first row of data/credit.csv without its target, as a JSON client would send it. */
function exampleRow(): Record<string, string | number> {
  // Read with the dialect every entry point shares; only the first record is needed.
  const { columns, rows } = parseText(readFileSync(`${ROOT}data/credit.csv`, 'utf8'), 'csv');
  const first = rows[0] ?? {};
  const row: Record<string, string | number> = {};
  for (const name of columns) {
    const value = String(first[name] ?? '');
    if (name !== 'Status')
      row[name] = value !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  return row;
}

async function main(): Promise<void> {
  const config = configFromCommandLine(process.argv.slice(2));
  const store = new FileModelStore(config.artifacts);
  if ((await store.listModels()).length === 0) {
    process.stderr.write(`no model in ${config.artifacts}: training the demo model (credit)…\n`);
    const result = await train({
      config: DEMO_CONFIG,
      artifacts: config.artifacts,
      log: (line) => process.stderr.write(`${line}\n`),
      progress: true,
    });
    result.predictor.dispose();
    process.stderr.write(`trained credit version ${result.version} in ${result.path}\n`);
  }
  await run(config, async ({ url, app }) => {
    const base = url.replace('://0.0.0.0', '://127.0.0.1');
    const body = JSON.stringify({ instances: [exampleRow()] });
    const models = app.tandem.registry.models();
    const model = models.some((m) => m.name === 'credit') ? 'credit' : models[0]?.name;
    const lines = [
      '',
      `Tandem is serving ${models.map((m) => m.name).join(', ') || 'no model'} at ${base}`,
      `  API docs:  ${base}/docs`,
      `  models:    curl -s ${base}/v1/models`,
    ];
    if (model === 'credit') {
      const curl = `curl -s ${base}/v1/models/credit/predict -H 'content-type: application/json' -d '${body}'`;
      // Proves the printed example against the running server before showing it.
      const res = await fetch(`${base}/v1/models/credit/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      lines.push(`  predict:   ${curl}`, `  answer:    ${res.status} ${await res.text()}`);
    }
    process.stdout.write(`${lines.join('\n')}\n\n`);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
