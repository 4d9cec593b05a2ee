import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LogEvent,
  PredictionLog,
  parseWindow,
  readLoggedTrainingRows,
  SegmentSink,
} from '../src/index.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 1);

/** What every logged event of these tests has: its prediction id and row, its time, version 3. */
function logged(id: string, row: number, daysAgo: number, model: string) {
  return { id, row, time: new Date(NOW - daysAgo * DAY).toISOString(), model, version: 3 };
}

function prediction(
  id: string,
  row: number,
  daysAgo: number,
  income: number,
  model = 'credit',
): LogEvent {
  return {
    type: 'prediction',
    ...logged(id, row, daysAgo, model),
    label: 'production',
    route: 'native',
    input: { Income: income, Home: 'rent' },
    output: { label: 'good', probabilities: { bad: 0.2, good: 0.8 } },
  };
}

function feedback(
  id: string,
  row: number,
  daysAgo: number,
  truth: string,
  model = 'credit',
): LogEvent {
  return { type: 'feedback', ...logged(id, row, daysAgo, model), truth };
}

describe('readLoggedTrainingRows', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'tandem-log-read-'));
    // Two segments: a small size forces rotation.
    const log = new PredictionLog({
      sink: new SegmentSink({ folder, segmentBytes: 1500 }),
      batchSize: 3,
    });
    for (const e of [
      prediction('a', 0, 10, 100), // outside the 7-day window
      feedback('a', 0, 9, 'bad'),
      prediction('b', 0, 3, 200),
      prediction('b', 1, 3, 210),
      prediction('c', 0, 2, 300), // never labelled
      prediction('d', 0, 1, 400, 'penguins'), // another model
      feedback('b', 1, 1, 'bad'),
      feedback('b', 0, 1, 'good'),
      feedback('b', 0, 0.5, 'bad'), // a repeat: the first feedback wins
      feedback('d', 0, 0.5, 'Adelie', 'penguins'),
    ]) {
      log.offer(e);
    }
    await log.close();
    await writeFile(join(folder, '.open-20261201T000000000Z-1-000009.ndjson'), '{"partial": true');
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('joins labelled predictions of the model in the window, with the segments used and their sha256', async () => {
    const result = await readLoggedTrainingRows({
      folder,
      model: 'credit',
      target: 'Status',
      since: '7d',
      now: NOW,
    });
    expect(result.rows).toEqual([
      { Income: 200, Home: 'rent', Status: 'good' },
      { Income: 210, Home: 'rent', Status: 'bad' },
    ]);
    expect(result.lineage).toMatchObject({
      model: 'credit',
      predictions: 3,
      labelled: 2,
      until: new Date(NOW).toISOString(),
    });
    expect(result.lineage.since).toBe(new Date(NOW - 7 * DAY).toISOString());
    // The folder holds more segments than contributed: only those with events of the join count.
    const sealed = (await readdir(folder)).filter((f) => f.startsWith('segment-'));
    expect(sealed.length).toBeGreaterThan(1);
    expect(result.lineage.segments.length).toBeGreaterThan(0);
    expect(result.lineage.segments.reduce((n, s) => n + s.events, 0)).toBe(6);
    for (const s of result.lineage.segments) {
      const bytes = await readFile(join(folder, s.file));
      expect(s.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });

  it('reads windows and refuses malformed ones', () => {
    expect(parseWindow('7d')).toBe(7 * DAY);
    expect(parseWindow('90m')).toBe(90 * 60_000);
    expect(() => parseWindow('seven days')).toThrow(/"7d"/);
  });
});
