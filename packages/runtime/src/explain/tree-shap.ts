import type { TreeEnsemble } from '../trees/ensemble.ts';
import { TreeRouting } from '../trees/routing.ts';
import { LeafPatterns, PATTERN_BLOCK_ROWS, patternEntries } from './leaf-patterns.ts';
import { PathShap } from './path-shap.ts';
import { coverShares, expectedValues } from './tree-covers.ts';

/** Default bound on the leaf tables: 4 Mi float64 entries (32 MiB) per ensemble. */
export const DEFAULT_MAX_TABLE_ENTRIES = 1 << 22;

export interface TreeShapOptions {
  /**
   * Float64 entries the per-leaf tables (leaf-patterns.ts) may take over the ensemble. Trees are
   * given tables in order while they fit; the others run Algorithm 2 (path-shap.ts). 0: every
   * tree on Algorithm 2. Both give the same values up to float64 rounding.
   */
  maxTableEntries?: number;
  /**
   * Sum the table terms in WebAssembly where it is available (default true); false: in
   * JavaScript. The same bits either way.
   */
  wasm?: boolean;
}

/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion and Lee 2018, "Consistent individualized feature
 * attribution for tree ensembles"): the Shapley values of the game whose value for a coalition S
 * is E[f(x) | x_S], the expectation taken the way the trees' covers split the training rows (a
 * node on a feature outside S sends the row down both children, weighted by cover).
 *
 * Features are the ensemble's inputs (the tree-encoded pipeline's outputs). A row is followed down
 * each tree by the engine's rules (routing.ts), so the "hot" path is the one the prediction took.
 * Per tree, the leaf tables of Fast TreeSHAP v2 (O(leaves × depth) per row) when they fit
 * maxTableEntries, else Algorithm 2 (O(leaves × depth²)). Nothing is allocated per row.
 */
export class TreeShap {
  readonly ensemble: TreeEnsemble;
  /** Per output: baseline + Σ over its trees of the cover-weighted mean leaf value. */
  readonly expectedValue: Float64Array;
  /** Trees explained from leaf tables; the others run Algorithm 2. */
  readonly tableTrees: number;
  /** Float64 entries the leaf tables hold. */
  readonly tableEntries: number;
  /** Where the table terms are summed: WebAssembly where available and not turned off. */
  readonly sums: 'webassembly' | 'javascript';
  readonly #routing: TreeRouting;
  readonly #treeStart: Uint32Array;
  readonly #treeOutput: Uint32Array;
  readonly #baseline: Float64Array;
  readonly #width: number;
  readonly #useTables: Uint8Array;
  readonly #patterns: LeafPatterns;
  readonly #path: PathShap;
  readonly #reached = new Int32Array(PATTERN_BLOCK_ROWS);
  /** Per row of a block and tree: the leaf it reaches. */
  readonly #leaves: Int32Array;

