import type { TreeEnsemble } from '../trees/ensemble.ts';
import { TreeRouting } from '../trees/routing.ts';

/** Feature states along a path: not split on yet, taken from the row (x), from the reference (z). */
const UNSEEN = 0;
const FROM_X = 1;
const FROM_Z = 2;

/**
 * Interventional TreeSHAP (Lundberg et al. 2020, "From local explanations to global
 * understanding with explainable AI for trees"): the Shapley values of the game whose value for a
 * coalition S is the mean over background rows z of f(x_S, z_rest), the row's values for S and the
 * background row's for the others (no covers involved). Per background row, the tree is walked
 * along the paths where x and z agree, and split in two where they part: one side takes the
 * split's feature from x, the other from z, and a feature keeps its side further down. A leaf of
 * value v reached with a features from x and b from z adds v · (a − 1)! b! / (a + b)! to each x
 * feature and −v · a! (b − 1)! / (a + b)! to each z feature (the leaf is worth v exactly for the
 * coalitions holding its a features and none of its b). O(trees × background × leaves × depth)
 * per row. Not served yet: no background sample is stored with a version.
 */
export class InterventionalShap {
  readonly ensemble: TreeEnsemble;
  /** Per output: baseline + the mean over the background of the trees' outputs. */
  readonly expectedValue: Float64Array;
  readonly #routing: TreeRouting;
  readonly #background: Float32Array;
  readonly #rows: number;
  readonly #state: Uint8Array;
  /** The features on the current path, in order, for the leaf's attribution. */
  readonly #path: Int32Array;
  /** weight[a][b] = a! b! / (a + b + 1)!, the Shapley weight of a coalition. */
  readonly #weight: Float64Array;
  readonly #maxFeatures: number;

  /** `background`: rows × inputWidth encoded rows (the reference distribution). */
  constructor(ensemble: TreeEnsemble, background: Float32Array, rows: number) {
    this.ensemble = ensemble;
    this.#routing = new TreeRouting(ensemble);
    this.#background = background;
    this.#rows = rows;
    this.#state = new Uint8Array(ensemble.inputWidth);
    this.#path = new Int32Array(ensemble.inputWidth);
    const n = ensemble.inputWidth + 1;
    this.#maxFeatures = n;
    this.#weight = new Float64Array(n * n);
    const factorial = [1];
    for (let i = 1; i <= 2 * n; i++) factorial.push(factorial[i - 1]! * i);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b + a < n; b++) {
        this.#weight[a * n + b] = (factorial[a]! * factorial[b]!) / factorial[a + b + 1]!;
      }
    }
    this.expectedValue = Float64Array.from(ensemble.baseline);
    for (let t = 0; t < ensemble.treeOutput.length; t++) {
      let total = 0;
      const root = ensemble.treeStart[t]!;
      for (let r = 0; r < rows; r++) {
        total += ensemble.value[this.#routing.leafOf(root, background, r * ensemble.inputWidth)]!;
      }
      const k = ensemble.treeOutput[t]!;
      this.expectedValue[k] = this.expectedValue[k]! + total / rows;
    }
  }

  /** Adds the row's values to phi[output × inputWidth + feature] (the mean over the background). */
  explainInto(x: Float32Array, base: number, phi: Float64Array): void {
    const e = this.ensemble;
    const width = e.inputWidth;
    const scale = 1 / this.#rows;
    for (let t = 0; t < e.treeOutput.length; t++) {
      const offset = e.treeOutput[t]! * width;
      for (let r = 0; r < this.#rows; r++) {
        this.#walk(e.treeStart[t]!, x, base, r * width, phi, offset, 0, 0, 0, scale);
      }
    }
  }

  #walk(
    node: number,
    x: Float32Array,
    base: number,
    zBase: number,
    phi: Float64Array,
    offset: number,
    depth: number,
    fromX: number,
    fromZ: number,
    scale: number,
  ): void {
    const routing = this.#routing;
    const f = routing.feature[node]!;
    if (f < 0) {
      const value = routing.value[node]! * scale;
      const n = this.#maxFeatures;
      // A feature from x gains when it joins (it was the last of the a to join), one from z loses.
      const gain = fromX > 0 ? value * this.#weight[(fromX - 1) * n + fromZ]! : 0;
      const loss = fromZ > 0 ? value * this.#weight[fromX * n + fromZ - 1]! : 0;
      for (let i = 0; i < depth; i++) {
        const p = this.#path[i]!;
        const at = offset + p;
        phi[at] = phi[at]! + (this.#state[p] === FROM_X ? gain : -loss);
      }
      return;
    }
    const z = this.#background;
    const xChild = routing.goesLeft(node, x, base) ? node + 1 : routing.right[node]!;
    const zChild = routing.goesLeft(node, z, zBase) ? node + 1 : routing.right[node]!;
    const state = this.#state[f]!;
    if (state === FROM_X || xChild === zChild) {
      if (state === FROM_Z) {
        this.#walk(zChild, x, base, zBase, phi, offset, depth, fromX, fromZ, scale);
      } else {
        this.#walk(xChild, x, base, zBase, phi, offset, depth, fromX, fromZ, scale);
      }
      return;
    }
    if (state === FROM_Z) {
      this.#walk(zChild, x, base, zBase, phi, offset, depth, fromX, fromZ, scale);
      return;
    }
    // The row and the reference part here, on a feature not yet decided: both sides.
    this.#path[depth] = f;
    this.#state[f] = FROM_X;
    this.#walk(xChild, x, base, zBase, phi, offset, depth + 1, fromX + 1, fromZ, scale);
    this.#state[f] = FROM_Z;
    this.#walk(zChild, x, base, zBase, phi, offset, depth + 1, fromX, fromZ + 1, scale);
    this.#state[f] = UNSEEN;
  }
}
