import {
  asm,
  type Bytes,
  block,
  br,
  brIf,
  end,
  FUNC_TYPE,
  f32x4Gt,
  f32x4Le,
  f32x4Ne,
  f64Add,
  f64Load,
  f64Store,
  f64ValueType,
  i32Add,
  i32Const,
  i32Ctz,
  i32Eq,
  i32Mul,
  i32Shl,
  i32x4Eq,
  i32x4ExtractLane,
  i32x4Ne,
  localGet,
  localSet,
  loop,
  name,
  section,
  u32,
  v128And,
  v128Const,
  v128Load,
  v128Not,
  v128Or,
  valueType,
  vec,
  type WasmMemory,
  webAssembly as wasm,
} from '../dense/wasm-encoding.ts';
import { BITSET_WORDS, CATEGORICAL, MISSING_LEFT, type TreeEnsemble } from './ensemble.ts';

/**
 * Rows per call of the module's functions: the features of a block are copied in, transposed
 * (one column of BLOCK_ROWS float32 per feature the trees read), so that 4 rows' values of a
 * feature are one v128 load.
 */
export const SIMD_BLOCK_ROWS = 256;

/** `(func (result v128) v128.const 0)`: validates only where WebAssembly SIMD runs. */
const SIMD_PROBE = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  0x01,
  0x05,
  0x01,
  0x60,
  0x00,
  0x01,
  0x7b,
  0x03,
  0x02,
  0x01,
  0x00,
  0x0a,
  0x16,
  0x01,
  0x14,
  0x00,
  0xfd,
  0x0c,
  ...new Array(16).fill(0),
  0x0b,
]);
let simdRuns: boolean | undefined;

/** Whether this process can run the SIMD traversal (for ensembles whose trees fit it). */
export function simdTreesAvailable(): boolean {
  simdRuns ??= wasm?.validate(SIMD_PROBE) ?? false;
  return simdRuns;
}

/** Leaves a tree may have: its exit leaf is found in one 32-bit mask per row. */
export const MAX_SIMD_LEAVES = 32;

/**
 * Nodes per generated function: consecutive trees share one up to this many (3 trees of 31
 * leaves). Each function reloads the 4 rows' features and margins, but larger ones ran slower on
 * credit rows (about 1.0 µs per row at 200 nodes, 1.3 at 60 and 120, 1.9 at 400, 2.1 at 1,000:
 * more values live at once than the 16 vector registers hold).
 */
const NODES_PER_FUNCTION = 200;

/** Above this many nodes the module would grow large and slow to compile: not built. */
const MAX_SIMD_NODES = 200_000;

/**
 * Where each feature a tree reads sits in the module's memory: `slot` indexes the transposed
 * float32 columns; categorical features also get a word-index column and a bit column (the
 * code's word c >> 5 and 1 << (c & 31); word -1 for NaN or a value outside [0, 256)).
 */
interface Layout {
  features: number[];
  slotOf: Map<number, number>;
  categorical: number[];
  categoryOf: Map<number, number>;
  x: number;
  words: number;
  bits: number;
  margins: number;
  bytes: number;
}

/**
 * The ensemble evaluated 4 rows at a time in WebAssembly SIMD, without branches on the data: the
 * exit leaf of each tree is found with QuickScorer's bit masks (Lucchese et al., SIGIR 2015).
 * Leaves are numbered left to right; every inner node whose test sends a row right clears the
 * leaves of its left subtree from the row's 32-bit mask, and the exit leaf is the lowest bit
 * left (ctz). Each node's test is FORMAT.md's rule as lane masks: `x <= t` (f32x4.le: a NaN goes
 * right) or, missing left, `!(x > t)`; a categorical split tests the code's bit in its bitset
 * (a NaN or a code outside [0, 256) is in no set) or, missing left, also takes NaN left. Leaf
 * values are added to float64 margins in tree order, as the loop adds them: the same bits.
 *
 * Returns null where WebAssembly SIMD is unavailable or a tree has more than MAX_SIMD_LEAVES
 * leaves; TreeEngine then runs the compiled JavaScript.
 */
