import type { AffineKernel } from './kernel.ts';
import {
  asm,
  type Bytes,
  block,
  br,
  brIf,
  end,
  FUNC_TYPE,
  f32x4Add,
  f32x4Mul,
  f32x4Pmax,
  i32Add,
  i32Const,
  i32GeU,
  i32GtU,
  i32Mul,
  i32Shl,
  ifThen,
  localGet,
  localSet,
  loop,
  name,
  section,
  u32,
  v128Load,
  v128Load32Splat,
  v128Store,
  valueType,
  vec,
  type WasmApi,
  type WasmMemory,
  type WasmModule,
  webAssembly as wasm,
} from './wasm-encoding.ts';

// Parameters of `affine` (all i32; addresses and strides in bytes), then its locals.
const X = 0;
const X_STRIDE = 1;
const INPUTS = 2;
const W = 3;
const BIAS = 4;
const UNITS4 = 5;
const OUT = 6;
const ROWS = 7;
const RELU = 8;
const PARAMS = 9;
// i32 locals
const R = 9;
const XR = 10;
const OUT_ROW = 11;
const G = 12;
const K = 13;
const XP = 14;
const WP = 15;
const ROW_BYTES = 16;
const I32_LOCALS = 8;
// v128 locals: accumulators [row][lane], each row's broadcast input, a weight vector, zero.
const MAX_ROWS = 4;
const MAX_LANES = 4;
const ACC = Array.from({ length: MAX_ROWS }, (_, row) =>
  Array.from({ length: MAX_LANES }, (_, lane) => 17 + row * MAX_LANES + lane),
);
const SPLAT = [33, 34, 35, 36];
const WV = 37;
const ZERO = 38;
const V128_LOCALS = 22;

/** How the kernel tiles the work; every shape gives the same bits. */
export interface KernelShape {
  /** Rows evaluated together (1 to 4), sharing each weight load; the rest one at a time. */
  rows: number;
  /** Vectors of 4 units per block (1 to 4); the rest of the row 4 units at a time. */
  lanes: number;
}

/**
 * The fastest shape measured on a credit-sized MLP (28-64-32-1): 2 rows × 16 units, 8
 * accumulators. Testing inputs for zero to skip them was slower in every shape (the branch costs
 * more than the multiply-adds it saves), and so was unrolling the input loop by two.
 */
export const DEFAULT_SHAPE: KernelShape = { rows: 2, lanes: 4 };

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const increment = (local: number, amount: Bytes) =>
  asm(localGet(local), amount, i32Add(), localSet(local));
/** base + row · stride. */
const rowAddress = (base: number, row: number, stride: number) =>
  row === 0
    ? localGet(base)
    : asm(localGet(base), localGet(stride), i32Const(row), i32Mul(), i32Add());

/**
 * `rows` rows × `lanes` × 4 units starting at byte `g` of the row: load the bias, add
 * x[k] · w[k][g …] for every input k in order, relu when asked, store. Each weight vector is
 * loaded once for all rows of the block, and the accumulators are independent, so additions do
 * not wait on each other.
 */
function unitBlock(lanes: number, rows: number): Bytes {
  const acc = (row: number, lane: number) => ACC[row]![lane]!;
  const everyAcc = (f: (row: number, lane: number) => Bytes) =>
    asm(...range(rows).flatMap((row) => range(lanes).map((lane) => f(row, lane))));
  return asm(
    everyAcc((row, lane) =>
      asm(localGet(BIAS), localGet(G), i32Add(), v128Load(16 * lane), localSet(acc(row, lane))),
    ),
    asm(localGet(XR), localSet(XP)),
    asm(localGet(W), localGet(G), i32Add(), localSet(WP)),
    asm(i32Const(0), localSet(K)),
    block(),
    loop(),
    asm(localGet(K), localGet(INPUTS), i32GeU(), brIf(1)),
    ...range(rows).map((row) =>
      asm(rowAddress(XP, row, X_STRIDE), v128Load32Splat(), localSet(SPLAT[row]!)),
    ),
    ...range(lanes).map((lane) =>
      asm(
        asm(localGet(WP), v128Load(16 * lane), localSet(WV)),
        ...range(rows).map((row) =>
          asm(
            localGet(acc(row, lane)),
            localGet(SPLAT[row]!),
            localGet(WV),
            f32x4Mul(),
            f32x4Add(),
            localSet(acc(row, lane)),
          ),
        ),
      ),
    ),
    increment(XP, i32Const(4)),
    increment(WP, localGet(ROW_BYTES)),
    increment(K, i32Const(1)),
    br(0),
    end(),
    end(),
    // pmax(acc, 0) is `acc < 0 ? 0 : acc`, exactly the JavaScript kernel's relu.
    localGet(RELU),
    ifThen(),
    everyAcc((row, lane) =>
      asm(localGet(acc(row, lane)), localGet(ZERO), f32x4Pmax(), localSet(acc(row, lane))),
    ),
    end(),
    everyAcc((row, lane) =>
      asm(
        rowAddress(OUT_ROW, row, ROW_BYTES),
        localGet(G),
        i32Add(),
        localGet(acc(row, lane)),
        v128Store(16 * lane),
      ),
    ),
    increment(G, i32Const(16 * lanes)),
  );
}

