import { BITSET_WORDS, CATEGORICAL, MISSING_LEFT, type TreeEnsemble } from './ensemble.ts';

/**
 * Adds the leaf values of a group of trees to the margins of rows [start, end): rows of `width`
 * float32 features in x, `outputs` float64 margins per row in margins.
 */
export type CompiledGroup = (
  x: Float32Array,
  width: number,
  start: number,
  end: number,
  margins: Float64Array,
) => void;

/**
 * Nodes per generated function: consecutive trees share a function up to this many nodes (19
 * trees of 31 leaves, 2 of 255). TurboFan stops optimising a function somewhere between 2,300
 * and 5,100 nodes of this code (100 trees of 255 leaves in groups of 10 ran at 0.49× the loop;
 * in groups of 2, 4.7×); fewer nodes per function cost the per-row work of each call.
 */
export const NODES_PER_FUNCTION = 1_200;

/** A tree larger than this would make a function too large to optimise: the loop runs instead. */
export const MAX_TREE_NODES = 2 * NODES_PER_FUNCTION;

/**
 * A group reads each feature its trees split on into a local once per row, when they are at most
 * this many: the splits then compare registers with immediates (1.3× faster on credit rows); a
 * wide row's features are read where a split needs them instead.
 */
export const MAX_PRELOADED_FEATURES = 32;

/**
 * Above this many nodes an ensemble is not compiled: source, bytecode and machine code grow with
 * the nodes (about 40 bytes of source each), and so does the time to compile at load.
 */
export const MAX_COMPILED_NODES = 400_000;

let generationAllowed: boolean | undefined;

/** Whether this runtime lets code be generated from strings (probed once per process). */
export function codeGenerationAllowed(): boolean {
  if (generationAllowed === undefined) {
    try {
      generationAllowed = new Function('return 1')() === 1;
    } catch {
      generationAllowed = false;
    }
  }
  return generationAllowed;
}

/**
 * The ensemble as straight-line JavaScript, consecutive trees grouped into functions of at most
 * NODES_PER_FUNCTION nodes, built
 * with `new Function` from the trees' numbers only: each split is a nested if/else whose feature
 * index, threshold and category words are literals, so V8 compiles them to compares against
 * immediates and the traversal reads nothing but the row (the approach of treelite). The rules
 * and the summation order are TreeEngine's loop's (FORMAT.md, "Evaluation"), so the margins are
 * the same bits. Returns null where the runtime refuses code generation from strings (a
 * content security policy, node --disallow-code-generation-from-strings), the ensemble is too
 * large or one of its trees is; the caller then runs the loop.
 *
 * The ensemble must have passed checkEnsemble (decodeTreeFile does it); every number is checked
 * again as it is printed, so nothing but numbers can reach the source.
 */
export function compileTrees(
  e: TreeEnsemble,
  nodesPerFunction = NODES_PER_FUNCTION,
): CompiledGroup[] | null {
  if (e.feature.length > MAX_COMPILED_NODES || !codeGenerationAllowed()) return null;
  const trees = e.treeOutput.length;
  const start = e.treeStart;
  for (let t = 0; t < trees; t++) if (start[t + 1]! - start[t]! > MAX_TREE_NODES) return null;
  const groups: CompiledGroup[] = [];
  for (let first = 0, last = 0; first < trees; first = last) {
    last = first + 1;
    while (last < trees && start[last + 1]! - start[first]! <= nodesPerFunction) last++;
    const body = groupBody(e, first, last);
    let group: CompiledGroup;
    try {
      // The body as the function itself (no factory around it): V8 then parses it once.
      group = new Function('x', 'width', 'start', 'end', 'margins', body) as CompiledGroup;
    } catch (error) {
      if (error instanceof EvalError) return null;
      throw error;
    }
    groups.push(group);
  }
  return groups;
}

/**
 * The body of one group's function `(x, width, start, end, margins)`: per row, the margins of
 * the outputs the group's trees add to are read into locals, each tree adds its leaf value in
 * tree order, and the locals are written back (the same float64 additions, in the same order,
 * as the loop).
 */
function groupBody(e: TreeEnsemble, first: number, last: number): string {
  const k = integer(e.outputs, 1, 1 << 16);
  const outputs = [...new Set(Array.from(e.treeOutput.subarray(first, last)))].sort(
    (a, b) => a - b,
  );
  const lines: string[] = [];
  lines.push(`'use strict';`);
  lines.push(`// trees ${first} to ${last - 1}`);
  lines.push('for (let i = start; i < end; i++) {');
  lines.push('const b = i * width;');
  lines.push(`const at = i * ${k};`);
  lines.push('let v = 0;');
  for (const o of outputs) lines.push(`let m${integer(o, 0, k - 1)} = margins[at + ${o}];`);
  const used = new Set<number>();
  for (let n = e.treeStart[first]!; n < e.treeStart[last]!; n++) {
    if (e.feature[n]! >= 0) used.add(integer(e.feature[n]!, 0, e.inputWidth - 1));
  }
  const preload = used.size <= MAX_PRELOADED_FEATURES;
  if (preload)
    for (const f of [...used].sort((a, b) => a - b)) lines.push(`const x${f} = x[b + ${f}];`);
  for (let t = first; t < last; t++) {
    const target = `m${integer(e.treeOutput[t]!, 0, k - 1)}`;
    emitNode(e, e.treeStart[t]!, e.treeStart[t]!, { target, preload }, lines);
  }
  for (const o of outputs) lines.push(`margins[at + ${o}] = m${o};`);
  lines.push('}');
  return lines.join('\n');
}

