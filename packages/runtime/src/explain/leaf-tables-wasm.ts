import * as w from '../dense/wasm-encoding.ts';
import { CATEGORICAL, MISSING_LEFT } from '../trees/ensemble.ts';

/** Rows a tree is explained over at once: each scratch row (a node's, a leaf's) holds 64 values. */
export const BLOCK_ROWS = 64;
/** log2 of the bytes of one scratch row of int32 (BLOCK_ROWS × 4). */
const ROW_SHIFT = 8;

const increment = (local: number, amount: number) =>
  w.asm(w.localGet(local), w.i32Const(amount), w.i32Add(), w.localSet(local));
/** Leave the enclosing block once local ≥ limit (unsigned). */
const whileBelow = (local: number, limit: number) =>
  w.asm(w.localGet(local), w.localGet(limit), w.i32GeU(), w.brIf(1));
/** for (counter = from; counter < limit; counter++) body, as block + loop. */
const forEach = (counter: number, from: w.Bytes, limit: number, body: w.Bytes) =>
  w.asm(
    from,
    w.localSet(counter),
    w.block(),
    w.loop(),
    whileBelow(counter, limit),
    body,
    increment(counter, 1),
    w.br(0),
    w.end(),
    w.end(),
  );
/** for (R = 0; R < ROWS; R++) body, over a function's R and ROWS. */
const forRows = (names: { R: number; ROWS: number }, body: w.Bytes) =>
  forEach(names.R, w.i32Const(0), names.ROWS, body);
/** base + index × 2^shift. */
const at = (base: number, index: number, shift: number) =>
  w.asm(w.localGet(base), w.localGet(index), w.i32Const(shift), w.i32Shl(), w.i32Add());
