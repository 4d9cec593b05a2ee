import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileColumn } from '../src/encode/compile.ts';
import {
  type EncodedColumn,
  generateRowEncoder,
  loopRowEncoder,
  type RowEncoder,
} from '../src/encode/row-encoder.ts';
import {
  FittedPipeline,
  fitPipeline,
  inferSchema,
  type PipelineSpec,
  type RawRow,
  type TransformReport,
} from '../src/index.ts';
import { asJsonRows, CREDIT_TARGET, readCreditRows, readCreditSplit } from './support/credit.ts';
import { MIXED_SPEC, randomMixedRow } from './support/mixed-pipeline.ts';
import { pick, seededRandom } from './support/random.ts';

/** The pipeline's columns compiled as FittedPipeline compiles them. */
function columnsOf(pipeline: FittedPipeline): EncodedColumn[] {
  let offset = 0;
  return pipeline.toJSON().columns.map((state) => {
    const compiled = compileColumn(state, offset);
    offset += compiled.width;
    return { name: state.name, encode: compiled.encode, fastPath: compiled.fastPath };
  });
}

function run(encodeRow: RowEncoder, rows: readonly RawRow[], width: number) {
  const out = new Float32Array(rows.length * width).fill(Number.NaN);
  const report: TransformReport = { issues: [], errors: [] };
  const valid = rows.map((row, i) => encodeRow(row, out, i * width, i, report));
  return { out, report, valid };
}

/** The generated row encoder against the plain loop over the column encoders, bit for bit. */
function expectSameAsLoop(pipeline: FittedPipeline, rows: readonly RawRow[]): void {
  const columns = columnsOf(pipeline);
  const generated = run(generateRowEncoder(columns), rows, pipeline.width);
  const loop = run(loopRowEncoder(columns), rows, pipeline.width);
  expect(generated.valid).toEqual(loop.valid);
  expect(generated.report).toEqual(loop.report);
  if (!Buffer.from(generated.out.buffer).equals(Buffer.from(loop.out.buffer))) {
    expect([...generated.out]).toEqual([...loop.out]);
  }
}

/** Every kind of column, rule and fast path: declared ranges and values, Map lookups, clipping. */
const RULES_SPEC: PipelineSpec = {
  columns: [
    { name: 'n1', type: 'numeric', nullable: false, range: { min: -50, max: 500 } },
    { name: 'n2', type: 'numeric', transform: { kind: 'minmax', clip: true } },
    { name: 'n3', type: 'numeric', transform: { kind: 'robust' }, outOfRange: 'clip' },
    { name: 'n4', type: 'numeric', transform: { kind: 'log1p' } },
    {
      name: 'c1',
      type: 'categorical',
      values: ['a', 'b', 'c', 'z'],
      transform: { kind: 'onehot', unknown: 'reject' },
    },
    // More levels than are compared one by one, and more slots than are zeroed one by one.
    { name: 'c2', type: 'categorical', transform: { kind: 'onehot', maxCategories: 18 } },
    { name: 'c3', type: 'categorical', transform: { kind: 'ordinal' }, missingIndicator: true },
    { name: 'b1', type: 'boolean', missingIndicator: true },
    { name: 'b2', type: 'boolean', nullable: false },
    { name: 'd1', type: 'datetime' },
  ],
};
const MANY_LEVELS = Array.from({ length: 24 }, (_, i) => `level-${i}`);

function trainingRow(random: () => number): RawRow {
  return {
    n1: Math.round(random() * 400),
    n2: random() * 10,
    n3: random() < 0.1 ? null : random() * 100 - 50,
    n4: random() * 1000,
    c1: pick(random, ['a', 'b', 'c']),
    c2: MANY_LEVELS[Math.floor(random() * random() * MANY_LEVELS.length)],
    c3: pick(random, ['x', 'y', 'w']),
    b1: random() < 0.1 ? null : pick(random, [true, false]),
    b2: pick(random, ['yes', 'no']),
    d1: Date.UTC(2020, 0, 1) + Math.floor(random() * 1e10),
  };
}

/** Values of every type and shape, valid and not, for any column. */
const ANY_VALUE: readonly unknown[] = [
  undefined,
  null,
  '',
  '   ',
  0,
  -0,
  '-0',
  1,
  '1',
  '1.5',
  ' 12 ',
  '1e2',
  '+.5',
  '12345678901234567',
  -60,
  '600',
  1e6,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  'Infinity',
  'abc',
  'a',
  'a ',
  'z',
  'q',
  'x',
  'w',
  'level-0',
  'level-20',
  true,
  false,
  'YES',
  'no',
  {},
  [],
  '2024-03-01',
];

function anyRow(random: () => number, training: RawRow): RawRow {
  const row: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(training)) {
    const roll = random();
    if (roll < 0.5) row[name] = value;
    else if (roll < 0.6) row[name] = typeof value === 'number' ? String(value) : value;
    else if (roll > 0.95) continue;
    else row[name] = pick(random, ANY_VALUE);
  }
  return row;
}

