import { describe, expect, it } from 'vitest';
import {
  FeatureStateError,
  FittedPipeline,
  fitPipeline,
  type PipelineState,
} from '../src/index.ts';
import { MIXED_SPEC, randomMixedRow } from './support/mixed-pipeline.ts';
import { seededRandom } from './support/random.ts';

const random = seededRandom(7);
const training = Array.from({ length: 300 }, () => randomMixedRow(random, false));
const serving = Array.from({ length: 300 }, () => randomMixedRow(random, true));
const pipeline = fitPipeline(MIXED_SPEC, training);

describe('JSON state', () => {
  it('round-trips through JSON text to identical Float32 output', () => {
    const restored = FittedPipeline.fromJSON(JSON.parse(JSON.stringify(pipeline.toJSON())));
    expect(restored.outputNames).toEqual(pipeline.outputNames);
    expect(restored.inputSchema).toEqual(pipeline.inputSchema);
    const before = pipeline.transformBatch(serving);
    const after = restored.transformBatch(serving);
    // Bitwise comparison of the Float32 bytes.
    expect(
      Buffer.compare(Buffer.from(after.values.buffer), Buffer.from(before.values.buffer)),
    ).toBe(0);
    expect(after.issues).toEqual(before.issues);
    expect(before.issues.length).toBeGreaterThan(0);
  });

  it('serialises the same fit to byte-identical JSON', () => {
    const again = fitPipeline(MIXED_SPEC, training);
    expect(JSON.stringify(again.toJSON())).toBe(JSON.stringify(pipeline.toJSON()));
  });

  it('restores the canonical key order whatever order the state arrives in', () => {
    const reversed = reverseKeys(pipeline.toJSON());
    expect(JSON.stringify(FittedPipeline.fromJSON(reversed).toJSON())).toBe(
      JSON.stringify(pipeline.toJSON()),
    );
  });

  it('carries format 1 and only plain JSON values', () => {
    const state = pipeline.toJSON();
    expect(state.format).toBe(1);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('hands out a copy: changing it does not change the pipeline', () => {
    const state = pipeline.toJSON();
    (state.columns[0] as { name: string }).name = 'changed';
    expect(pipeline.toJSON().columns[0]!.name).toBe('income');
  });
});

describe('fromJSON refuses', () => {
  const good = pipeline.toJSON();
  const withChange = (change: (state: Record<string, unknown>) => void): unknown => {
    const state = structuredClone(good) as unknown as Record<string, unknown>;
    change(state);
    return state;
  };

  it('a newer format, saying so', () => {
    expect(() => FittedPipeline.fromJSON(withChange((s) => (s['format'] = 2)))).toThrow(
      'pipeline state has format 2, newer than the supported format 1: upgrade @tandem/features to read it',
    );
  });

  it('an unknown or absent format', () => {
    expect(() => FittedPipeline.fromJSON(withChange((s) => (s['format'] = 'v1')))).toThrow(
      FeatureStateError,
    );
    expect(() => FittedPipeline.fromJSON(withChange((s) => delete s['format']))).toThrow(
      'pipeline state: expected format 1, got nothing (the column is absent)',
    );
  });

  it('malformed state, naming the field', () => {
    const cases: Array<[(s: Record<string, unknown>) => void, string]> = [
      [(s) => (s['columns'] = {}), 'columns: expected an array, got an object'],
      [
        (s) => (column(s, 0)['transform'] = { kind: 'standardize', mean: 'x', std: 1 }),
        'columns[0].transform.mean: expected a finite number, got "x"',
      ],
      [
        (s) => (column(s, 0)['type'] = 'text'),
        'columns[0].type: expected one of "numeric", "categorical", "boolean", "datetime", got "text"',
      ],
      [(s) => (column(s, 5)['counts'] = [1]), 'columns[5].counts: expected'],
      [(s) => (column(s, 1)['name'] = 'income'), 'columns: the column "income" appears twice'],
      [
        (s) => (column(s, 3)['outOfRange'] = 'wrap'),
        'columns[3].outOfRange: expected one of "clip", "extrapolate"',
      ],
    ];
    for (const [change, message] of cases) {
      expect(() => FittedPipeline.fromJSON(withChange(change))).toThrow(message);
    }
    expect(() => FittedPipeline.fromJSON(null)).toThrow(
      'pipeline state: expected an object, got null',
    );
    expect(() => FittedPipeline.fromJSON('{}')).toThrow(FeatureStateError);
  });

  it('with code TANDEM_FEATURES_STATE_INVALID', () => {
    try {
      FittedPipeline.fromJSON({ format: 9 });
      expect.unreachable();
    } catch (error) {
      expect((error as FeatureStateError).code).toBe('TANDEM_FEATURES_STATE_INVALID');
    }
  });
});

function column(state: Record<string, unknown>, index: number): Record<string, unknown> {
  return (state['columns'] as Array<Record<string, unknown>>)[index]!;
}

function reverseKeys(value: PipelineState): unknown {
  const reverse = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(reverse);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node)
        .reverse()
        .map(([k, v]) => [k, reverse(v)]),
    );
  };
  return reverse(value);
}