  constructor(ensemble: TreeEnsemble, options: TreeShapOptions = {}) {
    this.ensemble = ensemble;
    const trees = ensemble.treeOutput.length;
    const routing = new TreeRouting(ensemble);
    this.#routing = routing;
    this.#treeStart = ensemble.treeStart;
    this.#treeOutput = ensemble.treeOutput;
    this.#baseline = ensemble.baseline;
    this.#width = ensemble.inputWidth;
    const share = coverShares(ensemble, routing.right);
    this.expectedValue = expectedValues(ensemble, share);
    const budget = options.maxTableEntries ?? DEFAULT_MAX_TABLE_ENTRIES;
    this.#useTables = new Uint8Array(trees);
    let entries = 0;
    let tableTrees = 0;
    let maxDepth = 0;
    for (let t = 0; t < trees; t++) {
      maxDepth = Math.max(maxDepth, depthOf(routing, ensemble.treeStart[t]!));
      const needed = budget > 0 ? patternEntries(ensemble, routing.right, share, t) : -1;
      if (needed >= 0 && entries + needed <= budget) {
        this.#useTables[t] = 1;
        entries += needed;
        tableTrees++;
      }
    }
    this.tableTrees = tableTrees;
    this.tableEntries = entries;
    this.#patterns = new LeafPatterns(
      ensemble,
      routing,
      share,
      this.#useTables,
      options.wasm ?? true,
    );
    this.#path = new PathShap(routing, share, maxDepth);
    this.sums = this.#patterns.phiBlock ? 'webassembly' : 'javascript';
    this.#leaves = new Int32Array(PATTERN_BLOCK_ROWS * trees);
  }

  /**
   * Adds the row's SHAP values to phi: phi[output × inputWidth + feature], for every output the
   * ensemble has. `x[base, base + inputWidth)` is the encoded row. Σ_f phi[k, f] equals
   * margin_k − expectedValue[k] up to float64 rounding. When `margins` is given, it receives the
   * row's margins, summed as TreeEngine sums them (baseline, then the trees in order), so they
   * are bit for bit the engine's.
   */
  explainInto(x: Float32Array, base: number, phi: Float64Array, margins?: Float64Array): void {
    this.explainBlock(x, base, 1, phi, margins);
  }

  /**
   * explainInto for `rows` consecutive rows from x[base], tree by tree over the rows (a tree's
   * tables stay in cache): row r's values at phi[r × outputs × inputWidth + …], its margins at
   * margins[r × outputs + …].
   */
  explainBlock(
    x: Float32Array,
    base: number,
    rows: number,
    phi: Float64Array,
    margins?: Float64Array,
  ): void {
    const k = this.#baseline.length;
    if (margins) for (let r = 0; r < rows; r++) margins.set(this.#baseline, r * k);
    const size = k * this.#width;
    const work = this.#patterns.phiBlock;
    for (let from = 0; from < rows; from += PATTERN_BLOCK_ROWS) {
      const count = Math.min(PATTERN_BLOCK_ROWS, rows - from);
      // With WebAssembly, φ is summed in its memory and copied back.
      if (work) {
        work.set(phi.subarray(from * size, (from + count) * size));
        this.#patterns.loadRows(x, base + from * this.#width, count);
      }
      this.#explainRows(x, base + from * this.#width, count, work ?? phi, work ? 0 : from * size);
      if (work) phi.set(work.subarray(0, count * size), from * size);
      if (margins) this.#addMargins(count, margins, from * k);
    }
  }

  /** Up to PATTERN_BLOCK_ROWS rows, tree by tree: row r's values from phi[phiBase + r × size]. */
  #explainRows(x: Float32Array, base: number, rows: number, phi: Float64Array, phiBase: number) {
    const treeStart = this.#treeStart;
    const outputs = this.#treeOutput;
    const useTables = this.#useTables;
    const width = this.#width;
    const k = this.#baseline.length;
    const reached = this.#reached;
    for (let t = 0; t < outputs.length; t++) {
      const output = outputs[t]!;
      if (useTables[t] === 1) {
        this.#patterns.explainRows(
          t,
          x,
          base,
          width,
          rows,
          phi,
          phiBase + output * width,
          k * width,
          reached,
        );
        // The leaf each row reached, kept for the margins.
        for (let r = 0; r < rows; r++) this.#leaves[r * outputs.length + t] = reached[r]!;
        continue;
      }
      for (let r = 0; r < rows; r++) {
        const at = base + r * width;
        this.#path.explainTree(treeStart[t]!, x, at, phi, phiBase + (r * k + output) * width);
        this.#leaves[r * outputs.length + t] = this.#routing.leafOf(treeStart[t]!, x, at);
      }
    }
  }

  /** Each row's margins, its trees' leaves added in tree order, as the engine adds them. */
  #addMargins(rows: number, margins: Float64Array, at: number) {
    const outputs = this.#treeOutput;
    const value = this.#routing.value;
    const k = this.#baseline.length;
    const trees = outputs.length;
    for (let r = 0; r < rows; r++) {
      for (let t = 0; t < trees; t++) {
        const m = at + r * k + outputs[t]!;
        margins[m] = margins[m]! + value[this.#leaves[r * trees + t]!]!;
      }
    }
  }
}

function depthOf(routing: TreeRouting, node: number): number {
  if (routing.feature[node]! < 0) return 0;
  return 1 + Math.max(depthOf(routing, node + 1), depthOf(routing, routing.right[node]!));
}
