import * as op from '@tandem/runtime/wasm-encoding';
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
  const params = Array.from({ length: PARAMS }, () => [op.valueType.i32]);
  const funcType = [op.FUNC_TYPE, ...op.vec(params), ...op.vec([])];
  const magicAndVersion = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  return new Uint8Array([
    ...magicAndVersion,
    ...op.section(1, op.vec([funcType])),
    ...op.section(2, op.vec([MEMORY_IMPORT])),
    ...op.section(3, op.vec([op.u32(0), op.u32(0)])),
    ...op.section(
      7,
      op.vec([
        [...op.name('rows'), 0x00, ...op.u32(0)],
        [...op.name('indexed'), 0x00, ...op.u32(1)],
      ]),
    ),
    ...op.section(10, op.vec([body(width, f0, f1, false), body(width, f0, f1, true)])),
  ]);
}

const FEATURE_BYTES = FEATURE_STRIDE * 8;

// Local indices: the parameters (PARAMS of them), then the locals.
const [SUMS, BINS, INDICES, G, H, J, END, I, ROW, AT, GH] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
] as const;
const PARAMS = 7;

/** base + 4 · index: the address of a 32-bit element. */
const element = (base: number, index: number) =>
  op.asm(op.localGet(base), op.localGet(index), op.i32Const(2), op.i32Shl(), op.i32Add());

function body(width: number, f0: number, f1: number, indexed: boolean): op.Bytes {
  const rowOf = indexed
    ? op.asm(element(INDICES, J), op.i32Load(), op.localSet(I))
    : op.asm(op.localGet(J), op.localSet(I));
  const gradient = op.asm(element(G, I), op.f32Load(), op.f64PromoteF32(), op.f64x2Splat());
  const hessian = op.asm(element(H, I), op.f32Load(), op.f64PromoteF32());
  const pair = op.asm(gradient, hessian, op.f64x2ReplaceLane(1), op.localSet(GH));
  const features: op.Bytes[] = [];
  for (let f = f0; f < f1; f++) {
    const slot = f * FEATURE_BYTES;
    features.push(
      // at = sums + bin · 24; the feature's offset rides in the access's constant offset.
      op.asm(
        op.localGet(SUMS),
        op.localGet(ROW),
        op.i32Load8U(f),
        op.i32Const(24),
        op.i32Mul(),
        op.i32Add(),
      ),
      op.asm(
        op.localTee(AT),
        op.localGet(AT),
        op.v128Load(slot),
        op.localGet(GH),
        op.f64x2Add(),
        op.v128Store(slot),
      ),
      op.asm(
        op.localGet(AT),
        op.localGet(AT),
        op.f64Load(slot + 16),
        op.f64Const(1),
        op.f64Add(),
        op.f64Store(slot + 16),
      ),
    );
  }
  const code = op.asm(
    // Zero features f0 … f1 - 1.
    op.asm(op.localGet(SUMS), op.i32Const(f0 * FEATURE_BYTES), op.i32Add()),
    op.asm(op.i32Const(0), op.i32Const((f1 - f0) * FEATURE_BYTES), op.memoryFill()),
    op.block(),
    op.loop(),
    op.asm(op.localGet(J), op.localGet(END), op.i32GeU(), op.brIf(1)),
    rowOf,
    pair,
    op.asm(
      op.localGet(BINS),
      op.localGet(I),
      op.i32Const(width),
      op.i32Mul(),
      op.i32Add(),
      op.localSet(ROW),
    ),
    ...features,
    op.asm(op.localGet(J), op.i32Const(1), op.i32Add(), op.localSet(J)),
    op.br(0),
    op.end(),
    op.end(),
    op.end(),
  );
  const locals = op.vec([
    [...op.u32(3), op.valueType.i32],
    [...op.u32(1), op.valueType.v128],
  ]);
  const bytes = [...locals, ...code];
  return [...op.u32(bytes.length), ...bytes];
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
