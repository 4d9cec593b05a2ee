import {
  asm,
  type Bytes,
  block,
  br,
  brIf,
  end,
  FUNC_TYPE,
  f32Const,
  f32Ge,
  f32Le,
  f32Load,
  f32Lt,
  f32Ne,
  f32ValueType,
  f64Add,
  f64Const,
  f64Load,
  f64Mul,
  f64Store,
  i32Add,
  i32And,
  i32Const,
  i32Eq,
  i32GeU,
  i32Load,
  i32LtS,
  i32Or,
  i32Shl,
  i32ShrU,
  i32Store,
  i32Sub,
  i32TruncF32S,
  i32Xor,
  ifElse,
  ifThen,
  localGet,
  localSet,
  loop,
  name,
  section,
  u32,
  valueType,
  vec,
  type WasmApi,
  type WasmMemory,
  type WasmModule,
  webAssembly as wasm,
} from '../dense/wasm-encoding.ts';
import { CATEGORICAL, MISSING_LEFT } from '../trees/ensemble.ts';

/** Rows a tree is explained over at once: each scratch row (a node's, a leaf's) holds 64 values. */
export const BLOCK_ROWS = 64;
/** log2 of the bytes of one scratch row of int32 (BLOCK_ROWS × 4). */
const ROW_SHIFT = 8;

const increment = (local: number, amount: number) =>
  asm(localGet(local), i32Const(amount), i32Add(), localSet(local));
/** Leave the enclosing block once local ≥ limit (unsigned). */
const whileBelow = (local: number, limit: number) =>
  asm(localGet(local), localGet(limit), i32GeU(), brIf(1));
/** for (counter = from; counter < limit; counter++) body, as block + loop. */
const forEach = (counter: number, from: Bytes, limit: number, body: Bytes) =>
  asm(
    from,
    localSet(counter),
    block(),
    loop(),
    whileBelow(counter, limit),
    body,
    increment(counter, 1),
    br(0),
    end(),
    end(),
  );
/** for (R = 0; R < ROWS; R++) body, over a function's R and ROWS. */
const forRows = (names: { R: number; ROWS: number }, body: Bytes) =>
  forEach(names.R, i32Const(0), names.ROWS, body);
/** base + index × 2^shift. */
const at = (base: number, index: number, shift: number) =>
  asm(localGet(base), localGet(index), i32Const(shift), i32Shl(), i32Add());
/** An int32 array element: base[index]. */
const loadI32 = (base: number, index: number) => asm(at(base, index, 2), i32Load());
/** base + (index − start) × one scratch row. */
const scratchRow = (base: number, index: number, start: number) =>
  asm(
    localGet(base),
    localGet(index),
    localGet(start),
    i32Sub(),
    i32Const(ROW_SHIFT),
    i32Shl(),
    i32Add(),
  );

type Words<S extends string> = S extends `${infer Head} ${infer Tail}` ? Head | Words<Tail> : S;

/** Parameters then locals by name, numbered in order: ('A B', 'C') gives { A: 0, B: 1, C: 2 }. */
function indices<const S extends readonly string[]>(...names: S): Record<Words<S[number]>, number> {
  const words = names.join(' ').split(' ');
  return Object.fromEntries(words.map((word, index) => [word, index])) as Record<
    Words<S[number]>,
    number
  >;
}

function functionBody(locals: Array<[count: number, type: number]>, code: Bytes): Bytes {
  const body = [...vec(locals.map(([count, type]) => [...u32(count), type])), ...code, ...end()];
  return [...u32(body.length), ...body];
}

// patterns(feature, threshold, flags, right, bit, bitsetOffset, bitsets, x, mask, start, end,
// rows, rowBytes): each node's pattern per row, as LeafPatterns' JavaScript loop computes it.
const P = indices(
  'FEATURE THRESHOLD FLAGS RIGHT BIT BITSET_OFFSET BITSETS X MASK START',
  'END ROWS ROW_BYTES',
  'R NODE F AT LEFT_AT RIGHT_AT B FLAG MISSING XP LEFT M CODE OFFSET THR',
  'V',
);
const PATTERN_PARAMS = 13;

