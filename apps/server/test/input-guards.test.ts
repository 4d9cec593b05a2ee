import type { InputColumnSchema } from '@tandem/features';
import { describe, expect, it } from 'vitest';
import { checkFloat32Range, inputGuards, nonFiniteRows, ownColumns } from '../src/input-guards.ts';

const schema = [
  { name: 'toString', type: 'categorical', nullable: true },
  { name: 'Income', type: 'numeric', nullable: true },
] as unknown as InputColumnSchema[];

describe('input guards', () => {
  it('read a column named like an Object.prototype member as missing when the row lacks it', () => {
    const guards = inputGuards(schema);
    expect(guards.inherited).toEqual(['toString']);
    const rows = ownColumns([{ Income: 1 }, { toString: 'a', Income: 2 }], guards);
    expect(rows[0]?.toString).toBeUndefined();
    expect(rows[0]?.Income).toBe(1);
    expect(rows[1]?.toString).toBe('a');
    const plain = [{ Income: 1 }];
    expect(ownColumns(plain, inputGuards([schema[1]!]))).toBe(plain);
  });

  it('refuse numbers beyond float32, as JSON numbers or text, naming row and column', () => {
    const guards = inputGuards(schema);
    expect(() => checkFloat32Range([{ Income: 3e38 }, { Income: '-3e38' }], guards)).not.toThrow();
    expect(() => checkFloat32Range([{ Income: 1 }, { Income: '1e41' }], guards)).toThrow(
      /row 1, column "Income": expected a number within float32 range/,
    );
    expect(() => checkFloat32Range([{ Income: -1e39 }], guards)).toThrow(/row 0/);
  });

  it('find the rows whose outputs are not finite', () => {
    const outputs = new Float32Array([0.1, 0.9, Number.NaN, 0.5, 0.2, Number.POSITIVE_INFINITY]);
    expect(nonFiniteRows(outputs, 2)).toEqual([1, 2]);
    expect(nonFiniteRows(new Float32Array([1, 2]), 1)).toEqual([]);
  });
});
