import type { TreeEnsemble } from '../trees/ensemble.ts';
import { TreeRouting } from '../trees/routing.ts';
import { LeafPatterns, patternEntries } from './leaf-patterns.ts';
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
  readonly #routing: TreeRouting;
  readonly #treeStart: Uint32Array;
  readonly #treeOutput: Uint32Array;
  readonly #baseline: Float64Array;
  readonly #width: number;
  readonly #useTables: Uint8Array;
  readonly #patterns: LeafPatterns;
  readonly #path: PathShap;

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
    this.#patterns = new LeafPatterns(ensemble, routing, share, this.#useTables);
    this.#path = new PathShap(routing, share, maxDepth);
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
    const routing = this.#routing;
    const treeStart = this.#treeStart;
    const outputs = this.#treeOutput;
    const useTables = this.#useTables;
    const width = this.#width;
    const k = this.#baseline.length;
    if (margins) for (let r = 0; r < rows; r++) margins.set(this.#baseline, r * k);
    for (let t = 0; t < outputs.length; t++) {
      const root = treeStart[t]!;
      const output = outputs[t]!;
      let r = 0;
      if (useTables[t] === 1) {
        for (; r + 2 <= rows; r += 2) {
          const at = base + r * width;
          const phiOffset = (r * k + output) * width;
          this.#patterns.explainTreePair(
            t,
            x,
            at,
            phi,
            phiOffset,
            at + width,
            phi,
            phiOffset + k * width,
          );
        }
      }
      for (; r < rows; r++) {
        const at = base + r * width;
        const phiOffset = (r * k + output) * width;
        if (useTables[t] === 1) this.#patterns.explainTree(t, x, at, phi, phiOffset);
        else this.#path.explainTree(root, x, at, phi, phiOffset);
      }
      for (let r = 0; r < rows; r++) {
        const at = base + r * width;
        if (margins) {
          const m = r * k + output;
          margins[m] = margins[m]! + routing.value[routing.leafOf(root, x, at)]!;
        }
      }
    }
  }
}

function depthOf(routing: TreeRouting, node: number): number {
  if (routing.feature[node]! < 0) return 0;
  return 1 + Math.max(depthOf(routing, node + 1), depthOf(routing, routing.right[node]!));
}