/** The categorical rule of routing.ts: NaN takes the missing side; a code outside [0, 256) right. */
const categoricalLeft = () =>
  asm(
    asm(localGet(P.V), localGet(P.V), f32Ne()),
    ifThen(),
    asm(localGet(P.MISSING), localSet(P.LEFT)),
    ifElse(),
    asm(i32Const(0), localSet(P.LEFT)),
    asm(localGet(P.V), f32Const(0), f32Ge(), localGet(P.V), f32Const(256), f32Lt(), i32And()),
    ifThen(),
    asm(localGet(P.V), i32TruncF32S(), localSet(P.CODE)),
    // (bitsets[offset + code >>> 5] >>> (code & 31)) & 1
    asm(localGet(P.OFFSET), localGet(P.CODE), i32Const(5), i32ShrU(), i32Add(), localSet(P.M)),
    asm(loadI32(P.BITSETS, P.M), localGet(P.CODE), i32Const(31), i32And(), i32ShrU()),
    asm(i32Const(1), i32And(), localSet(P.LEFT)),
    end(),
    end(),
  );

/** The numeric rule: x ≤ threshold (float32), or NaN where the node sends missing values left. */
const numericLeft = () =>
  asm(
    asm(localGet(P.V), localGet(P.THR), f32Le()),
    asm(localGet(P.V), localGet(P.V), f32Ne(), localGet(P.MISSING), i32And()),
    asm(i32Or(), localSet(P.LEFT)),
  );

function patternsBody(): Bytes {
  const rowLoop = forRows(
    P,
    asm(
      asm(localGet(P.XP), f32Load(), localSet(P.V)),
      asm(localGet(P.FLAG), i32Const(CATEGORICAL), i32And()),
      ifThen(),
      categoricalLeft(),
      ifElse(),
      numericLeft(),
      end(),
      // The child the row does not take loses bit b: m & ~((1 − left) << b), m & ~(left << b).
      asm(at(P.AT, P.R, 2), i32Load(), localSet(P.M)),
      asm(at(P.LEFT_AT, P.R, 2), localGet(P.M), i32Const(1), localGet(P.LEFT), i32Sub()),
      asm(localGet(P.B), i32Shl(), i32Const(-1), i32Xor(), i32And(), i32Store()),
      asm(at(P.RIGHT_AT, P.R, 2), localGet(P.M), localGet(P.LEFT), localGet(P.B), i32Shl()),
      asm(i32Const(-1), i32Xor(), i32And(), i32Store()),
      asm(localGet(P.XP), localGet(P.ROW_BYTES), i32Add(), localSet(P.XP)),
    ),
  );
  const innerNode = asm(
    asm(scratchRow(P.MASK, P.NODE, P.START), localSet(P.AT)),
    asm(localGet(P.AT), i32Const(1 << ROW_SHIFT), i32Add(), localSet(P.LEFT_AT)),
    asm(localGet(P.MASK), loadI32(P.RIGHT, P.NODE), localGet(P.START), i32Sub()),
    asm(i32Const(ROW_SHIFT), i32Shl(), i32Add(), localSet(P.RIGHT_AT)),
    asm(loadI32(P.BIT, P.NODE), localSet(P.B)),
    asm(loadI32(P.FLAGS, P.NODE), localSet(P.FLAG)),
    asm(localGet(P.FLAG), i32Const(MISSING_LEFT), i32And(), localSet(P.MISSING)),
    asm(at(P.THRESHOLD, P.NODE, 2), f32Load(), localSet(P.THR)),
    asm(loadI32(P.BITSET_OFFSET, P.NODE), localSet(P.OFFSET)),
    asm(at(P.X, P.F, 2), localSet(P.XP)),
    rowLoop,
  );
  return functionBody(
    [
      [14, valueType.i32],
      [2, f32ValueType],
    ],
    asm(
      // The root's pattern: every bit.
      forRows(P, asm(at(P.MASK, P.R, 2), i32Const(-1), i32Store())),
      forEach(
        P.NODE,
        localGet(P.START),
        P.END,
        asm(
          asm(loadI32(P.FEATURE, P.NODE), localSet(P.F)),
          block(),
          // A leaf has no children to set.
          asm(localGet(P.F), i32Const(0), i32LtS(), brIf(0)),
          innerNode,
          end(),
        ),
      ),
    ),
  );
}

// addresses(leafNode, leafAll, leafTable, mask, address, reached, first, last, start, rows):
// each leaf's table address per row, and the leaf each row reaches.
const A = indices(
  'LEAF_NODE LEAF_ALL LEAF_TABLE MASK ADDRESS REACHED FIRST LAST START',
  'ROWS',
  'R J ALL NODE TABLE FROM TO PATTERN',
);
const ADDRESS_PARAMS = 10;

