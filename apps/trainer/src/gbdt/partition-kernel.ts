import {
  asm,
  type Bytes,
  block,
  br,
  brIf,
  end,
  FUNC_TYPE,
  i32Add,
  i32Const,
  i32GeU,
  i32Load,
  i32Load8U,
  i32Shl,
  i32Store,
  i32Sub,
  localGet,
  localSet,
  loop,
  memoryCopy,
  name,
  section,
  u32,
  valueType,
  vec,
} from '@tandem/runtime/wasm-encoding';
import { instantiate, MEMORY_IMPORT, type WasmMemory } from './kernel-arena.ts';

// Parameters (byte addresses but start and end), then locals.
const INDICES = 0;
const SCRATCH = 1;
const COLUMN = 2;
const TABLE = 3;
const J = 4;
const END = 5;
const PARAMS = 6;
const L = 6;
const R = 7;
const I = 8;
const LEFT = 9;

const address = (base: number, element: number) =>
  asm(localGet(base), localGet(element), i32Const(2), i32Shl(), i32Add());

/**
 * The stable partition of grow.ts in WebAssembly: for j in start … end - 1, row i = indices[j]
 * goes left when table[column[i]] is 1; left rows are written back in place from `start`
 * (l <= j: the slot was read already), right rows to `scratch` and then copied after them.
 * Both stores run for every row, so the loop has no branch on the side. Returns the boundary.
 */
export function partitionModuleBytes(): Uint8Array {
  const params = Array.from({ length: PARAMS }, () => [valueType.i32]);
  const funcType = [FUNC_TYPE, ...vec(params), ...vec([[valueType.i32]])];
  const code: Bytes = asm(
    asm(localGet(J), localSet(L)),
    block(),
    loop(),
    asm(localGet(J), localGet(END), i32GeU(), brIf(1)),
    asm(address(INDICES, J), i32Load(), localSet(I)),
    asm(localGet(TABLE), localGet(COLUMN), localGet(I), i32Add(), i32Load8U(), i32Add()),
    asm(i32Load8U(), localSet(LEFT)),
    asm(address(INDICES, L), localGet(I), i32Store()),
    asm(address(SCRATCH, R), localGet(I), i32Store()),
    asm(localGet(L), localGet(LEFT), i32Add(), localSet(L)),
    asm(localGet(R), i32Const(1), i32Add(), localGet(LEFT), i32Sub(), localSet(R)),
    asm(localGet(J), i32Const(1), i32Add(), localSet(J)),
    br(0),
    end(),
    end(),
    asm(address(INDICES, L), localGet(SCRATCH), localGet(R), i32Const(2), i32Shl(), memoryCopy()),
    localGet(L),
    end(),
  );
  const body = [...vec([[...u32(4), valueType.i32]]), ...code];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([funcType])),
    ...section(2, vec([MEMORY_IMPORT])),
    ...section(3, vec([u32(0)])),
    ...section(7, vec([[...name('partition'), 0x00, ...u32(0)]])),
    ...section(10, vec([[...u32(body.length), ...body]])),
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
