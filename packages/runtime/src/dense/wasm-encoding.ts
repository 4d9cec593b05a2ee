/**
 * Just enough of the WebAssembly binary format to assemble one function by hand. Each instruction
 * is a function returning its bytes, so that code reads as an assembly listing.
 */

export type Bytes = number[];

export function u32(value: number): Bytes {
  const bytes: Bytes = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (v !== 0);
  return bytes;
}

export function s32(value: number): Bytes {
  const bytes: Bytes = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

export function vec(items: Bytes[]): Bytes {
  return [...u32(items.length), ...items.flat()];
}

export function name(text: string): Bytes {
  const bytes = [...new TextEncoder().encode(text)];
  return [...u32(bytes.length), ...bytes];
}

export function section(id: number, content: Bytes): Bytes {
  return [id, ...u32(content.length), ...content];
}

/** Concatenates instructions. */
export function asm(...instructions: Bytes[]): Bytes {
  return instructions.flat();
}

export const valueType = { i32: 0x7f, v128: 0x7b } as const;
export const FUNC_TYPE = 0x60;

// The tsconfig loads no DOM library and @types/node 20 does not declare WebAssembly: the part
// the hand-assembled modules use (dense/simd-kernel.ts, explain/leaf-tables-wasm.ts).
export interface WasmModule {
  readonly __brand: 'WebAssembly.Module';
}
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule) => { exports: Record<string, unknown> };
}
export const webAssembly = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
const BLOCK_VOID = 0x40;

/** Alignment hint 4 bytes (valid for every access here: they are 4-byte aligned), then the offset. */
const memarg = (offset: number) => [2, ...u32(offset)];
const simd = (index: number) => [0xfd, ...u32(index)];

export const block = () => [0x02, BLOCK_VOID];
export const loop = () => [0x03, BLOCK_VOID];
export const ifThen = () => [0x04, BLOCK_VOID];
export const end = () => [0x0b];
export const br = (depth: number) => [0x0c, ...u32(depth)];
export const brIf = (depth: number) => [0x0d, ...u32(depth)];
export const localGet = (index: number) => [0x20, ...u32(index)];
export const localSet = (index: number) => [0x21, ...u32(index)];
export const i32Const = (value: number) => [0x41, ...s32(value)];
export const i32GtU = () => [0x4b];
export const i32GeU = () => [0x4f];
export const i32Add = () => [0x6a];
export const i32Mul = () => [0x6c];
export const i32Shl = () => [0x74];
export const v128Load = (offset = 0) => [...simd(0), ...memarg(offset)];
export const v128Load32Splat = (offset = 0) => [...simd(9), ...memarg(offset)];
export const v128Store = (offset = 0) => [...simd(11), ...memarg(offset)];
export const f32x4Add = () => simd(228);
export const f32x4Mul = () => simd(230);
/** pmax(a, b) = a < b ? b : a. */
export const f32x4Pmax = () => simd(235);

// Scalar memory access with an explicit alignment hint (log2 bytes), float64 arithmetic and the
// float64x2 lanes: what the trainer's histogram kernel needs.
const memargAligned = (log2: number, offset: number) => [log2, ...u32(offset)];
export const localTee = (index: number) => [0x22, ...u32(index)];
export const i32Load = (offset = 0) => [0x28, ...memargAligned(2, offset)];
export const i32Load8U = (offset = 0) => [0x2d, ...memargAligned(0, offset)];
export const f32Load = (offset = 0) => [0x2a, ...memargAligned(2, offset)];
export const f64Load = (offset = 0) => [0x2b, ...memargAligned(3, offset)];
export const f64Store = (offset = 0) => [0x39, ...memargAligned(3, offset)];
export const f64Const = (value: number) => [0x44, ...new Uint8Array(Float64Array.of(value).buffer)];
export const f64Add = () => [0xa0];
export const f64PromoteF32 = () => [0xbb];
export const f64x2Splat = () => simd(20);
export const f64x2ReplaceLane = (lane: number) => [...simd(34), lane];
export const f64x2Add = () => simd(240);
/** memory.fill (bulk memory): destination, byte value, length on the stack. */
export const memoryFill = () => [0xfc, ...u32(11), 0x00];
/** memory.copy (bulk memory): destination, source, length on the stack. */
export const memoryCopy = () => [0xfc, ...u32(10), 0x00, 0x00];
export const i32Store = (offset = 0) => [0x36, ...memargAligned(2, offset)];
export const i32Sub = () => [0x6b];

// Bitwise operations, comparisons and the float64 product of TreeSHAP's leaf tables
// (explain/leaf-tables-wasm.ts).
export const f32ValueType = 0x7d;
export const f32Const = (value: number) => [0x43, ...new Uint8Array(Float32Array.of(value).buffer)];
export const ifElse = () => [0x05];
export const i32Eq = () => [0x46];
export const i32LtS = () => [0x48];
export const i32And = () => [0x71];
export const i32Or = () => [0x72];
export const i32Xor = () => [0x73];
export const i32ShrU = () => [0x76];
export const f32Ne = () => [0x5c];
export const f32Lt = () => [0x5d];
export const f32Le = () => [0x5f];
export const f32Ge = () => [0x60];
export const f64Mul = () => [0xa2];
export const i32TruncF32S = () => [0xa8];

// Lane masks, bitwise v128 operations and lane extraction of the tree ensemble's SIMD evaluator
// (trees/simd-trees.ts).
export const v128Const = (lanes: Uint8Array) => [...simd(12), ...lanes];
export const i32x4ExtractLane = (lane: number) => [...simd(27), lane];
export const i32x4Eq = () => simd(55);
export const i32x4Ne = () => simd(56);
export const f32x4Ne = () => simd(66);
export const f32x4Gt = () => simd(68);
export const f32x4Le = () => simd(69);
export const v128Not = () => simd(77);
export const v128And = () => simd(78);
export const v128Or = () => simd(80);
export const i32Ctz = () => [0x68];
export const f64ValueType = 0x7c;