function addressesBody(): Bytes {
  const rowLoop = forRows(
    A,
    asm(
      asm(at(A.FROM, A.R, 2), i32Load(), localGet(A.ALL), i32And(), localSet(A.PATTERN)),
      asm(at(A.TO, A.R, 2), localGet(A.TABLE), localGet(A.PATTERN), i32Add(), i32Store()),
      // Every bit set: the row followed every split on the path, so it reaches this leaf.
      asm(localGet(A.PATTERN), localGet(A.ALL), i32Eq()),
      ifThen(),
      asm(at(A.REACHED, A.R, 2), localGet(A.NODE), i32Store()),
      end(),
    ),
  );
  const leafLoop = forEach(
    A.J,
    localGet(A.FIRST),
    A.LAST,
    asm(
      asm(loadI32(A.LEAF_ALL, A.J), localSet(A.ALL)),
      asm(loadI32(A.LEAF_NODE, A.J), localSet(A.NODE)),
      asm(loadI32(A.LEAF_TABLE, A.J), localSet(A.TABLE)),
      asm(scratchRow(A.MASK, A.NODE, A.START), localSet(A.FROM)),
      asm(scratchRow(A.ADDRESS, A.J, A.FIRST), localSet(A.TO)),
      rowLoop,
    ),
  );
  return functionBody([[8, valueType.i32]], leafLoop);
}

// sums(groupFeature, termStart, termLeaf, termBit, termFactor, tables, sum, phi, phiStride,
// group, groupEnd, rows): per group (feature) of a tree, each row's Σ over its terms of
// factor[on] × tables[a & ~(1 << k)], added to phi. termLeaf holds byte addresses of the leaves'
// address rows. The same arithmetic in the same order as the JavaScript loop: the same bits.
const S = indices(
  'GROUP_FEATURE TERM_START TERM_LEAF TERM_BIT TERM_FACTOR TABLES SUM PHI',
  'PHI_STRIDE G G_END ROWS',
  'TERM TERM_END R FROM K FACTOR A ON AT CLEAR',
);
const SUM_PARAMS = 12;

function sumsBody(): Bytes {
  const termLoop = forEach(
    S.TERM,
    asm(loadI32(S.TERM_START, S.G)),
    S.TERM_END,
    asm(
      asm(loadI32(S.TERM_LEAF, S.TERM), localSet(S.FROM)),
      asm(loadI32(S.TERM_BIT, S.TERM), localSet(S.K)),
      asm(at(S.TERM_FACTOR, S.TERM, 4), localSet(S.FACTOR)),
      asm(i32Const(1), localGet(S.K), i32Shl(), i32Const(-1), i32Xor(), localSet(S.CLEAR)),
      forRows(
        S,
        asm(
          asm(at(S.FROM, S.R, 2), i32Load(), localSet(S.A)),
          asm(localGet(S.A), localGet(S.K), i32ShrU(), i32Const(1), i32And(), localSet(S.ON)),
          // sum[r] + factor[on] × tables[a & ~(1 << k)]
          asm(at(S.SUM, S.R, 3), at(S.SUM, S.R, 3), f64Load()),
          asm(at(S.FACTOR, S.ON, 3), f64Load()),
          asm(localGet(S.TABLES), localGet(S.A), localGet(S.CLEAR), i32And()),
          asm(i32Const(3), i32Shl(), i32Add(), f64Load()),
          asm(f64Mul(), f64Add(), f64Store()),
        ),
      ),
    ),
  );
  return functionBody(
    [[10, valueType.i32]],
    forEach(
      S.G,
      localGet(S.G),
      S.G_END,
      asm(
        forRows(S, asm(at(S.SUM, S.R, 3), f64Const(0), f64Store())),
        asm(localGet(S.G), i32Const(1), i32Add(), localSet(S.AT)),
        asm(loadI32(S.TERM_START, S.AT), localSet(S.TERM_END)),
        termLoop,
        // phi[feature] of each row += sum[r]
        asm(loadI32(S.GROUP_FEATURE, S.G), i32Const(3), i32Shl(), localGet(S.PHI), i32Add()),
        localSet(S.AT),
        forRows(
          S,
          asm(
            asm(localGet(S.AT), localGet(S.AT), f64Load(), at(S.SUM, S.R, 3), f64Load(), f64Add()),
            asm(f64Store(), localGet(S.AT), localGet(S.PHI_STRIDE), i32Add(), localSet(S.AT)),
          ),
        ),
      ),
    ),
  );
}

