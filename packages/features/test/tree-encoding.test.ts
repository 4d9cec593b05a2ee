import { describe, expect, it } from 'vitest';
import {
  FittedPipeline,
  fitPipeline,
  type PipelineSpec,
  treeInputsOf,
  treeSpec,
} from '../src/index.ts';

const spec: PipelineSpec = {
  columns: [
    { name: 'income', type: 'numeric' },
    { name: 'home', type: 'categorical' },
    { name: 'owner', type: 'boolean' },
    { name: 'when', type: 'datetime' },
  ],
};

const rows = [
  { income: 10, home: 'rent', owner: true, when: '2024-03-01T10:00:00Z' },
  { income: 20.5, home: 'own', owner: false, when: '2023-12-31T23:00:00Z' },
  { income: null, home: 'rent', owner: null, when: null },
  { income: 40, home: 'boat', owner: 'yes', when: '2020-01-06T00:00:00Z' },
  { income: 50, home: null, owner: 'no', when: '2021-07-04T12:00:00Z' },
];

describe('tree encoding', () => {
  const pipeline = fitPipeline(treeSpec(spec), rows);

  it('passes numbers, booleans and datetime parts through unscaled, with missing as NaN', () => {
    expect(pipeline.outputNames).toEqual([
      'income',
      'home',
      'owner',
      'when:year',
      'when:month',
      'when:dow',
      'when:hour',
    ]);
    const { values } = pipeline.transformBatch(rows);
    const at = (r: number) => Array.from(values.subarray(r * 7, r * 7 + 7));
    // Levels: rent (2) first, then boat, own (1 each, code-unit order).
    expect(at(0)).toEqual([10, 0, 1, 2024, 3, 5, 10]);
    expect(at(1)).toEqual([20.5, 2, 0, 2023, 12, 0, 23]);
    expect(at(2)).toEqual([
      Number.NaN,
      0,
      Number.NaN,
      Number.NaN,
      Number.NaN,
      Number.NaN,
      Number.NaN,
    ]);
    expect(at(4)[1]).toBeNaN();
  });

  it('sends unseen levels where missing values go (NaN) and reports them', () => {
    const { values, issues } = pipeline.transform({
      income: 1e6,
      home: 'castle',
      owner: 1,
      when: 0,
    });
    expect(values[0]).toBe(1e6);
    expect(values[1]).toBeNaN();
    expect(issues).toEqual([
      { row: 0, column: 'income', kind: 'out_of_range' },
      { row: 0, column: 'home', kind: 'unseen_category' },
      { row: 0, column: 'when', kind: 'out_of_range' },
    ]);
  });

  it('sends rare levels (below minFrequency) to NaN without a warning', () => {
    const rare = fitPipeline(
      treeSpec({
        columns: [
          { name: 'home', type: 'categorical', transform: { kind: 'onehot', minFrequency: 2 } },
        ],
      }),
      rows,
    );
    const state = rare.toJSON().columns[0]!;
    expect(state.type === 'categorical' && state.levels).toEqual(['rent']);
    const { values, issues } = rare.transform({ home: 'boat' });
    expect(values[0]).toBeNaN();
    expect(issues).toEqual([]);
  });

  it('survives its JSON round trip and describes its outputs for trees', () => {
    const restored = FittedPipeline.fromJSON(JSON.parse(JSON.stringify(pipeline.toJSON())));
    expect(JSON.stringify(restored.toJSON())).toBe(JSON.stringify(pipeline.toJSON()));
    expect(Array.from(restored.transformBatch(rows).values)).toEqual(
      Array.from(pipeline.transformBatch(rows).values),
    );
    const inputs = treeInputsOf(pipeline.toJSON());
    expect(inputs?.map((i) => [i.name, i.column, i.kind, i.categories])).toEqual([
      ['income', 'income', 'numeric', 0],
      ['home', 'home', 'categorical', 3],
      ['owner', 'owner', 'numeric', 0],
      ['when:year', 'when', 'numeric', 0],
      ['when:month', 'when', 'numeric', 0],
      ['when:dow', 'when', 'numeric', 0],
      ['when:hour', 'when', 'numeric', 0],
    ]);
    expect(treeInputsOf(fitPipeline(spec, rows).toJSON())).toBeNull();
  });

  it('refuses impute "none" where NaN would be scaled or one-hot encoded', () => {
    expect(() =>
      fitPipeline(
        { columns: [{ name: 'income', type: 'numeric', impute: { strategy: 'none' } }] },
        rows,
      ),
    ).toThrow(/impute strategy "none" .* needs transform "identity"/);
  });
});
