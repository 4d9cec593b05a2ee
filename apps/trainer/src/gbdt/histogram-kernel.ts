import {
  asm,
  type Bytes,
  block,
  br,
  brIf,
  end,
  FUNC_TYPE,
  f32Load,
  f64Add,
  f64Const,
  f64Load,
  f64PromoteF32,
  f64Store,
  f64x2Add,
  f64x2ReplaceLane,
  f64x2Splat,
  i32Add,
  i32Const,
  i32GeU,
  i32Load,
  i32Load8U,
  i32Mul,
  i32Shl,
  localGet,
  localSet,
  localTee,
  loop,
  memoryFill,
  name,
  section,
  u32,
  v128Load,
  v128Store,
  valueType,
  vec,
} from '@tandem/runtime/wasm-encoding';
import { FEATURE_STRIDE } from './histogram.ts';
import { instantiate, MEMORY_IMPORT, type WasmMemory } from './kernel-arena.ts';

/**
 * The histogram kernel in WebAssembly: for each row, its gradient and hessian as one float64x2
 * vector added to the (gradient, hessian) pair of each feature's bin, and 1 to the bin's count.
 * The module is assembled for one run's width and one thread's features f0 … f1 - 1, so the
 * feature loop is unrolled with constant offsets. Every sum is the float64 sum in row order that
 * histogram.ts's accumulateRows computes: the same bits.
 *
 * Exports `rows(sums, bins, indices, g, h, start, end)` (rows start … end - 1: the root) and
 * `indexed(…)` (rows indices[start … end - 1]); every argument is a byte address in the
 * imported memory but start and end. Both zero features f0 … f1 - 1 of `sums` first.
 */
export function histogramModuleBytes(width: number, f0: number, f1: number): Uint8Array {
  const params = Array.from({ length: PARAMS }, () => [valueType.i32]);
  const funcType = [FUNC_TYPE, ...vec(params), ...vec([])];
  const magicAndVersion = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  return new Uint8Array([
    ...magicAndVersion,
    ...section(1, vec([funcType])),
    ...section(2, vec([MEMORY_IMPORT])),
    ...section(3, vec([u32(0), u32(0)])),
    ...section(
      7,
      vec([
        [...name('rows'), 0x00, ...u32(0)],
        [...name('indexed'), 0x00, ...u32(1)],
      ]),
    ),
    ...section(10, vec([body(width, f0, f1, false), body(width, f0, f1, true)])),
  ]);
}

const FEATURE_BYTES = FEATURE_STRIDE * 8;

// Parameters, then locals.
const SUMS = 0;
const BINS = 1;
const INDICES = 2;
const G = 3;
const H = 4;
const J = 5;
const END = 6;
const PARAMS = 7;
const I = 7;
const ROW = 8;
const AT = 9;
const GH = 10;

function body(width: number, f0: number, f1: number, indexed: boolean): Bytes {
  const rowOf = indexed
    ? asm(localGet(INDICES), localGet(J), i32Const(2), i32Shl(), i32Add(), i32Load(), localSet(I))
    : asm(localGet(J), localSet(I));
  const pair = asm(
    asm(localGet(G), localGet(I), i32Const(2), i32Shl(), i32Add(), f32Load(), f64PromoteF32()),
    f64x2Splat(),
    asm(localGet(H), localGet(I), i32Const(2), i32Shl(), i32Add(), f32Load(), f64PromoteF32()),
    f64x2ReplaceLane(1),
    localSet(GH),
  );
  const features: Bytes[] = [];
  for (let f = f0; f < f1; f++) {
    const slot = f * FEATURE_BYTES;
    features.push(
      // at = sums + bin · 24; the feature's offset rides in the access's constant offset.
      asm(localGet(SUMS), localGet(ROW), i32Load8U(f), i32Const(24), i32Mul(), i32Add()),
      asm(localTee(AT), localGet(AT), v128Load(slot), localGet(GH), f64x2Add(), v128Store(slot)),
      asm(
        localGet(AT),
        localGet(AT),
        f64Load(slot + 16),
        f64Const(1),
        f64Add(),
        f64Store(slot + 16),
      ),
    );
  }
  const code = asm(
    // Zero features f0 … f1 - 1.
    asm(localGet(SUMS), i32Const(f0 * FEATURE_BYTES), i32Add()),
    asm(i32Const(0), i32Const((f1 - f0) * FEATURE_BYTES), memoryFill()),
    block(),
    loop(),
    asm(localGet(J), localGet(END), i32GeU(), brIf(1)),
    rowOf,
    pair,
    asm(localGet(BINS), localGet(I), i32Const(width), i32Mul(), i32Add(), localSet(ROW)),
    ...features,
    asm(localGet(J), i32Const(1), i32Add(), localSet(J)),
    br(0),
    end(),
    end(),
    end(),
  );
  const locals = vec([
    [...u32(3), valueType.i32],
    [...u32(1), valueType.v128],
  ]);
  const bytes = [...locals, ...code];
  return [...u32(bytes.length), ...bytes];
}

/** Builds features f0 … f1 - 1 of the histogram at `sums`; byte addresses but start and end. */
export type KernelCall = (
  sums: number,
  bins: number,
  indices: number,
  g: number,
  h: number,
  start: number,
  end: number,
) => void;

export interface HistogramKernel {
  rows: KernelCall;
  indexed: KernelCall;
}

/** The kernel for features f0 … f1 - 1 on `memory`, or null without WebAssembly SIMD. */
export function histogramKernel(
  memory: WasmMemory,
  width: number,
  f0: number,
  f1: number,
): HistogramKernel | null {
  const exports = instantiate(histogramModuleBytes(width, f0, f1), memory);
  return exports && { rows: exports.rows as KernelCall, indexed: exports.indexed as KernelCall };
}