/** One exported memory and the three functions, each of i32 parameters and no result. */
export function leafTablesModuleBytes(): Uint8Array {
  const type = (params: number) => [
    FUNC_TYPE,
    ...vec(Array.from({ length: params }, () => [valueType.i32])),
    ...vec([]),
  ];
  const magicAndVersion = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  return new Uint8Array([
    ...magicAndVersion,
    ...section(1, vec([type(PATTERN_PARAMS), type(ADDRESS_PARAMS), type(SUM_PARAMS)])),
    ...section(3, vec([u32(0), u32(1), u32(2)])),
    ...section(5, vec([[0x00, ...u32(1)]])),
    ...section(
      7,
      vec([
        [...name('memory'), 0x02, ...u32(0)],
        [...name('patterns'), 0x00, ...u32(0)],
        [...name('addresses'), 0x00, ...u32(1)],
        [...name('sums'), 0x00, ...u32(2)],
      ]),
    ),
    ...section(10, vec([patternsBody(), addressesBody(), sumsBody()])),
  ]);
}

let compiled: WasmModule | null | undefined;

/** What LeafPatterns holds, copied once into the instance's memory. */
export interface LeafTableArrays {
  feature: Int32Array;
  threshold: Float32Array;
  flags: Uint8Array;
  /** Absolute right child per node. */
  right: Int32Array;
  bit: Uint8Array;
  bitsetOffset: Int32Array;
  bitsets: Uint32Array;
  leafNode: Int32Array;
  leafAll: Int32Array;
  leafTable: Int32Array;
  groupFeature: Int32Array;
  termStart: Int32Array;
  /** Per term: its leaf's index from the tree's first leaf. */
  termLeaf: Int32Array;
  termBit: Uint8Array;
  termFactor: Float64Array;
  tables: Float64Array;
  inputWidth: number;
  /** Nodes of the largest tree and leaves of the widest: the scratch sizes. */
  largestTree: number;
  widestTree: number;
  /** Float64 values of the φ block (BLOCK_ROWS × outputs × width). */
  phiValues: number;
}

type Layout = Record<
  | 'tables'
  | 'termFactor'
  | 'phi'
  | 'sum'
  | 'threshold'
  | 'x'
  | 'feature'
  | 'flags'
  | 'right'
  | 'bit'
  | 'bitsetOffset'
  | 'bitsets'
  | 'leafNode'
  | 'leafAll'
  | 'leafTable'
  | 'groupFeature'
  | 'termStart'
  | 'termLeaf'
  | 'termBit'
  | 'mask'
  | 'address'
  | 'reached',
  number
>;

/**
 * LeafPatterns' pass over a block of rows in WebAssembly: patterns per node, addresses per leaf,
 * sums per feature, over the ensemble's arrays in the instance's memory. `x` receives the
 * block's rows (loadRows), `phi` is the block's φ (row × outputs × width) the sums add to, and
 * `reached` each row's leaf in the tree last explained.
 */
export class LeafTablesWasm {
  readonly phi: Float64Array;
  readonly reached: Int32Array;
  readonly #x: Float32Array;
  readonly #width: number;
  readonly #at: Layout;
  readonly #patterns: (...args: number[]) => void;
  readonly #addresses: (...args: number[]) => void;
  readonly #sums: (...args: number[]) => void;