export class SimdTrees {
  private readonly layout: Layout;
  private readonly outputs: number;
  private readonly memory: WasmMemory;
  private readonly groups: ((blocks: number) => void)[];
  private readonly x: Float32Array;
  private readonly words: Int32Array;
  private readonly bits: Int32Array;
  private readonly margins: Float64Array;

  private constructor(e: TreeEnsemble, layout: Layout, bytes: Uint8Array, groups: number) {
    this.layout = layout;
    this.outputs = e.outputs;
    const api = wasm!;
    const instance = new api.Instance(new api.Module(bytes));
    this.memory = instance.exports.memory as WasmMemory;
    this.memory.grow(Math.ceil(layout.bytes / 65536));
    this.groups = Array.from(
      { length: groups },
      (_, g) => instance.exports[`g${g}`] as (blocks: number) => void,
    );
    const buffer = this.memory.buffer;
    new Float64Array(buffer, 0, layout.x / 8).set(leafTable(e));
    this.x = new Float32Array(buffer, layout.x, layout.features.length * SIMD_BLOCK_ROWS);
    this.words = new Int32Array(buffer, layout.words, layout.categorical.length * SIMD_BLOCK_ROWS);
    this.bits = new Int32Array(buffer, layout.bits, layout.categorical.length * SIMD_BLOCK_ROWS);
    this.margins = new Float64Array(buffer, layout.margins, SIMD_BLOCK_ROWS * e.outputs);
  }

  /** The evaluator of a checked ensemble, or null where it cannot run (see the class). */
  static create(e: TreeEnsemble): SimdTrees | null {
    if (wasm === undefined || e.feature.length > MAX_SIMD_NODES) return null;
    const trees = e.treeOutput.length;
    for (let t = 0; t < trees; t++) {
      let leaves = 0;
      for (let n = e.treeStart[t]!; n < e.treeStart[t + 1]!; n++) if (e.feature[n]! < 0) leaves++;
      if (leaves > MAX_SIMD_LEAVES) return null;
    }
    const layout = layoutOf(e);
    const { bytes, groups } = moduleBytes(e, layout);
    if (!wasm.validate(bytes)) return null;
    return new SimdTrees(e, layout, bytes, groups);
  }

  /**
   * Adds every tree's leaf value to margins (rows × outputs, float64, row-major) for the rows of
   * x (rows × width float32), block by block.
   */
  addLeaves(x: Float32Array, width: number, rows: number, margins: Float64Array): void {
    const k = this.outputs;
    const { features, categorical } = this.layout;
    const xt = this.x;
    const words = this.words;
    const bits = this.bits;
    for (let start = 0; start < rows; start += SIMD_BLOCK_ROWS) {
      const n = Math.min(SIMD_BLOCK_ROWS, rows - start);
      for (let s = 0; s < features.length; s++) {
        const f = features[s]!;
        const column = s * SIMD_BLOCK_ROWS;
        for (let i = 0; i < n; i++) xt[column + i] = x[(start + i) * width + f]!;
      }
      for (let c = 0; c < categorical.length; c++) {
        const f = categorical[c]!;
        const column = c * SIMD_BLOCK_ROWS;
        for (let i = 0; i < n; i++) {
          const v = x[(start + i) * width + f]!;
          // The loop's rule: a code is v | 0 for v in [0, 256); anything else is in no set.
          const inRange = v >= 0 && v < 256;
          const code = inRange ? v | 0 : 0;
          words[column + i] = inRange ? code >>> 5 : -1;
          bits[column + i] = 1 << (code & 31);
        }
      }
      this.margins.set(margins.subarray(start * k, (start + n) * k));
      const blocks = Math.ceil(n / 4);
      for (let g = 0; g < this.groups.length; g++) this.groups[g]!(blocks);
      margins.set(this.margins.subarray(0, n * k), start * k);
    }
  }
}