/** Appends the code of the subtree at `node` (an absolute index; `root` is its tree's first node). */
function emitNode(
  e: TreeEnsemble,
  node: number,
  root: number,
  how: { target: string; preload: boolean },
  lines: string[],
): void {
  const f = e.feature[node]!;
  if (f < 0) {
    lines.push(`${how.target} += ${leafLiteral(e.value[node]!)};`);
    return;
  }
  const flag = e.flags[node]!;
  const column = integer(f, 0, e.inputWidth - 1);
  const read = how.preload ? `x${column}` : `x[b + ${column}]`;
  let condition: string;
  let goesLeft = true;
  if ((flag & CATEGORICAL) === 0) {
    const threshold = thresholdLiteral(e.threshold[node]!);
    if ((flag & MISSING_LEFT) === 0) {
      // NaN <= t is false: a missing value goes right.
      condition = `${read} <= ${threshold}`;
    } else {
      // NaN > t is false: a missing value takes the else branch, the left child.
      condition = `${read} > ${threshold}`;
      goesLeft = false;
    }
  } else {
    const words = e.bitsets.subarray(
      integer(e.bitsetOffset[node]!, 0, e.bitsets.length - BITSET_WORDS),
    );
    const inSet = categoryTest(words);
    condition =
      (flag & MISSING_LEFT) === 0 ? `(v = ${read}, ${inSet})` : `((v = ${read}) !== v || ${inSet})`;
  }
  const leftChild = node + 1;
  const rightChild = root + integer(e.right[node]!, 2, e.feature.length - root - 1);
  lines.push(`if (${condition}) {`);
  emitNode(e, goesLeft ? leftChild : rightChild, root, how, lines);
  lines.push('} else {');
  emitNode(e, goesLeft ? rightChild : leftChild, root, how, lines);
  lines.push('}');
}

/**
 * Whether v (a number, not NaN) is a code whose bit is set, as the loop decides it: v in
 * [0, 256), code v | 0, bit code & 31 of word code >> 5. Only the words up to the last non-zero
 * one are tested (a code beyond them goes right), each as an integer literal.
 */
function categoryTest(words: Uint32Array): string {
  let top = -1;
  for (let w = 0; w < BITSET_WORDS; w++) if (words[w] !== 0) top = w;
  if (top < 0) return 'false';
  // >>> takes its shift count mod 32, so (word >>> code) & 1 is bit code & 31 of the word.
  let select = `((${integer(words[top]!, 0, 0xffffffff)} >>> v) & 1) === 1`;
  for (let w = top - 1; w >= 0; w--) {
    const bit = `((${integer(words[w]!, 0, 0xffffffff)} >>> v) & 1) === 1`;
    select = `(v < ${32 * (w + 1)} ? ${bit} : ${select})`;
  }
  return `v >= 0 && v < ${32 * (top + 1)} && (v = v | 0, ${select})`;
}

/** An integer in [min, max], printed; anything else is a broken ensemble. */
function integer(n: number, min: number, max: number): number {
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`cannot compile trees: ${n} is not an integer in [${min}, ${max}]`);
  }
  return n;
}

/** A leaf value as a literal that parses to the same float64 (sign of zero included). */
function leafLiteral(value: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`cannot compile trees: leaf value ${value} is not finite`);
  }
  return Object.is(value, -0) ? '-0' : `(${String(value)})`;
}

/**
 * A float32 threshold as a float64 literal: String() prints the shortest digits that parse back
 * to the same float64, which is the float32 widened exactly, so x <= literal (x a float32 read as
 * float64) decides as the float32 comparison does.
 */
function thresholdLiteral(threshold: number): string {
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
    throw new Error(`cannot compile trees: threshold ${threshold} is not a number`);
  }
  if (threshold === Number.POSITIVE_INFINITY) return '(1 / 0)';
  if (threshold === Number.NEGATIVE_INFINITY) return '(-1 / 0)';
  if (Math.fround(threshold) !== threshold) {
    throw new Error(`cannot compile trees: threshold ${threshold} is not a float32`);
  }
  return `(${String(threshold)})`;
}
