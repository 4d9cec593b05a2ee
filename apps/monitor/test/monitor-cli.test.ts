import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawRow } from '@tandem/features';
import { CREDIT, readCsv, writeFixtureVersion } from '@tandem/fixtures';
import { FileModelStore, type ManifestDraft } from '@tandem/model-store';
import { buildReferenceProfile, encodeProfile } from '@tandem/monitoring';
import { predictorFromStoredVersion } from '@tandem/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as alerts } from '../src/alerts-command.ts';
import { main as drift } from '../src/drift-command.ts';

/**
 * credit.csv without its target, in two interleaved halves: profile rows and rows to check. The
 * file is ordered (its first rows differ from the rest), so both halves span all of it.
 */
const rows = readCsv('credit.csv').map(({ Status: _target, ...inputs }) => inputs as RawRow);
const reference = rows.filter((_, i) => i % 2 === 0);
const sent = rows.filter((_, i) => i % 2 === 1);

function csv(table: readonly RawRow[]): string {
  const columns = Object.keys(table[0] as RawRow);
  const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  return `${columns.join(',')}\n${table.map((r) => columns.map((c) => cell(r[c])).join(',')).join('\n')}\n`;
}

/** Captures what a command writes to stdout. */
async function capture(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string) => {
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await run(), out };
  } finally {
    process.stdout.write = write;
  }
}

describe('npm run drift / npm run alerts', () => {
  let dir: string;
  let artifacts: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tandem-monitor-'));
    artifacts = join(dir, 'artifacts');
    await writeFixtureVersion(artifacts, { ...CREDIT, seed: 1 });
    // Version 2 = version 1 plus the profile the trainer writes.
    const store = new FileModelStore(artifacts);
    const stored = await store.readVersion('credit', 1);
    const predictor = await predictorFromStoredVersion(stored, { log: () => undefined });
    const outputs = predictor.predictBatch(reference).outputs;
    const profile = buildReferenceProfile(reference, stored.manifest.inputs, {
      task: 'binary',
      classes: predictor.classes,
      values: outputs,
    });
    predictor.dispose();
    const { format: _f, name: _n, version: _v, files: _files, ...draft } = stored.manifest;
    await store.writeVersion(
      'credit',
      { ...stored.files, 'profile.json': encodeProfile(profile) },
      () => draft as ManifestDraft,
    );
    await writeFile(join(dir, 'clean.csv'), csv(sent));
    await writeFile(join(dir, 'shifted.csv'), csv(sent.map((r) => ({ ...r, Job: 'astronaut' }))));
    await writeFile(join(dir, 'few.csv'), csv(sent.slice(0, 50)));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const args = (file: string, ...more: string[]) => [
    '--model',
    'credit@2',
    '--input',
    join(dir, file),
    '-a',
    artifacts,
    ...more,
  ];

  it('rows like training: exit 0 and a table with every column', async () => {
    const { code, out } = await capture(() => drift(args('clean.csv')));
    expect(code).toBe(0);
    for (const column of ['Seniority', 'Income', 'Job', 'label', 'score:good'])
      expect(out).toContain(column);
    expect(out).toContain('0 of 13 input columns drift');
  });

  it('a new dominant category: exit 3, and the JSON report names that column alone', async () => {
    const { code, out } = await capture(() => drift(args('shifted.csv', '--json')));
    expect(code).toBe(3);
    const result = JSON.parse(out) as {
      model: { version: number };
      report: { columns: { name: string; verdict: string }[] };
    };
    expect(result.model.version).toBe(2);
    expect(result.report.columns.filter((c) => c.verdict === 'drift').map((c) => c.name)).toEqual([
      'Job',
    ]);
  });

  it('too few rows: exit 4, no verdict', async () => {
    const { code, out } = await capture(() => drift(args('few.csv')));
    expect(code).toBe(4);
    expect(out).toContain('no verdict: 50 rows');
  });

  it('a version without a profile is a coded error naming it', async () => {
    await expect(
      drift(['--model', 'credit@1', '--input', join(dir, 'clean.csv'), '-a', artifacts]),
    ).rejects.toMatchObject({
      code: 'TANDEM_PROFILE_MISSING',
      message: expect.stringContaining('credit version 1 has no profile.json'),
    });
  });

  it('alerts: writes a rules file that promtool accepts (when installed)', async () => {
    const output = join(dir, 'credit.rules.yml');
    expect(await alerts(['--model', 'credit', '-a', artifacts, '-o', output])).toBe(0);
    const text = await readFile(output, 'utf8');
    // The fixture version records no test accuracy: no accuracy rule, the five others.
    expect(text).toContain('TandemFeatureDrift');
    expect(text).not.toContain('TandemAccuracyDrop');
    if (spawnSync('promtool', ['--version']).status === 0) {
      expect(execFileSync('promtool', ['check', 'rules', output], { encoding: 'utf8' })).toMatch(
        /SUCCESS: 6 rules found/,
      );
    }
  });
});
