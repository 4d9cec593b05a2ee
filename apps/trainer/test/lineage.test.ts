import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RawRow } from '@tandem/features';
import { openModelStore } from '@tandem/model-store';
import { type LogEvent, PredictionLog, SegmentSink } from '@tandem/monitoring';
import { predictorFromStoredVersion } from '@tandem/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainConfig } from '../src/config/types.ts';
import { readTable } from '../src/data/read.ts';
import { evaluate } from '../src/evaluate/evaluate.ts';
import { runGate } from '../src/gate/run-gate.ts';
import { train } from '../src/train/run.ts';
import { DATA, runCli, tempDir } from './support.ts';

// Retraining from what was served: a log written by the monitoring package's writer (predictions
// of version 1, feedback for most of them), a version trained from it with its lineage, and the
// gate comparing versions on the log's labelled rows.

const HOUR = 3_600_000;
const SERVED = 1500;

describe('retraining from the prediction log', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let artifacts: string;
  let log: string;
  let flippedLog: string;
  let served: RawRow[];
  const model = { type: 'gbdt' as const, maxIter: 15 };

  /** Serves `rows` with version 1 into a log folder, then feeds the truth back (maybe flipped). */
  async function serve(folder: string, rows: readonly RawRow[], flip: boolean): Promise<void> {
    const store = openModelStore(artifacts);
    const predictor = await predictorFromStoredVersion(await store.readVersion('credit', 1));
    const inputs = rows.map(({ Status: _target, ...input }) => input);
    const batch = predictor.predictBatch(inputs, { errors: 'throw' });
    const classes = predictor.classes ?? [];
    predictor.dispose();
    const sink = new SegmentSink({ folder, segmentBytes: 96 * 1024 });
    const writer = new PredictionLog({ sink, batchSize: 256 });
    const now = Date.now();
    inputs.forEach((input, index) => {
      // Requests of 10 rows; the first 100 rows were served 8 days ago, outside a 7-day window.
      const id = `req-${Math.floor(index / 10)}`;
      const time = new Date(now - (index < 100 ? 8 * 24 * HOUR : 2 * HOUR)).toISOString();
      const probabilities = Object.fromEntries(
        classes.map((name, k) => [name, batch.outputs[index * batch.width + k] as number]),
      );
      const label = classes.reduce((a, b) =>
        (probabilities[a] ?? 0) >= (probabilities[b] ?? 0) ? a : b,
      );
      const event: LogEvent = {
        type: 'prediction',
        id,
        row: index % 10,
        time,
        model: 'credit',
        version: 1,
        label: 'production',
        route: 'native',
        input,
        output: { label, probabilities },
      };
      writer.offer(event);
    });
    await writer.flush();
    rows.forEach((row, index) => {
      // Every tenth row never gets its truth back.
      if (index % 10 === 9) return;
      const truth = String(row['Status']);
      writer.offer({
        type: 'feedback',
        id: `req-${Math.floor(index / 10)}`,
        row: index % 10,
        time: new Date(now - HOUR).toISOString(),
        model: 'credit',
        version: 1,
        truth: flip ? (truth === 'good' ? 'bad' : 'good') : truth,
      });
    });
    await writer.close();
    expect(writer.counts()).toMatchObject({ dropped: 0, failed: 0 });
  }

  beforeAll(async () => {
    ({ dir, remove } = await tempDir('lineage'));
    artifacts = path.join(dir, 'artifacts');
    log = path.join(dir, 'log');
    flippedLog = path.join(dir, 'flipped-log');
    const all = (await readTable(path.join(DATA, 'credit.csv'))).rows;
    // Version 1, the production version that serves the logged rows.
    const first = await train({
      config: {
        name: 'credit',
        data: path.join(DATA, 'credit.csv'),
        target: 'Status',
        task: 'binary',
        model,
      },
      artifacts,
    });
    first.predictor.dispose();
    await openModelStore(artifacts).setLabel('credit', 'production', 1);
    served = all.slice(0, SERVED);
    await serve(log, served, false);
    await serve(flippedLog, served, true);
  }, 180_000);
  afterAll(async () => {
    await remove();
  });

  /** `npm run gate` of a candidate against production on the served log's labelled rows. */
  const gateOnLog = (candidate: number, ...options: string[]) =>
    runCli('gate', [
      ...['--model', 'credit', '--candidate', String(candidate), '--on-log', log],
      ...['--artifacts', artifacts, ...options],
    ]);

  const inWindow = () => served.filter((_, index) => index >= 100 && index % 10 !== 9);

  it('trains a version from the labelled rows with the lineage in its manifest', async () => {
    const config: TrainConfig = {
      name: 'credit',
      data: { log, since: '7d' },
      target: 'Status',
      task: 'binary',
      model,
    };
    const trained = await train({ config, artifacts });
    trained.predictor.dispose();
    expect(trained.version).toBe(2);
    const manifest = JSON.parse(await readFile(path.join(trained.path, 'manifest.json'), 'utf8'));
    const expectedRows = inWindow().length;
    expect(manifest.data.rows).toBe(expectedRows);
    expect(manifest.data.path).toMatch(/^log .*log$/);
    expect(manifest.lineage.parent).toBe(1);
    expect(manifest.lineage.versions).toEqual({ 1: expectedRows });
    expect(Date.parse(manifest.lineage.until) - Date.parse(manifest.lineage.since)).toBe(
      7 * 24 * HOUR,
    );
    // Every sealed segment with events in the window, each with the sha256 of its bytes.
    const files = (await readdir(log)).filter((f) => f.startsWith('segment-')).sort();
    expect(files.length).toBeGreaterThan(2);
    const listed = manifest.lineage.segments.map((s: { file: string }) => s.file);
    expect(listed.length).toBeGreaterThan(1);
    for (const segment of manifest.lineage.segments) {
      expect(files).toContain(segment.file);
      const bytes = await readFile(path.join(log, segment.file));
      expect(segment.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    // The window is pinned in the stored config: the test split can be rebuilt later.
    expect(manifest.config.data).toEqual({
      log,
      since: manifest.lineage.since,
      until: manifest.lineage.until,
      model: 'credit',
    });
    const gate = await runGate({ artifacts, model: 'credit', candidate: 2 });
    expect(gate.testRows).toBe(manifest.split.test);
  }, 180_000);

  it('gates on the log: both versions scored on the same rows, pass and fail', async () => {
    const flipped = await train({
      config: {
        name: 'credit',
        data: { log: flippedLog, since: '7d' },
        target: 'Status',
        task: 'binary',
        model,
      },
      artifacts,
    });
    flipped.predictor.dispose();
    expect(flipped.version).toBe(3);

    const good = await gateOnLog(2, '--since', '7d', '--json');
    expect(good.code, good.stderr).toBe(0);
    const passed = JSON.parse(good.stdout);
    expect(passed).toMatchObject({
      passed: true,
      testRows: inWindow().length,
      baseline: { version: 1, label: 'production' },
    });
    expect(passed.shortfall).toBeCloseTo(passed.baseline.value - passed.candidate.value, 12);

    // The baseline's figure is version 1's accuracy on exactly the labelled rows in the window.
    const store = openModelStore(artifacts);
    const predictor = await predictorFromStoredVersion(await store.readVersion('credit', 1));
    const direct = evaluate('binary', predictor, inWindow(), 'Status');
    predictor.dispose();
    expect(passed.baseline.value).toBe(direct.metrics.accuracy);

    const bad = await gateOnLog(3, '--json');
    expect(bad.code).toBe(1);
    const failed = JSON.parse(bad.stdout);
    expect(failed.passed).toBe(false);
    expect(failed.candidate.value).toBeLessThan(0.5);
    expect(failed.shortfall).toBeGreaterThan(0.3);
    expect(bad.stderr).toMatch(/gate failed: credit v3 accuracy .* \(\d+ labelled log rows\)/);

    const empty = await gateOnLog(
      2,
      '--since',
      '2026-01-01T00:00:00Z',
      '--until',
      '2026-01-02T00:00:00Z',
    );
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/TANDEM_GATE_NO_ROWS|no labelled rows of credit/);
  }, 240_000);

  it('refuses an S3 log prefix and a bad window, naming the field', async () => {
    await expect(
      train({
        config: {
          name: 'credit',
          data: { log: 's3://bucket/log', since: '7d' },
          target: 'Status',
          task: 'binary',
        },
        artifacts,
      }),
    ).rejects.toMatchObject({
      code: 'TANDEM_CONFIG_INVALID',
      message: expect.stringMatching(/^config key "data.log"/),
    });
    await expect(
      train({
        config: {
          name: 'credit',
          data: { log, since: 'a week' },
          target: 'Status',
          task: 'binary',
        },
        artifacts,
      }),
    ).rejects.toMatchObject({
      code: 'TANDEM_CONFIG_INVALID',
      message: expect.stringMatching(/^config key "data.since"/),
    });
  });
});
