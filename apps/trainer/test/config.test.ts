import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.ts';
import { editDistance, suggest } from '../src/config/suggest.ts';
import { loadDataset } from '../src/data/load.ts';
import { DATA, tempDir, writeJson } from './support.ts';

const MINIMAL = {
  name: 'credit',
  data: path.join(DATA, 'credit.csv'),
  target: 'Status',
  task: 'binary',
} as const;

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir('config'));
});
afterAll(() => remove());

/** The message loadConfig fails with for a config file holding `value`. */
async function failure(value: unknown): Promise<string> {
  const file = await writeJson(
    path.join(dir, `c${Math.random().toString(36).slice(2)}.json`),
    value,
  );
  const error = await loadConfig(file).then(
    () => undefined,
    (e: unknown) => e as Error & { code?: string },
  );
  expect(error, 'the config should have been refused').toBeDefined();
  expect(error?.code).toMatch(/^TANDEM_CONFIG_/);
  return error?.message ?? '';
}

describe('config validation names the offending key', () => {
  it('rejects an unknown top-level key, suggesting the near miss', async () => {
    expect(await failure({ ...MINIMAL, trainig: {} })).toMatch(
      /unknown config key "trainig" \(did you mean "training"\?\)/,
    );
  });

  it('rejects an unknown nested key with its dotted path', async () => {
    expect(await failure({ ...MINIMAL, training: { epoch: 5 } })).toMatch(
      /unknown config key "training\.epoch" \(did you mean "epochs"\?\)/,
    );
    expect(await failure({ ...MINIMAL, training: { earlyStopping: { patient: 3 } } })).toMatch(
      /"training\.earlyStopping\.patient" \(did you mean "patience"\?\)/,
    );
  });

  it('rejects a missing required key', async () => {
    const { target: _target, ...rest } = MINIMAL;
    expect(await failure(rest)).toMatch(/missing required config key "target"/);
  });

  it('rejects a value of the wrong type, saying what was expected and found', async () => {
    expect(await failure({ ...MINIMAL, training: { epochs: 'ten' } })).toMatch(
      /config key "training\.epochs": expected an integer >= 1, got "ten"/,
    );
    expect(await failure({ ...MINIMAL, split: { test: 1.5 } })).toMatch(
      /config key "split\.test": expected a number > 0 and < 1, got 1\.5/,
    );
    expect(await failure({ ...MINIMAL, drop: 'Id' })).toMatch(
      /config key "drop": expected an array of strings/,
    );
    expect(await failure({ ...MINIMAL, model: { type: 'mlp', hidden: [] } })).toMatch(
      /"model\.hidden"/,
    );
    expect(await failure({ ...MINIMAL, model: { type: 'mlp', hidden: [8, 0] } })).toMatch(
      /"model\.hidden\[1\]"/,
    );
    expect(await failure({ ...MINIMAL, model: { type: 'auto', ensemble: 'yes' } })).toMatch(
      /config key "model\.ensemble": expected true or false, got "yes"/,
    );
  });

  it('rejects an unknown choice with a suggestion', async () => {
    expect(await failure({ ...MINIMAL, task: 'binar' })).toMatch(
      /config key "task": expected one of "binary", "multiclass", "regression", got "binar" \(did you mean "binary"\?\)/,
    );
    expect(await failure({ ...MINIMAL, training: { optimizer: 'adma' } })).toMatch(
      /"training\.optimizer".*did you mean "adam"/,
    );
  });

  it('rejects keys that do not belong to the chosen model or split kind', async () => {
    expect(await failure({ ...MINIMAL, model: { type: 'linear', hidden: [8] } })).toMatch(
      /unknown config key "model\.hidden"/,
    );
    expect(await failure({ ...MINIMAL, split: { file: 'x.json', test: 0.2 } })).toMatch(
      /unknown config key "split\.test"/,
    );
  });

  it('checks feature overrides key by key', async () => {
    expect(await failure({ ...MINIMAL, features: { Income: { typ: 'numeric' } } })).toMatch(
      /unknown config key "features\.Income\.typ" \(did you mean "type"\?\)/,
    );
    expect(await failure({ ...MINIMAL, features: { Income: { type: 'number' } } })).toMatch(
      /config key "features\.Income\.type"/,
    );
    expect(
      await failure({ ...MINIMAL, features: { Income: { transform: { kind: 'standardise' } } } }),
    ).toMatch(/"features\.Income\.transform\.kind".*did you mean "standardize"/);
  });

  it('rejects a name that cannot be a folder', async () => {
    expect(await failure({ ...MINIMAL, name: '../evil' })).toMatch(/config key "name"/);
  });

  it('names the file for invalid JSON and for a missing file', async () => {
    const file = path.join(dir, 'broken.json');
    await writeFile(file, '{ "name": ');
    await expect(loadConfig(file)).rejects.toThrow(/broken\.json: not valid JSON/);
    await expect(loadConfig(path.join(dir, 'absent.json'))).rejects.toMatchObject({
      code: 'TANDEM_CONFIG_NOT_FOUND',
      message: expect.stringMatching(/config file not found: .*absent\.json/),
    });
  });

  it('says so when the config path is a directory', async () => {
    const folder = path.join(dir, 'folder.json');
    await mkdir(folder);
    await expect(loadConfig(folder)).rejects.toMatchObject({
      code: 'TANDEM_CONFIG_NOT_FOUND',
      message: expect.stringMatching(/^config file is a directory: .*folder\.json$/),
    });
  });
});