/** Leaf values, MAX_SIMD_LEAVES slots per tree, in left-to-right leaf order. */
function leafTable(e: TreeEnsemble): Float64Array {
  const trees = e.treeOutput.length;
  const table = new Float64Array(trees * MAX_SIMD_LEAVES);
  for (let t = 0; t < trees; t++) {
    let leaf = 0;
    for (let n = e.treeStart[t]!; n < e.treeStart[t + 1]!; n++) {
      // Preorder visits the leaves left to right.
      if (e.feature[n]! < 0) table[t * MAX_SIMD_LEAVES + leaf++] = e.value[n]!;
    }
  }
  return table;
}

function layoutOf(e: TreeEnsemble): Layout {
  const numeric = new Set<number>();
  const categorical = new Set<number>();
  for (let n = 0; n < e.feature.length; n++) {
    const f = e.feature[n]!;
    if (f < 0) continue;
    if ((e.flags[n]! & CATEGORICAL) !== 0) categorical.add(f);
    numeric.add(f);
  }
  const features = [...numeric].sort((a, b) => a - b);
  const cats = [...categorical].sort((a, b) => a - b);
  const x = e.treeOutput.length * MAX_SIMD_LEAVES * 8;
  const column = SIMD_BLOCK_ROWS * 4;
  const words = x + features.length * column;
  const bits = words + cats.length * column;
  const margins = bits + cats.length * column;
  return {
    features,
    slotOf: new Map(features.map((f, s) => [f, s])),
    categorical: cats,
    categoryOf: new Map(cats.map((f, c) => [f, c])),
    x,
    words,
    bits,
    margins,
    bytes: margins + SIMD_BLOCK_ROWS * e.outputs * 8,
  };
}

// Locals of every group function: the parameter, the block counter and its byte offsets; the
// v128 leaf mask of the 4 rows, then per feature its values (and, categorical, its word, bit and NaN lanes); then a
// float64 margin per row of the block of 4 and output the group adds to.
const BLOCKS = 0;
const B = 1;
const XB = 2;
const MB = 3;
const I32_LOCALS = 3;
const MASK = 4;

interface GroupLocals {
  x: Map<number, number>;
  word: Map<number, number>;
  bit: Map<number, number>;
  nan: Map<number, number>;
  margin: Map<string, number>;
  v128: number;
  f64: number;
}

/** A v128 constant of four equal 32-bit lanes. */
function splat32(value: number, float = false): Bytes {
  const lanes = new Uint8Array(16);
  const view = new DataView(lanes.buffer);
  for (let l = 0; l < 4; l++) {
    if (float) view.setFloat32(4 * l, value, true);
    else view.setInt32(4 * l, value | 0, true);
  }
  return v128Const(lanes);
}

/** The module: one exported memory and one function `g<i>(blocks)` per group of trees. */
function moduleBytes(e: TreeEnsemble, layout: Layout): { bytes: Uint8Array; groups: number } {
  const trees = e.treeOutput.length;
  const bodies: Bytes[] = [];
  for (let first = 0, last = 0; first < trees; first = last) {
    last = first + 1;
    while (last < trees && e.treeStart[last + 1]! - e.treeStart[first]! <= NODES_PER_FUNCTION)
      last++;
    bodies.push(groupBody(e, layout, first, last));
  }
  const funcType = [FUNC_TYPE, ...vec([[valueType.i32]]), ...vec([])];
  const exports = bodies.map((_, g) => [...name(`g${g}`), 0x00, ...u32(g)]);
  const code = u32(bodies.length);
  put(code, ...bodies);
  const head = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([funcType])),
    ...section(3, vec(bodies.map(() => u32(0)))),
    ...section(5, vec([[0x00, ...u32(1)]])),
    ...section(7, vec([[...name('memory'), 0x02, ...u32(0)], ...exports])),
    10,
    ...u32(code.length),
  ];
  const bytes = new Uint8Array(head.length + code.length);
  bytes.set(head);
  bytes.set(code, head.length);
  return { bytes, groups: bodies.length };
}

