import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyRecords } from '../src/score-file.ts';
import { readCsvRecords } from './support.ts';

/**
 * The reader and writer on their own (copyRecords: no model, no prediction columns): values
 * survive every format pair, awkward CSV is kept as written, and bad records are reported.
 */
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tandem-score-formats-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const CSV = [
  'name,note,__proto__,n',
  '"Smith, J","said ""hi""\nthen left",x,1',
  'plain,,y,2',
  'é😀,"",z,3',
].join('\r\n');

/** Column → value per record, as entries: an object literal cannot hold a "__proto__" key. */
const VALUES: [string, string][][] = [
  [
    ['name', 'Smith, J'],
    ['note', 'said "hi"\nthen left'],
    ['__proto__', 'x'],
    ['n', '1'],
  ],
  [
    ['name', 'plain'],
    ['note', ''],
    ['__proto__', 'y'],
    ['n', '2'],
  ],
  [
    ['name', 'é😀'],
    ['note', ''],
    ['__proto__', 'z'],
    ['n', '3'],
  ],
];

function ndjson(text: string): Record<string, unknown>[] {
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** JSON.parse makes "__proto__" an own key; compare entries so it is seen like any other. */
function entries(objects: readonly Record<string, unknown>[]): [string, unknown][][] {
  return objects.map((object) => Object.entries(object));
}

describe('copyRecords', () => {
  it('copies CSV to CSV keeping each record as written, and reads back the same values', async () => {
    const dir = await mkdtemp(join(work, 'csv-'));
    await writeFile(join(dir, 'in.csv'), `\ufeff${CSV}\r\n`);
    const summary = await copyRecords({
      input: join(dir, 'in.csv'),
      output: join(dir, 'out.csv'),
      rejects: join(dir, 'r.csv'),
    });
    expect(summary).toMatchObject({
      rows: 3,
      rejected: 0,
      inputFormat: 'csv',
      outputFormat: 'csv',
    });
    const text = await readFile(join(dir, 'out.csv'), 'utf8');
    expect(text).toBe(`${CSV.split('\r\n').join('\n')}\n`);
  });

  it('turns CSV into NDJSON with string values, and that NDJSON back into the same CSV values', async () => {
    const dir = await mkdtemp(join(work, 'round-'));
    await writeFile(join(dir, 'in.csv'), `${CSV}\n`);
    await copyRecords({ input: join(dir, 'in.csv'), output: join(dir, 'mid.ndjson') });
    const objects = ndjson(await readFile(join(dir, 'mid.ndjson'), 'utf8'));
    expect(entries(objects)).toEqual(VALUES.map((row) => [...row, ['error', null]]));

    await copyRecords({
      input: join(dir, 'mid.ndjson'),
      output: join(dir, 'back.csv'),
      rejects: join(dir, 'r.csv'),
    });
    const back = parse(await readFile(join(dir, 'back.csv'), 'utf8')) as string[][];
    expect(back).toEqual([
      ['name', 'note', '__proto__', 'n', 'error'],
      ...VALUES.map((row) => [...row.map(([, value]) => value), '']),
    ]);
  });

  it('keeps NDJSON objects as written, typed values and all, when NDJSON goes out', async () => {
    const dir = await mkdtemp(join(work, 'ndjson-'));
    const lines = ['{"a": 1.50, "b": [1, 2], "c": null}', '{}', '  {"a":"x"}  '];
    await writeFile(join(dir, 'in.jsonl'), `${lines.join('\n')}\n`);
    await copyRecords({ input: join(dir, 'in.jsonl'), output: join(dir, 'out.ndjson') });
    expect((await readFile(join(dir, 'out.ndjson'), 'utf8')).split('\n')).toEqual([
      '{"a": 1.50, "b": [1, 2], "c": null,"error":null}',
      '{"error":null}',
      '{"a":"x","error":null}',
      '',
    ]);
  });

  it('reports unparseable records with their line, in place or in the rejects file', async () => {
    const dir = await mkdtemp(join(work, 'bad-'));
    await writeFile(join(dir, 'in.ndjson'), '{"a":1}\n{"a":\n[1]\n\n{"a":2}\n');
    const inPlace = await copyRecords({
      input: join(dir, 'in.ndjson'),
      output: join(dir, 'out.csv'),
    });
    expect(inPlace).toMatchObject({ rows: 4, scored: 2, rejected: 2 });
    const rows = await readCsvRecords(join(dir, 'out.csv'));
    expect(rows.map((row) => row['a'])).toEqual(['1', '', '', '2']);
    expect(rows[1]?.['error']).toMatch(/^invalid JSON: /);
    expect(rows[2]?.['error']).toBe('expected a JSON object');

    await copyRecords({
      input: join(dir, 'in.ndjson'),
      output: join(dir, 'ok.ndjson'),
      rejects: join(dir, 'rejects.ndjson'),
    });
    expect(ndjson(await readFile(join(dir, 'ok.ndjson'), 'utf8'))).toEqual([{ a: 1 }, { a: 2 }]);
    const rejects = ndjson(await readFile(join(dir, 'rejects.ndjson'), 'utf8'));
    expect(rejects.map((r) => [r['line'], r['row']])).toEqual([
      [2, '{"a":'],
      [3, '[1]'],
    ]);
    expect(await readdir(dir)).toEqual(['in.ndjson', 'ok.ndjson', 'out.csv', 'rejects.ndjson']);
  });

  it('reads CSV from a file without an extension when told its format, and refuses a guess', async () => {
    const dir = await mkdtemp(join(work, 'format-'));
    await writeFile(join(dir, 'data'), 'a,b\n1,2\n');
    await expect(
      copyRecords({ input: join(dir, 'data'), output: join(dir, 'out.csv') }),
    ).rejects.toThrow(/cannot tell the format of .*data from its extension/);
    const summary = await copyRecords({
      input: join(dir, 'data'),
      output: join(dir, 'out'),
      format: 'csv',
    });
    expect(summary).toMatchObject({ rows: 1, outputFormat: 'csv' });
    expect(await readFile(join(dir, 'out'), 'utf8')).toBe('a,b,error\n1,2,\n');
  });
});