describe('the data key', () => {
  it('keeps the file form, resolves Parquet paths, and keeps URLs and queries as written', async () => {
    const folder = path.join(dir, 'models');
    await mkdir(folder, { recursive: true });
    const at = async (data: unknown) =>
      (await loadConfig(await writeJson(path.join(folder, 'd.json'), { ...MINIMAL, data }))).data;
    expect(path.resolve(String(await at('../credit.parquet')))).toBe(
      path.join(dir, 'credit.parquet'),
    );
    expect(await at('s3://bucket/data/credit.csv')).toBe('s3://bucket/data/credit.csv');
    expect(await at({ postgres: 'CREDIT_DB', query: 'SELECT 1' })).toEqual({
      postgres: 'CREDIT_DB',
      query: 'SELECT 1',
    });
    const log = (await at({ log: 'log', since: '7d' })) as { log: string; since: string };
    expect({ ...log, log: path.resolve(log.log) }).toEqual({
      log: path.join(folder, 'log'),
      since: '7d',
    });
  });

  it('names the data field of a malformed source', async () => {
    expect(await failure({ ...MINIMAL, data: { postgres: 'CREDIT_DB' } })).toMatch(
      /config key "data.query": expected a non-empty string, got undefined$/,
    );
    expect(await failure({ ...MINIMAL, data: { postgres: 'not a url', query: 'q' } })).toMatch(
      /config key "data.postgres": expected a postgres:\/\/ URL or the name of an environment variable/,
    );
    expect(await failure({ ...MINIMAL, data: { postgres: 'DB', query: 'q', table: 't' } })).toMatch(
      /config key "data.table": unknown key/,
    );
    expect(await failure({ ...MINIMAL, data: { log: 'log', since: 'a week' } })).toMatch(
      /config key "data.since": expected a window/,
    );
    expect(await failure({ ...MINIMAL, data: { log: 'log', sinse: '7d' } })).toMatch(
      /unknown config key "data.sinse" \(did you mean "since"\?\)/,
    );
    expect(await failure({ ...MINIMAL, data: { table: 'credit' } })).toMatch(
      /config key "data": expected a path, an s3:\/\/ URL, or an object with "file", "s3", or "postgres" and "query"; got the keys table$/,
    );
  });
});

describe('config defaults', () => {
  it('resolves every default of the minimal four-key config', async () => {
    const file = await writeJson(path.join(dir, 'minimal.json'), { ...MINIMAL, data: 'data.csv' });
    const config = await loadConfig(file);
    expect(config).toEqual({
      name: 'credit',
      data: path.join(dir, 'data.csv'),
      target: 'Status',
      task: 'binary',
      features: {},
      drop: [],
      split: { test: 0.2, validation: 0.1, seed: 42, stratify: true },
      model: {
        type: 'auto',
        candidates: ['gbdt', 'linear', 'mlp'],
        budgetSeconds: 600,
        folds: 5,
        foldsMaxRows: 10_000,
        choice: 'lowest-loss',
        ensemble: true,
      },
      training: {
        epochs: 200,
        batchSize: 32,
        learningRate: 0.001,
        optimizer: 'adam',
        earlyStopping: { patience: 10, restoreBest: true, minDelta: 0 },
        classWeight: 'none',
        seed: 42,
      },
    });
  });

  it('fills in model and early-stopping defaults around what is given', async () => {
    const config = await loadConfig({
      ...MINIMAL,
      model: { type: 'mlp', hidden: [16] },
      training: { earlyStopping: { patience: 3 } },
    });
    expect(config.model).toEqual({
      type: 'mlp',
      hidden: [16],
      dropout: 0,
      l2: 1e-4,
      activation: 'relu',
    });
    expect(config.training.earlyStopping).toEqual({ patience: 3, restoreBest: true, minDelta: 0 });
  });

  it('takes paths relative to the config file folder', async () => {
    const config = await loadConfig(path.join(DATA, 'models/credit.json'));
    expect(path.resolve(config.data as string)).toBe(path.join(DATA, 'credit.csv'));
    expect('file' in config.split && path.resolve(config.split.file)).toBe(
      path.join(DATA, 'splits/credit.json'),
    );
  });
});