  private constructor(api: WasmApi, module: WasmModule, arrays: LeafTableArrays) {
    const instance = new api.Instance(module);
    const memory = instance.exports.memory as WasmMemory;
    this.#patterns = instance.exports.patterns as (...args: number[]) => void;
    this.#addresses = instance.exports.addresses as (...args: number[]) => void;
    this.#sums = instance.exports.sums as (...args: number[]) => void;
    this.#width = arrays.inputWidth;
    const nodes = arrays.feature.length;
    const terms = arrays.termLeaf.length;
    let bytes = 0;
    // Byte offsets, each 8-aligned.
    const take = (size: number) => {
      const offset = bytes;
      bytes += Math.ceil(size / 8) * 8;
      return offset;
    };
    const at: Layout = {
      tables: take(arrays.tables.length * 8),
      termFactor: take(terms * 16),
      phi: take(arrays.phiValues * 8),
      sum: take(BLOCK_ROWS * 8),
      threshold: take(nodes * 4),
      x: take(BLOCK_ROWS * arrays.inputWidth * 4),
      feature: take(nodes * 4),
      flags: take(nodes * 4),
      right: take(nodes * 4),
      bit: take(nodes * 4),
      bitsetOffset: take(nodes * 4),
      bitsets: take(arrays.bitsets.length * 4),
      leafNode: take(arrays.leafNode.length * 4),
      leafAll: take(arrays.leafAll.length * 4),
      leafTable: take(arrays.leafTable.length * 4),
      groupFeature: take(arrays.groupFeature.length * 4),
      termStart: take(arrays.termStart.length * 4),
      termLeaf: take(terms * 4),
      termBit: take(terms * 4),
      mask: take(arrays.largestTree * BLOCK_ROWS * 4),
      address: take(arrays.widestTree * BLOCK_ROWS * 4),
      reached: take(BLOCK_ROWS * 4),
    };
    memory.grow(Math.ceil(Math.max(0, bytes - memory.buffer.byteLength) / 65536));
    const buffer = memory.buffer;
    const views = { i32: Int32Array, u32: Uint32Array, f32: Float32Array, f64: Float64Array };
    const copy = (offset: number, values: ArrayLike<number>, type: keyof typeof views) => {
      new views[type](buffer, offset, values.length).set(values);
    };
    copy(at.tables, arrays.tables, 'f64');
    copy(at.termFactor, arrays.termFactor, 'f64');
    copy(at.threshold, arrays.threshold, 'f32');
    copy(at.feature, arrays.feature, 'i32');
    copy(at.flags, arrays.flags, 'i32');
    copy(at.right, arrays.right, 'i32');
    copy(at.bit, arrays.bit, 'i32');
    copy(at.bitsetOffset, arrays.bitsetOffset, 'i32');
    copy(at.bitsets, arrays.bitsets, 'u32');
    copy(at.leafNode, arrays.leafNode, 'i32');
    copy(at.leafAll, arrays.leafAll, 'i32');
    copy(at.leafTable, arrays.leafTable, 'i32');
    copy(at.groupFeature, arrays.groupFeature, 'i32');
    copy(at.termStart, arrays.termStart, 'i32');
    // A term's leaf becomes the byte address of that leaf's row of addresses.
    copy(
      at.termLeaf,
      Array.from(arrays.termLeaf, (leaf) => at.address + (leaf << ROW_SHIFT)),
      'i32',
    );
    copy(at.termBit, arrays.termBit, 'i32');
    this.phi = new Float64Array(buffer, at.phi, arrays.phiValues);
    this.reached = new Int32Array(buffer, at.reached, BLOCK_ROWS);
    this.#x = new Float32Array(buffer, at.x, BLOCK_ROWS * arrays.inputWidth);
    this.#at = at;
  }

  /** The pass in WebAssembly, or null where WebAssembly is unavailable. */
  static create(arrays: LeafTableArrays): LeafTablesWasm | null {
    if (!wasm) return null;
    if (compiled === undefined) {
      const bytes = leafTablesModuleBytes();
      compiled = wasm.validate(bytes) ? new wasm.Module(bytes) : null;
    }
    return compiled ? new LeafTablesWasm(wasm, compiled, arrays) : null;
  }

  /** Copies rows x[base, base + rows × width) into the block the next explainTree calls read. */
  loadRows(x: Float32Array, base: number, rows: number): void {
    this.#x.set(x.subarray(base, base + rows * this.#width));
  }

  /**
   * The tree of nodes [start, end), leaves [first, last) and groups [group, groupEnd) over the
   * loaded rows, into phi from phiBase by phiStride; reached[r] is row r's leaf afterwards.
   */
  explainTree(
    start: number,
    end: number,
    first: number,
    last: number,
    group: number,
    groupEnd: number,
    rows: number,
    phiBase: number,
    phiStride: number,
  ): void {
    const at = this.#at;
    this.#patterns(
      at.feature,
      at.threshold,
      at.flags,
      at.right,
      at.bit,
      at.bitsetOffset,
      at.bitsets,
      at.x,
      at.mask,
      start,
      end,
      rows,
      this.#width * 4,
    );
    this.#addresses(
      at.leafNode,
      at.leafAll,
      at.leafTable,
      at.mask,
      at.address,
      at.reached,
      first,
      last,
      start,
      rows,
    );
    this.#sums(
      at.groupFeature,
      at.termStart,
      at.termLeaf,
      at.termBit,
      at.termFactor,
      at.tables,
      at.sum,
      at.phi + phiBase * 8,
      phiStride * 8,
      group,
      groupEnd,
      rows,
    );
  }
}