function groupBody(e: TreeEnsemble, layout: Layout, first: number, last: number): Bytes {
  const k = e.outputs;
  const begin = e.treeStart[first]!;
  const stop = e.treeStart[last]!;
  const used = new Set<number>();
  const usedCategorical = new Set<number>();
  const nanNeeded = new Set<number>();
  for (let n = begin; n < stop; n++) {
    const f = e.feature[n]!;
    if (f < 0) continue;
    if ((e.flags[n]! & CATEGORICAL) === 0) used.add(f);
    else {
      usedCategorical.add(f);
      if ((e.flags[n]! & MISSING_LEFT) !== 0) {
        used.add(f);
        nanNeeded.add(f);
      }
    }
  }
  const outputs = [...new Set(Array.from(e.treeOutput.subarray(first, last)))].sort(
    (a, b) => a - b,
  );
  let next = MASK + 1;
  const locals: GroupLocals = {
    x: new Map(),
    word: new Map(),
    bit: new Map(),
    nan: new Map(),
    margin: new Map(),
    v128: 0,
    f64: 0,
  };
  for (const f of [...used].sort((a, b) => a - b)) locals.x.set(f, next++);
  for (const f of [...usedCategorical].sort((a, b) => a - b)) {
    locals.word.set(f, next++);
    locals.bit.set(f, next++);
  }
  for (const f of [...nanNeeded].sort((a, b) => a - b)) locals.nan.set(f, next++);
  locals.v128 = next - MASK;
  const firstF64 = next;
  for (let lane = 0; lane < 4; lane++)
    for (const o of outputs) locals.margin.set(`${lane}:${o}`, next++);
  locals.f64 = next - firstF64;

  const column = SIMD_BLOCK_ROWS * 4;
  const rowBytes = k * 8;
  const load: Bytes[] = [];
  for (const [f, local] of locals.x) {
    const at = layout.x + layout.slotOf.get(f)! * column;
    load.push(asm(localGet(XB), v128Load(at), localSet(local)));
  }
  for (const [f, local] of locals.word) {
    const c = layout.categoryOf.get(f)!;
    load.push(asm(localGet(XB), v128Load(layout.words + c * column), localSet(local)));
    load.push(asm(localGet(XB), v128Load(layout.bits + c * column), localSet(locals.bit.get(f)!)));
  }
  for (const [f, local] of locals.nan) {
    const x = locals.x.get(f)!;
    load.push(asm(localGet(x), localGet(x), f32x4Ne(), localSet(local)));
  }
  for (let lane = 0; lane < 4; lane++) {
    for (const o of outputs) {
      load.push(
        asm(
          localGet(MB),
          f64Load(layout.margins + lane * rowBytes + o * 8),
          localSet(locals.margin.get(`${lane}:${o}`)!),
        ),
      );
    }
  }
  const treesCode: Bytes = [];
  for (let t = first; t < last; t++) {
    if (e.treeOutput[t]! >= k)
      throw new Error(`tree ${t} adds to output ${e.treeOutput[t]} of ${k}`);
    treeCode(e, t, locals, treesCode);
  }
  const store: Bytes[] = [];
  for (let lane = 0; lane < 4; lane++) {
    for (const o of outputs) {
      store.push(
        asm(
          localGet(MB),
          localGet(locals.margin.get(`${lane}:${o}`)!),
          f64Store(layout.margins + lane * rowBytes + o * 8),
        ),
      );
    }
  }
  const body: Bytes = vec([
    [...u32(I32_LOCALS), valueType.i32],
    [...u32(locals.v128), valueType.v128],
    [...u32(locals.f64), f64ValueType],
  ]);
  put(body, block(), loop(), localGet(B), localGet(BLOCKS), i32Eq(), brIf(1));
  put(body, localGet(B), i32Const(4), i32Shl(), localSet(XB));
  put(body, localGet(B), i32Const(4 * rowBytes), i32Mul(), localSet(MB));
  put(body, ...load, treesCode, ...store);
  put(body, localGet(B), i32Const(1), i32Add(), localSet(B), br(0), end(), end(), end());
  const sized = u32(body.length);
  put(sized, body);
  return sized;
}