/** Repeats unitBlock while a whole group of `lanes` × 4 units fits in the row. */
function unitLoop(lanes: number, rows: number): Bytes {
  return asm(
    block(),
    loop(),
    asm(localGet(G), i32Const(16 * lanes), i32Add(), localGet(ROW_BYTES), i32GtU(), brIf(1)),
    unitBlock(lanes, rows),
    br(0),
    end(),
    end(),
  );
}

/** Repeats over blocks of `rows` rows while a whole block fits. */
function rowLoop(rows: number, shape: KernelShape): Bytes {
  return asm(
    block(),
    loop(),
    asm(localGet(R), i32Const(rows), i32Add(), localGet(ROWS), i32GtU(), brIf(1)),
    asm(localGet(X), localGet(R), localGet(X_STRIDE), i32Mul(), i32Add(), localSet(XR)),
    asm(localGet(OUT), localGet(R), localGet(ROW_BYTES), i32Mul(), i32Add(), localSet(OUT_ROW)),
    asm(i32Const(0), localSet(G)),
    unitLoop(shape.lanes, rows),
    shape.lanes > 1 ? unitLoop(1, rows) : [],
    increment(R, i32Const(rows)),
    br(0),
    end(),
    end(),
  );
}

function affineBody(shape: KernelShape): Bytes {
  const code = asm(
    asm(localGet(UNITS4), i32Const(2), i32Shl(), localSet(ROW_BYTES)),
    shape.rows > 1 ? rowLoop(shape.rows, shape) : [],
    rowLoop(1, shape),
    end(),
  );
  const locals = vec([
    [...u32(I32_LOCALS), valueType.i32],
    [...u32(V128_LOCALS), valueType.v128],
  ]);
  const body = [...locals, ...code];
  return [...u32(body.length), ...body];
}

/**
 * The module: one exported memory, one exported function
 * `affine(x, xStride, inputs, w, bias, units4, out, rows, relu)`.
 */
export function affineModuleBytes(shape: KernelShape = DEFAULT_SHAPE): Uint8Array {
  const within = (n: number, max: number) => Number.isInteger(n) && n >= 1 && n <= max;
  if (!within(shape.rows, MAX_ROWS) || !within(shape.lanes, MAX_LANES)) {
    throw new RangeError(`kernel shape ${JSON.stringify(shape)} is outside 1-4 rows, 1-4 lanes`);
  }
  const params = range(PARAMS).map(() => [valueType.i32]);
  const funcType = [FUNC_TYPE, ...vec(params), ...vec([])];
  const magicAndVersion = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  return new Uint8Array([
    ...magicAndVersion,
    ...section(1, vec([funcType])),
    ...section(3, vec([u32(0)])),
    ...section(5, vec([[0x00, ...u32(1)]])),
    ...section(
      7,
      vec([
        [...name('memory'), 0x02, ...u32(0)],
        [...name('affine'), 0x00, ...u32(0)],
      ]),
    ),
    ...section(10, vec([affineBody(shape)])),
  ]);
}

type AffineExport = (...args: number[]) => void;

const compiled = new Map<string, WasmModule | null>();

/** The compiled module (once per process and shape), or null without WebAssembly SIMD. */
function simdModule(shape: KernelShape): WasmModule | null {
  const key = JSON.stringify(shape);
  let module = compiled.get(key);
  if (module === undefined) {
    const bytes = affineModuleBytes(shape);
    module = wasm?.validate(bytes) ? new wasm.Module(bytes) : null;
    compiled.set(key, module);
  }
  return module;
}

/** The WebAssembly SIMD kernel: 4 float32 lanes per instruction, the same arithmetic as JsKernel. */
export class SimdKernel implements AffineKernel {
  readonly name = 'wasm-simd' as const;
  heap: Float32Array;
  private readonly memory: WasmMemory;
  private readonly run: AffineExport;

  private constructor(api: WasmApi, module: WasmModule) {
    const instance = new api.Instance(module);
    this.memory = instance.exports.memory as WasmMemory;
    this.run = instance.exports.affine as AffineExport;
    this.heap = new Float32Array(this.memory.buffer);
  }

  /** A kernel with its own memory, or null where WebAssembly SIMD is unavailable. */
  static create(shape: KernelShape = DEFAULT_SHAPE): SimdKernel | null {
    const module = simdModule(shape);
    return wasm && module ? new SimdKernel(wasm, module) : null;
  }

  ensure(floats: number): void {
    const bytes = floats * 4;
    if (this.memory.buffer.byteLength >= bytes) return;
    this.memory.grow(Math.ceil((bytes - this.memory.buffer.byteLength) / 65536));
    this.heap = new Float32Array(this.memory.buffer);
  }

  affine(
    x: number,
    xStride: number,
    inputs: number,
    w: number,
    bias: number,
    units4: number,
    out: number,
    rows: number,
    relu: boolean,
  ): void {
    this.run(4 * x, 4 * xStride, inputs, 4 * w, 4 * bias, units4, 4 * out, rows, relu ? 1 : 0);
  }
}