describe('data checks name the column', () => {
  const load = async (overrides: Record<string, unknown>, data = path.join(DATA, 'credit.csv')) =>
    loadDataset(await loadConfig({ ...MINIMAL, data, ...overrides }), { profile: false });

  it('refuses a target column that is absent, suggesting the near miss', async () => {
    await expect(load({ target: 'Statu' })).rejects.toThrow(
      /target column "Statu" not found in .*credit\.csv \(did you mean "Status"\?\)/,
    );
  });

  it('refuses dropped or overridden columns that are absent', async () => {
    await expect(load({ drop: ['Incom'] })).rejects.toThrow(
      /config key "drop": column "Incom" not found .*did you mean "Income"/,
    );
    await expect(load({ features: { Salary: { type: 'numeric' } } })).rejects.toThrow(
      /config key "features\.Salary": column "Salary" not found/,
    );
  });

  it('refuses a target with fewer than two classes', async () => {
    const file = path.join(dir, 'one-class.csv');
    await writeFile(file, 'x,y\n1,a\n2,a\n3,\n');
    await expect(load({ target: 'y' }, file)).rejects.toThrow(
      /target column "y" has fewer than two classes \(only "a"\)/,
    );
  });

  it('refuses a binary task with three classes and a non-numeric regression target', async () => {
    await expect(load({ target: 'species' }, path.join(DATA, 'penguins.csv'))).rejects.toThrow(
      /task "binary" needs exactly two classes but target column "species" has 3/,
    );
    await expect(load({ task: 'regression' })).rejects.toThrow(
      /regression target column "Status" is not numeric: data row 0 holds "good"/,
    );
  });

  it('names the data row of a non-numeric regression target as the file counts it', async () => {
    const file = path.join(dir, 'gaps.csv');
    // Data row 0 has no target and is dropped: the bad value sits in data row 2 of the file.
    await writeFile(file, 'x,y\n1,\n2,3.5\n3,n/a\n4,5\n');
    await expect(load({ target: 'y', task: 'regression' }, file)).rejects.toThrow(
      /regression target column "y" is not numeric: data row 2 holds "n\/a"$/,
    );
  });

  it('refuses a missing data file and an unknown format', async () => {
    await expect(load({}, path.join(dir, 'nothing.csv'))).rejects.toMatchObject({
      code: 'TANDEM_DATA_NOT_FOUND',
      message: expect.stringMatching(/data file not found: .*nothing\.csv/),
    });
    await expect(load({}, path.join(dir, 'data.xlsx'))).rejects.toThrow(/unknown format/);
  });

  it('refuses a data path that is a directory, in one coded error', async () => {
    const folder = path.join(dir, 'folder.csv');
    await mkdir(folder);
    await expect(load({}, folder)).rejects.toMatchObject({
      code: 'TANDEM_DATA_NOT_FOUND',
      message: expect.stringMatching(/^data file is a directory: .*folder\.csv$/),
    });
  });

  it('refuses a data file with no data rows: empty NDJSON, or a CSV with only a header', async () => {
    const header = path.join(dir, 'header-only.csv');
    await writeFile(header, 'x,Status\n');
    await expect(load({}, header)).rejects.toMatchObject({
      code: 'TANDEM_DATA_INVALID',
      message: expect.stringMatching(/^data file .*header-only\.csv has no data rows$/),
    });
    const empty = path.join(dir, 'empty.ndjson');
    await writeFile(empty, '\n');
    await expect(load({}, empty)).rejects.toThrow(/empty\.ndjson has no data rows$/);
  });
});

describe('suggest', () => {
  it('proposes only close words', () => {
    expect(suggest('epoch', ['epochs', 'seed'])).toBe('epochs');
    expect(suggest('zzz', ['epochs', 'seed'])).toBeUndefined();
  });
});

describe('editDistance', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('adma', 'adam')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('Epochs', 'epochs')).toBe(0);
  });
});