/**
 * One tree over the 4 rows: MASK starts with every leaf, each inner node clears its left
 * subtree's leaves in the lanes whose rows it sends right, then each lane's lowest set bit picks
 * the leaf value to add.
 */
function treeCode(e: TreeEnsemble, t: number, locals: GroupLocals, out: Bytes): void {
  const start = e.treeStart[t]!;
  const stop = e.treeStart[t + 1]!;
  // first[n], after[n]: the leaf numbers of node n's subtree are [first, after).
  const first = new Int32Array(stop - start);
  const after = new Int32Array(stop - start);
  let leaves = 0;
  const visit = (n: number): void => {
    first[n - start] = leaves;
    if (e.feature[n]! < 0) leaves++;
    else {
      visit(n + 1);
      visit(start + e.right[n]!);
    }
    after[n - start] = leaves;
  };
  visit(start);
  put(out, splat32(-1), localSet(MASK));
  for (let n = start; n < stop; n++) {
    if (e.feature[n]! < 0) continue;
    let leftSubtree = 0;
    for (let leaf = first[n + 1 - start]!; leaf < after[n + 1 - start]!; leaf++)
      leftSubtree |= 1 << leaf;
    // Lanes going left keep every bit (the test's all-ones); the others lose the left subtree.
    put(out, localGet(MASK), splat32(~leftSubtree));
    goesLeft(e, n, locals, out);
    put(out, v128Or(), v128And(), localSet(MASK));
  }
  const o = e.treeOutput[t]!;
  for (let lane = 0; lane < 4; lane++) {
    const margin = locals.margin.get(`${lane}:${o}`)!;
    put(out, localGet(margin), localGet(MASK), i32x4ExtractLane(lane), i32Ctz());
    put(out, i32Const(3), i32Shl(), f64Load(t * MAX_SIMD_LEAVES * 8), f64Add(), localSet(margin));
  }
}

/** Appends instructions to `out` (one growing array: no copies of the code so far). */
function put(out: Bytes, ...instructions: Bytes[]): void {
  for (const instruction of instructions) for (const byte of instruction) out.push(byte);
}

/** All-ones in the lanes whose row node n sends left (FORMAT.md's rule), zero elsewhere. */
function goesLeft(e: TreeEnsemble, n: number, locals: GroupLocals, out: Bytes): void {
  const f = e.feature[n]!;
  const flag = e.flags[n]!;
  if ((flag & CATEGORICAL) === 0) {
    const x = localGet(locals.x.get(f)!);
    const threshold = splat32(e.threshold[n]!, true);
    // NaN <= t is false: right; missing left: !(NaN > t) is true.
    if ((flag & MISSING_LEFT) === 0) put(out, x, threshold, f32x4Le());
    else put(out, x, threshold, f32x4Gt(), v128Not());
    return;
  }
  const offset = e.bitsetOffset[n]!;
  const word = localGet(locals.word.get(f)!);
  const bit = localGet(locals.bit.get(f)!);
  let terms = 0;
  for (let w = 0; w < BITSET_WORDS; w++) {
    const bits = e.bitsets[offset + w]!;
    if (bits === 0) continue;
    // The code is in word w, and its bit is set there.
    put(out, word, splat32(w), i32x4Eq(), bit, splat32(bits), v128And(), splat32(0), i32x4Ne());
    put(out, v128And());
    if (terms++ > 0) put(out, v128Or());
  }
  if (terms === 0) put(out, splat32(0));
  if ((flag & MISSING_LEFT) !== 0) put(out, localGet(locals.nan.get(f)!), v128Or());
}