describe('the generated row encoder', () => {
  it('matches the loop over the column encoders on every kind of value', () => {
    const random = seededRandom(21);
    const training = Array.from({ length: 400 }, () => trainingRow(random));
    const pipeline = fitPipeline(RULES_SPEC, training);
    const rows = Array.from({ length: 3000 }, () => anyRow(random, pick(random, training)));
    expectSameAsLoop(pipeline, rows);
    const valid = rows.filter(
      (row) => pipeline.transformBatch([row], { errors: 'collect' }).rejected.length === 0,
    );
    expect(valid.length).toBeGreaterThan(100);
    expect(valid.length).toBeLessThan(2900);
  });

  it('matches it on the mixed pipeline, values as given and as strings', () => {
    const random = seededRandom(22);
    const pipeline = fitPipeline(
      MIXED_SPEC,
      Array.from({ length: 200 }, () => randomMixedRow(random, false)),
    );
    const rows = Array.from({ length: 1000 }, () => randomMixedRow(random, true));
    expectSameAsLoop(pipeline, rows);
    const asText = rows.map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([key, value]) => [key, value == null ? value : String(value)]),
      ),
    );
    expectSameAsLoop(pipeline, asText);
  });

  it('matches it on the credit rows, as CSV strings and as JSON', () => {
    const rows = readCreditRows();
    const training = readCreditSplit().train.map((i) => rows[i]!);
    const { spec } = inferSchema(training, { exclude: [CREDIT_TARGET] });
    const pipeline = fitPipeline(spec, training);
    const numeric = new Set(spec.columns.filter((c) => c.type === 'numeric').map((c) => c.name));
    expectSameAsLoop(pipeline, rows);
    expectSameAsLoop(pipeline, asJsonRows(rows, numeric) as RawRow[]);
  });

  it('matches it on a pipeline wider than one generated function', () => {
    const spec: PipelineSpec = {
      columns: Array.from({ length: 150 }, (_, i) =>
        i % 3 === 0
          ? { name: `c${i}`, type: 'categorical' as const }
          : { name: `n${i}`, type: 'numeric' as const },
      ),
    };
    const random = seededRandom(24);
    const rowOf = (spread: number): RawRow =>
      Object.fromEntries(
        spec.columns.map((column) => [
          column.name,
          column.type === 'numeric'
            ? String(Math.round(random() * spread))
            : pick(random, ['a', 'b', 'c', 'd', '', null]),
        ]),
      );
    const pipeline = fitPipeline(
      spec,
      Array.from({ length: 100 }, () => rowOf(100)),
    );
    expectSameAsLoop(
      pipeline,
      Array.from({ length: 200 }, () => rowOf(150)),
    );
  });

  it('takes column names and levels with quotes, backslashes and line breaks as data', () => {
    const names = ['a"b', 'c\\d', 'e\nf', 'g\u2028h', "');throw 1;('", '$\u007bx}', '*/ x /*'];
    const levels = ['"q"', '\\', 'l\u2029m', '</script>', "'"];
    const spec: PipelineSpec = {
      columns: [
        ...names.map((name) => ({ name, type: 'numeric' as const })),
        { name: 'level"s', type: 'categorical' },
      ],
    };
    const training = levels.map((level, i) =>
      Object.fromEntries([...names.map((name) => [name, i]), ['level"s', level]]),
    );
    const pipeline = fitPipeline(spec, training);
    // Levels seen once each: in code unit order.
    const ordered = [...levels].sort();
    expect(pipeline.outputNames).toEqual([...names, ...ordered.map((level) => `level"s=${level}`)]);
    const { values, issues } = pipeline.transform(training[1]!);
    expect(issues).toEqual([]);
    expect([...values.subarray(0, names.length)]).toEqual(
      names.map(() => pipeline.transform({ ...training[1]!, [names[0]!]: 1 }).values[0]),
    );
    expect([...values.subarray(names.length)]).toEqual(
      ordered.map((level) => (level === levels[1] ? 1 : 0)),
    );
    expectSameAsLoop(pipeline, [...training, { 'a"b': '2', 'level"s': 'nope' }]);
  });

  it('writes the fitted constants exactly, -0 included', () => {
    const encode = generateRowEncoder([
      {
        name: 'x',
        encode: () => false,
        fastPath: {
          kind: 'affine',
          min: -1,
          max: 1,
          center: -0,
          scale: 0.1,
          clamp: false,
          at: 0,
          indicatorAt: -1,
        },
      },
    ]);
    const out = new Float32Array(1);
    const report: TransformReport = { issues: [], errors: [] };
    // (-0 - -0) is 0 where (-0 - 0) would be -0.
    expect(encode({ x: -0 }, out, 0, 0, report)).toBe(true);
    expect(Object.is(out[0], 0)).toBe(true);
    expect(encode({ x: '-0.5' }, out, 0, 0, report)).toBe(true);
    expect(out[0]).toBe(Math.fround(-0.5 / 0.1));
    expect(encode({ x: 2 }, out, 0, 0, report)).toBe(false);
  });
});

describe('without code generation from strings', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('falls back to the loop, with the same results', () => {
    const random = seededRandom(23);
    const training = Array.from({ length: 300 }, () => trainingRow(random));
    const pipeline = fitPipeline(RULES_SPEC, training);
    const rows = Array.from({ length: 500 }, () => anyRow(random, pick(random, training)));
    let attempts = 0;
    // What `new Function(...)` does under --disallow-code-generation-from-strings.
    vi.stubGlobal(
      'Function',
      new Proxy(Function, {
        construct() {
          attempts++;
          throw new EvalError('Code generation from strings disallowed for this context');
        },
      }),
    );
    const restored = FittedPipeline.fromJSON(pipeline.toJSON());
    vi.unstubAllGlobals();
    expect(attempts).toBe(1);
    const expected = pipeline.transformBatch(rows, { errors: 'collect' });
    const actual = restored.transformBatch(rows, { errors: 'collect' });
    expect(actual.rejected).toEqual(expected.rejected);
    expect(actual.issues).toEqual(expected.issues);
    expect(actual.errors).toEqual(expected.errors);
    expect(Buffer.from(actual.values.buffer).equals(Buffer.from(expected.values.buffer))).toBe(
      true,
    );
  });
});
