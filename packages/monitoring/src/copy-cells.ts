type Cells = Uint8Array | Int32Array | Float32Array | Float64Array;

/**
 * `count` elements of `from` (from `fromAt`) into `to` (from `toAt`). A small request's few dozen
 * cells copy faster by hand than through subarray() and set(), which allocate a view each.
 */
export function copyCells<T extends Cells>(
  from: T,
  fromAt: number,
  to: T,
  toAt: number,
  count: number,
): void {
  if (count > 64) {
    to.set(from.subarray(fromAt, fromAt + count), toAt);
    return;
  }
  for (let i = 0; i < count; i++) to[toAt + i] = from[fromAt + i] as number;
}
