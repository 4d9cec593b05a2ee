import {
  asm,
  type Bytes,
  block,
  br,
  brIf,
  end,
  FUNC_TYPE,
  f64Add,
  f64Const,
  f64Load,
  f64Mul,
  f64Store,
  i32Add,
  i32And,
  i32Const,
  i32GeU,
  i32Load,
  i32Shl,
  i32ShrU,
  i32Xor,
  localGet,
  localSet,
  loop,
  name,
  section,
  u32,
  valueType,
  vec,
} from '../dense/wasm-encoding.ts';

// Parameters of `sums` (i32; addresses in bytes), then its i32 locals.
const GROUP_FEATURE = 0;
const TERM_START = 1;
const TERM_LEAF = 2;
const TERM_BIT = 3;
const TERM_FACTOR = 4;
const TABLES = 5;
const SUM = 6;
const PHI = 7;
const PHI_STRIDE = 8;
const G = 9;
const G_END = 10;
const ROWS = 11;
const PARAMS = 12;
const TERM = 12;
const TERM_END = 13;
const R = 14;
const FROM = 15;
const K = 16;
const FACTOR = 17;
const A = 18;
const ON = 19;
const AT = 20;
const I32_LOCALS = 9;

const increment = (local: number, amount: number) =>
  asm(localGet(local), i32Const(amount), i32Add(), localSet(local));
/** local < limit, or leave the enclosing block. */
const whileBelow = (local: number, limit: number) =>
  asm(localGet(local), localGet(limit), i32GeU(), brIf(1));
/** `for (local = 0; local < limit; local++) body`, inside a block and a loop. */
const forRows = (body: Bytes) =>
  asm(
    i32Const(0),
    localSet(R),
    block(),
    loop(),
    whileBelow(R, ROWS),
    body,
    increment(R, 1),
    br(0),
    end(),
    end(),
  );
/** base + R × bytes. */
const rowAddress = (base: number, shift: number) =>
  asm(localGet(base), localGet(R), i32Const(shift), i32Shl(), i32Add());

/**
 * The body of LeafPatterns' sums for groups [G, G_END) of one tree, the same arithmetic in the
 * same order as the JavaScript loop (so the same bits): per group, sum[r] = 0; per term,
 * sum[r] += factor[on] × tables[a ^ (on << k)] with a the row's leaf address and on its bit k;
 * then phi[PHI + r × PHI_STRIDE + feature] += sum[r]. Term leaves are byte addresses of the
 * leaf's row of addresses.
 */
function sumsBody(): Bytes {
  const code = asm(
    block(),
    loop(),
    whileBelow(G, G_END),
    forRows(asm(rowAddress(SUM, 3), f64Const(0), f64Store())),
    // term = termStart[g], termEnd = termStart[g + 1]
    asm(localGet(TERM_START), localGet(G), i32Const(2), i32Shl(), i32Add(), localSet(AT)),
    asm(localGet(AT), i32Load(), localSet(TERM), localGet(AT), i32Load(4), localSet(TERM_END)),
    block(),
    loop(),
    whileBelow(TERM, TERM_END),
    asm(localGet(TERM_LEAF), localGet(TERM), i32Const(2), i32Shl(), i32Add()),
    asm(i32Load(), localSet(FROM)),
    asm(localGet(TERM_BIT), localGet(TERM), i32Const(2), i32Shl(), i32Add()),
    asm(i32Load(), localSet(K)),
    asm(localGet(TERM_FACTOR), localGet(TERM), i32Const(4), i32Shl(), i32Add(), localSet(FACTOR)),
    forRows(
      asm(
        asm(rowAddress(FROM, 2), i32Load(), localSet(A)),
        asm(localGet(A), localGet(K), i32ShrU(), i32Const(1), i32And(), localSet(ON)),
        // sum[r] + factor[on] × tables[a ^ (on << k)]
        asm(rowAddress(SUM, 3), rowAddress(SUM, 3), f64Load()),
        asm(localGet(FACTOR), localGet(ON), i32Const(3), i32Shl(), i32Add(), f64Load()),
        asm(localGet(TABLES), localGet(A), localGet(ON), localGet(K), i32Shl(), i32Xor()),
        asm(i32Const(3), i32Shl(), i32Add(), f64Load()),
        asm(f64Mul(), f64Add(), f64Store()),
      ),
    ),
    increment(TERM, 1),
    br(0),
    end(),
    end(),
    // phi[PHI + feature × 8 + r × PHI_STRIDE] += sum[r]
    asm(localGet(GROUP_FEATURE), localGet(G), i32Const(2), i32Shl(), i32Add(), i32Load()),
    asm(i32Const(3), i32Shl(), localGet(PHI), i32Add(), localSet(AT)),
    forRows(
      asm(
        asm(localGet(AT), localGet(AT), f64Load(), rowAddress(SUM, 3), f64Load(), f64Add()),
        asm(f64Store(), localGet(AT), localGet(PHI_STRIDE), i32Add(), localSet(AT)),
      ),
    ),
    increment(G, 1),
    br(0),
    end(),
    end(),
    end(),
  );
  const locals = vec([[...u32(I32_LOCALS), valueType.i32]]);
  const body = [...locals, ...code];
  return [...u32(body.length), ...body];
}