/** An int32 array element: base[index]. */
const loadI32 = (base: number, index: number) => w.asm(at(base, index, 2), w.i32Load());
/** base + (index − start) × one scratch row. */
const scratchRow = (base: number, index: number, start: number) =>
  w.asm(
    w.localGet(base),
    w.localGet(index),
    w.localGet(start),
    w.i32Sub(),
    w.i32Const(ROW_SHIFT),
    w.i32Shl(),
    w.i32Add(),
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

function functionBody(locals: Array<[count: number, type: number]>, code: w.Bytes): w.Bytes {
  const body = [
    ...w.vec(locals.map(([count, type]) => [...w.u32(count), type])),
    ...code,
    ...w.end(),
  ];
  return [...w.u32(body.length), ...body];
}

// patterns(feature, threshold, flags, right, bit, bitsetOffset, bitsets, x, mask, start, end,
// rows, rowBytes): each node's pattern per row, as LeafPatterns' JavaScript loop computes it.
const P = indices(
  'FEATURE THRESHOLD FLAGS RIGHT BIT BITSET_OFFSET BITSETS X MASK START',
  'END ROWS ROW_BYTES',
  'R NODE F AT LEFT_AT RIGHT_AT B FLAG MISSING XP LEFT M CODE OFFSET THR',
  'V',
);

/** The categorical rule of routing.ts: NaN takes the missing side; a code outside [0, 256) right. */
const categoricalLeft = () =>
  w.asm(
    w.asm(w.localGet(P.V), w.localGet(P.V), w.f32Ne()),
    w.ifThen(),
    w.asm(w.localGet(P.MISSING), w.localSet(P.LEFT)),
    w.ifElse(),
    w.asm(w.i32Const(0), w.localSet(P.LEFT)),
    w.asm(
      w.localGet(P.V),
      w.f32Const(0),
      w.f32Ge(),
      w.localGet(P.V),
      w.f32Const(256),
      w.f32Lt(),
      w.i32And(),
    ),
    w.ifThen(),
    w.asm(w.localGet(P.V), w.i32TruncF32S(), w.localSet(P.CODE)),
    // (bitsets[offset + code >>> 5] >>> (code & 31)) & 1
    w.asm(
      w.localGet(P.OFFSET),
      w.localGet(P.CODE),
      w.i32Const(5),
      w.i32ShrU(),
      w.i32Add(),
      w.localSet(P.M),
    ),
    w.asm(loadI32(P.BITSETS, P.M), w.localGet(P.CODE), w.i32Const(31), w.i32And(), w.i32ShrU()),
    w.asm(w.i32Const(1), w.i32And(), w.localSet(P.LEFT)),
    w.end(),
    w.end(),
  );

/** The numeric rule: x ≤ threshold (float32), or NaN where the node sends missing values left. */
const numericLeft = () =>
  w.asm(
    w.asm(w.localGet(P.V), w.localGet(P.THR), w.f32Le()),
    w.asm(w.localGet(P.V), w.localGet(P.V), w.f32Ne(), w.localGet(P.MISSING), w.i32And()),
    w.asm(w.i32Or(), w.localSet(P.LEFT)),
  );

function patternsBody(): w.Bytes {
  const rowLoop = forRows(
    P,
    w.asm(
      w.asm(w.localGet(P.XP), w.f32Load(), w.localSet(P.V)),
      w.asm(w.localGet(P.FLAG), w.i32Const(CATEGORICAL), w.i32And()),
      w.ifThen(),
      categoricalLeft(),
      w.ifElse(),
      numericLeft(),
      w.end(),
      // The child the row does not take loses bit b: m & ~((1 − left) << b), m & ~(left << b).
      w.asm(at(P.AT, P.R, 2), w.i32Load(), w.localSet(P.M)),
      w.asm(at(P.LEFT_AT, P.R, 2), w.localGet(P.M), w.i32Const(1), w.localGet(P.LEFT), w.i32Sub()),
      w.asm(w.localGet(P.B), w.i32Shl(), w.i32Const(-1), w.i32Xor(), w.i32And(), w.i32Store()),
      w.asm(
        at(P.RIGHT_AT, P.R, 2),
        w.localGet(P.M),
        w.localGet(P.LEFT),
        w.localGet(P.B),
        w.i32Shl(),
      ),
      w.asm(w.i32Const(-1), w.i32Xor(), w.i32And(), w.i32Store()),
      w.asm(w.localGet(P.XP), w.localGet(P.ROW_BYTES), w.i32Add(), w.localSet(P.XP)),
    ),
  );
  const innerNode = w.asm(
    w.asm(scratchRow(P.MASK, P.NODE, P.START), w.localSet(P.AT)),
    w.asm(w.localGet(P.AT), w.i32Const(1 << ROW_SHIFT), w.i32Add(), w.localSet(P.LEFT_AT)),
    w.asm(w.localGet(P.MASK), loadI32(P.RIGHT, P.NODE), w.localGet(P.START), w.i32Sub()),
    w.asm(w.i32Const(ROW_SHIFT), w.i32Shl(), w.i32Add(), w.localSet(P.RIGHT_AT)),
    w.asm(loadI32(P.BIT, P.NODE), w.localSet(P.B)),
    w.asm(loadI32(P.FLAGS, P.NODE), w.localSet(P.FLAG)),
    w.asm(w.localGet(P.FLAG), w.i32Const(MISSING_LEFT), w.i32And(), w.localSet(P.MISSING)),
    w.asm(at(P.THRESHOLD, P.NODE, 2), w.f32Load(), w.localSet(P.THR)),
    w.asm(loadI32(P.BITSET_OFFSET, P.NODE), w.localSet(P.OFFSET)),
    w.asm(at(P.X, P.F, 2), w.localSet(P.XP)),
    rowLoop,
  );
  return functionBody(
    [
      [14, w.valueType.i32],
      [2, w.f32ValueType],
    ],
    w.asm(
      // The root's pattern: every bit.
      forRows(P, w.asm(at(P.MASK, P.R, 2), w.i32Const(-1), w.i32Store())),
      forEach(
        P.NODE,
        w.localGet(P.START),
        P.END,
        w.asm(
          w.asm(loadI32(P.FEATURE, P.NODE), w.localSet(P.F)),
          w.block(),
          // A leaf has no children to set.
          w.asm(w.localGet(P.F), w.i32Const(0), w.i32LtS(), w.brIf(0)),
          innerNode,
          w.end(),
        ),
      ),
    ),
  );
}

// addresses(leafNode, leafAll, leafTable, mask, address, reached, first, last, start, rows):
// each leaf's table address per row, and the leaf each row reaches.
const A = indices(
  'LEAF_NODE LEAF_ALL LEAF_TABLE MASK ADDRESS REACHED FIRST LAST START ROWS',
  'R J ALL NODE TABLE FROM TO PATTERN',
);

function addressesBody(): w.Bytes {
  const rowLoop = forRows(
    A,
    w.asm(
      w.asm(at(A.FROM, A.R, 2), w.i32Load(), w.localGet(A.ALL), w.i32And(), w.localSet(A.PATTERN)),
      w.asm(at(A.TO, A.R, 2), w.localGet(A.TABLE), w.localGet(A.PATTERN), w.i32Add(), w.i32Store()),
      // Every bit set: the row followed every split on the path, so it reaches this leaf.
      w.asm(w.localGet(A.PATTERN), w.localGet(A.ALL), w.i32Eq()),
      w.ifThen(),
      w.asm(at(A.REACHED, A.R, 2), w.localGet(A.NODE), w.i32Store()),
      w.end(),
    ),
  );
  const leafLoop = forEach(
    A.J,
    w.localGet(A.FIRST),
    A.LAST,
    w.asm(
      w.asm(loadI32(A.LEAF_ALL, A.J), w.localSet(A.ALL)),
      w.asm(loadI32(A.LEAF_NODE, A.J), w.localSet(A.NODE)),
      w.asm(loadI32(A.LEAF_TABLE, A.J), w.localSet(A.TABLE)),
      w.asm(scratchRow(A.MASK, A.NODE, A.START), w.localSet(A.FROM)),
      w.asm(scratchRow(A.ADDRESS, A.J, A.FIRST), w.localSet(A.TO)),
      rowLoop,
    ),
  );
  return functionBody([[8, w.valueType.i32]], leafLoop);
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

function sumsBody(): w.Bytes {
  const termLoop = forEach(
    S.TERM,
    w.asm(loadI32(S.TERM_START, S.G)),
    S.TERM_END,
    w.asm(
      w.asm(loadI32(S.TERM_LEAF, S.TERM), w.localSet(S.FROM)),
      w.asm(loadI32(S.TERM_BIT, S.TERM), w.localSet(S.K)),
      w.asm(at(S.TERM_FACTOR, S.TERM, 4), w.localSet(S.FACTOR)),
      w.asm(
        w.i32Const(1),
        w.localGet(S.K),
        w.i32Shl(),
        w.i32Const(-1),
        w.i32Xor(),
        w.localSet(S.CLEAR),
      ),
      forRows(
        S,
        w.asm(
          w.asm(at(S.FROM, S.R, 2), w.i32Load(), w.localSet(S.A)),
          w.asm(
            w.localGet(S.A),
            w.localGet(S.K),
            w.i32ShrU(),
            w.i32Const(1),
            w.i32And(),
            w.localSet(S.ON),
          ),
          // sum[r] + factor[on] × tables[a & ~(1 << k)]
          w.asm(at(S.SUM, S.R, 3), at(S.SUM, S.R, 3), w.f64Load()),
          w.asm(at(S.FACTOR, S.ON, 3), w.f64Load()),
          w.asm(w.localGet(S.TABLES), w.localGet(S.A), w.localGet(S.CLEAR), w.i32And()),
          w.asm(w.i32Const(3), w.i32Shl(), w.i32Add(), w.f64Load()),
          w.asm(w.f64Mul(), w.f64Add(), w.f64Store()),
        ),
      ),
    ),
  );
  return functionBody(
    [[10, w.valueType.i32]],
    forEach(
      S.G,
      w.localGet(S.G),
      S.G_END,
      w.asm(
        forRows(S, w.asm(at(S.SUM, S.R, 3), w.f64Const(0), w.f64Store())),
        w.asm(w.localGet(S.G), w.i32Const(1), w.i32Add(), w.localSet(S.AT)),
        w.asm(loadI32(S.TERM_START, S.AT), w.localSet(S.TERM_END)),
        termLoop,
        // phi[feature] of each row += sum[r]
        w.asm(
          loadI32(S.GROUP_FEATURE, S.G),
          w.i32Const(3),
          w.i32Shl(),
          w.localGet(S.PHI),
          w.i32Add(),
        ),
        w.localSet(S.AT),
        forRows(
          S,
          w.asm(
            w.asm(
              w.localGet(S.AT),
              w.localGet(S.AT),
              w.f64Load(),
              at(S.SUM, S.R, 3),
              w.f64Load(),
              w.f64Add(),
            ),
            w.asm(
              w.f64Store(),
              w.localGet(S.AT),
              w.localGet(S.PHI_STRIDE),
              w.i32Add(),
              w.localSet(S.AT),
            ),
          ),
        ),
      ),
    ),
  );
}

/** One exported memory and the three functions, each of i32 parameters and no result. */
export function leafTablesModuleBytes(): Uint8Array {
  const type = (params: number) => [
    w.FUNC_TYPE,
    ...w.vec(Array.from({ length: params }, () => [w.valueType.i32])),
    ...w.vec([]),
  ];
  const magicAndVersion = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  return new Uint8Array([
    ...magicAndVersion,
    // Each function's parameters: up to its last one, ROW_BYTES or ROWS.
    ...w.section(1, w.vec([type(P.ROW_BYTES + 1), type(A.ROWS + 1), type(S.ROWS + 1)])),
    ...w.section(3, w.vec([w.u32(0), w.u32(1), w.u32(2)])),
    ...w.section(5, w.vec([[0x00, ...w.u32(1)]])),
    ...w.section(
      7,
      w.vec([
        [...w.name('memory'), 0x02, ...w.u32(0)],
        [...w.name('patterns'), 0x00, ...w.u32(0)],
        [...w.name('addresses'), 0x00, ...w.u32(1)],
        [...w.name('sums'), 0x00, ...w.u32(2)],
      ]),
    ),
    ...w.section(10, w.vec([patternsBody(), addressesBody(), sumsBody()])),
  ]);
}

let compiled: w.WasmModule | null | undefined;

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

  private constructor(api: w.WasmApi, module: w.WasmModule, arrays: LeafTableArrays) {
    const instance = new api.Instance(module);
    const memory = instance.exports.memory as w.WasmMemory;
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
    if (!w.webAssembly) return null;
    if (compiled === undefined) {
      const bytes = leafTablesModuleBytes();
      compiled = w.webAssembly.validate(bytes) ? new w.webAssembly.Module(bytes) : null;
    }
    return compiled ? new LeafTablesWasm(w.webAssembly, compiled, arrays) : null;
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
