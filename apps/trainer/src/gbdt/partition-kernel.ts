import * as op from '@tandem/runtime/wasm-encoding';
import { instantiate, MEMORY_IMPORT, type WasmMemory } from './kernel-arena.ts';

// Local indices: the parameters (byte addresses but start and end; PARAMS of them), then locals.
const [INDICES, SCRATCH, COLUMN, TABLE, J, END, L, R, I, LEFT] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
] as const;
const PARAMS = 6;

const address = (base: number, element: number) =>
  op.asm(op.localGet(base), op.localGet(element), op.i32Const(2), op.i32Shl(), op.i32Add());

/**
 * The stable partition of grow.ts in WebAssembly: for j in start … end - 1, row i = indices[j]
 * goes left when table[column[i]] is 1; left rows are written back in place from `start`
 * (l <= j: the slot was read already), right rows to `scratch` and then copied after them.
 * Both stores run for every row, so the loop has no branch on the side. Returns the boundary.
 */
export function partitionModuleBytes(): Uint8Array {
  const params = Array.from({ length: PARAMS }, () => [op.valueType.i32]);
  const funcType = [op.FUNC_TYPE, ...op.vec(params), ...op.vec([[op.valueType.i32]])];
  const code: op.Bytes = op.asm(
    op.asm(op.localGet(J), op.localSet(L)),
    op.block(),
    op.loop(),
    op.asm(op.localGet(J), op.localGet(END), op.i32GeU(), op.brIf(1)),
    op.asm(address(INDICES, J), op.i32Load(), op.localSet(I)),
    op.asm(
      op.localGet(TABLE),
      op.localGet(COLUMN),
      op.localGet(I),
      op.i32Add(),
      op.i32Load8U(),
      op.i32Add(),
    ),
    op.asm(op.i32Load8U(), op.localSet(LEFT)),
    op.asm(address(INDICES, L), op.localGet(I), op.i32Store()),
    op.asm(address(SCRATCH, R), op.localGet(I), op.i32Store()),
    op.asm(op.localGet(L), op.localGet(LEFT), op.i32Add(), op.localSet(L)),
    op.asm(
      op.localGet(R),
      op.i32Const(1),
      op.i32Add(),
      op.localGet(LEFT),
      op.i32Sub(),
      op.localSet(R),
    ),
    op.asm(op.localGet(J), op.i32Const(1), op.i32Add(), op.localSet(J)),
    op.br(0),
    op.end(),
    op.end(),
    op.asm(
      address(INDICES, L),
      op.localGet(SCRATCH),
      op.localGet(R),
      op.i32Const(2),
      op.i32Shl(),
      op.memoryCopy(),
    ),
    op.localGet(L),
    op.end(),
  );
  const body = [...op.vec([[...op.u32(4), op.valueType.i32]]), ...code];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...op.section(1, op.vec([funcType])),
    ...op.section(2, op.vec([MEMORY_IMPORT])),
    ...op.section(3, op.vec([op.u32(0)])),
    ...op.section(7, op.vec([[...op.name('partition'), 0x00, ...op.u32(0)]])),
    ...op.section(10, op.vec([[...op.u32(body.length), ...body]])),
  ]);
}

/** partition(indices, scratch, column, table, start, end) → the first right row's position. */
export type PartitionKernel = (
  indices: number,
  scratch: number,
  column: number,
  table: number,
  start: number,
  end: number,
) => number;

/** The partition kernel on `memory`, or null where WebAssembly is unavailable. */
export function partitionKernel(memory: WasmMemory): PartitionKernel | null {
  const exports = instantiate(partitionModuleBytes(), memory);
  return exports && (exports.partition as PartitionKernel);
}