/** One exported memory, one exported function `sums(…12 i32 parameters)`, no result. */
export function leafSumsModuleBytes(): Uint8Array {
  const params = Array.from({ length: PARAMS }, () => [valueType.i32]);
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
        [...name('sums'), 0x00, ...u32(0)],
      ]),
    ),
    ...section(10, vec([sumsBody()])),
  ]);
}

// The tsconfig loads no DOM library and @types/node 20 does not declare WebAssembly: the part used.
interface WasmModule {
  readonly __brand: 'WebAssembly.Module';
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
let compiled: WasmModule | null | undefined;

/** The arrays LeafPatterns keeps, copied once into one WebAssembly memory. */
export interface LeafSumArrays {
  groupFeature: Int32Array;
  termStart: Int32Array;
  /** Per term: its leaf's index from the tree's first leaf. */
  termLeaf: Int32Array;
  termBit: Uint8Array;
  termFactor: Float64Array;
  tables: Float64Array;
  /** Rows explained at once, and leaves of the widest tree: the size of the address block. */
  blockRows: number;
  widestTree: number;
  /** Float64 values of the phi block (rows × outputs × width). */
  phiValues: number;
}

/**
 * The sums of LeafPatterns in WebAssembly: the terms, tables and scratch live in the instance's
 * memory; `address` and `phi` are views LeafPatterns writes the rows' addresses into and copies
 * φ in and out of.
 */
export class LeafSumsWasm {
  /** Per leaf of a tree and row: the table address (an index into tables). */
  readonly address: Int32Array;
  /** The block's φ, as TreeShap lays it out (row × outputs × width). */
  readonly phi: Float64Array;
  readonly #run: (...args: number[]) => void;
  readonly #at: Record<
    'groupFeature' | 'termStart' | 'termLeaf' | 'termBit' | 'termFactor' | 'tables' | 'sum' | 'phi',
    number
  >;

  private constructor(api: WasmApi, module: WasmModule, arrays: LeafSumArrays) {
    const instance = new api.Instance(module);
    const memory = instance.exports.memory as WasmMemory;
    this.#run = instance.exports.sums as (...args: number[]) => void;
    const terms = arrays.termLeaf.length;
    // Byte offsets, each 8-aligned: float64 arrays first, then int32 ones.
    let bytes = 0;
    const take = (size: number) => {
      const at = bytes;
      bytes += Math.ceil(size / 8) * 8;
      return at;
    };
    const at = {
      tables: take(arrays.tables.length * 8),
      termFactor: take(terms * 16),
      phi: take(arrays.phiValues * 8),
      sum: take(arrays.blockRows * 8),
      groupFeature: take(arrays.groupFeature.length * 4),
      termStart: take(arrays.termStart.length * 4),
      termLeaf: take(terms * 4),
      termBit: take(terms * 4),
      address: take(arrays.widestTree * arrays.blockRows * 4),
    };
    memory.grow(Math.ceil(Math.max(0, bytes - memory.buffer.byteLength) / 65536));
    const buffer = memory.buffer;
    new Float64Array(buffer, at.tables, arrays.tables.length).set(arrays.tables);
    new Float64Array(buffer, at.termFactor, 2 * terms).set(arrays.termFactor);
    new Int32Array(buffer, at.groupFeature, arrays.groupFeature.length).set(arrays.groupFeature);
    new Int32Array(buffer, at.termStart, arrays.termStart.length).set(arrays.termStart);
    // A term's leaf becomes the byte address of that leaf's row of addresses.
    const leafRow = new Int32Array(buffer, at.termLeaf, terms);
    arrays.termLeaf.forEach((leaf, term) => {
      leafRow[term] = at.address + leaf * arrays.blockRows * 4;
    });
    new Int32Array(buffer, at.termBit, terms).set(arrays.termBit);
    this.address = new Int32Array(buffer, at.address, arrays.widestTree * arrays.blockRows);
    this.phi = new Float64Array(buffer, at.phi, arrays.phiValues);
    this.#at = at;
  }

  /** The sums over WebAssembly, or null where WebAssembly is unavailable. */
  static create(arrays: LeafSumArrays): LeafSumsWasm | null {
    if (!wasm) return null;
    if (compiled === undefined) {
      const bytes = leafSumsModuleBytes();
      compiled = wasm.validate(bytes) ? new wasm.Module(bytes) : null;
    }
    return compiled ? new LeafSumsWasm(wasm, compiled, arrays) : null;
  }

  /** Groups [from, to) of one tree over `rows` rows, into this.phi from phiBase by phiStride. */
  sums(from: number, to: number, rows: number, phiBase: number, phiStride: number): void {
    const at = this.#at;
    this.#run(
      at.groupFeature,
      at.termStart,
      at.termLeaf,
      at.termBit,
      at.termFactor,
      at.tables,
      at.sum,
      at.phi + phiBase * 8,
      phiStride * 8,
      from,
      to,
      rows,
    );
  }
}
