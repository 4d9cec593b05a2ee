import type { TreeEnsemble } from '../trees/ensemble.ts';
import { absoluteRightChildren, TreeRouting } from '../trees/routing.ts';
import { walkGrayCode } from './coalition-game.ts';
import type { DenseForward, DenseLink } from './dense-forward.ts';
import { playerDeltas } from './dense-shapley.ts';
import { coverShares, expectedValues } from './tree-covers.ts';

/** Where a player (raw column) sits in a member's encoding. */
export interface PlayerSpan {
  start: number;
  width: number;
}

/**
 * One ensemble member's margins as a function of which raw columns (players) take the row's
 * values: the game its own explanation method solves. Dense: v(S) = f(x_S, r_rest) against its
 * reference row; trees: v(S) = E[f(x) | x_S] over the node covers (path-dependent TreeSHAP's).
 */
export interface MemberGame {
  readonly outputs: number;
  readonly link: DenseLink;
  /** v(∅): the same for every row. */
  readonly emptyValue: Float64Array;
  /**
   * Reads a row (the member's own encoding at x[base, …)) and sets matters[p] = 1 for every
   * player whose value can change this member's margins for it.
   */
  load(x: Float32Array, base: number, matters: Uint8Array): void;
  /** v(S) for every S ⊆ players (bit i: players[i]) into out[mask × outputs + c]. */
  table(players: readonly number[], out: Float64Array): void;
  /** v(∅), then v after each player of `order` joins: out[step × outputs + c], step 0..n. */
  prefixes(order: readonly number[], out: Float64Array): void;
}

/** A dense member: the first layer's pre-activation moves by one player's share at a time. */
export class DenseGame implements MemberGame {
  readonly outputs: number;
  readonly link: DenseLink;
  readonly emptyValue: Float64Array;
  readonly #forward: DenseForward;
  readonly #spans: readonly PlayerSpan[];
  readonly #reference: Float64Array;
  readonly #h0: Float64Array;
  readonly #h: Float64Array;
  readonly #delta: Float64Array;

  constructor(forward: DenseForward, spans: readonly PlayerSpan[], reference: Float64Array) {
    this.#forward = forward;
    this.#spans = spans;
    this.#reference = reference;
    this.outputs = forward.outputs;
    this.link = forward.link;
    this.#h0 = new Float64Array(forward.hidden);
    forward.firstPreActivation(reference, 0, this.#h0);
    this.emptyValue = new Float64Array(forward.outputs);
    forward.marginsFrom(this.#h0, this.emptyValue, 0);
    this.#h = new Float64Array(forward.hidden);
    this.#delta = new Float64Array(spans.length * forward.hidden);
  }

  load(x: Float32Array, base: number, matters: Uint8Array): void {
    const hidden = this.#forward.hidden;
    playerDeltas(this.#forward.first, this.#spans, this.#reference, x, base, this.#delta);
    for (let p = 0; p < this.#spans.length; p++) {
      for (let j = p * hidden; j < (p + 1) * hidden; j++) {
        if (this.#delta[j] !== 0) {
          matters[p] = 1;
          break;
        }
      }
    }
  }

  table(players: readonly number[], out: Float64Array): void {
    const k = this.outputs;
    this.#h.set(this.#h0);
    out.set(this.emptyValue, 0);
    walkGrayCode(players.length, (bit, sign, mask) => {
      this.#move(players[bit]!, sign);
      this.#forward.marginsFrom(this.#h, out, mask * k);
    });
  }

  prefixes(order: readonly number[], out: Float64Array): void {
    const k = this.outputs;
    this.#h.set(this.#h0);
    out.set(this.emptyValue, 0);
    order.forEach((p, step) => {
      this.#move(p, 1);
      this.#forward.marginsFrom(this.#h, out, (step + 1) * k);
    });
  }

  #move(p: number, sign: number): void {
    const hidden = this.#forward.hidden;
    const h = this.#h;
    for (let j = 0; j < hidden; j++) h[j] = h[j]! + sign * this.#delta[p * hidden + j]!;
  }
}

/** One leaf of a tree member: what reaching it takes, player by player. */
interface LeafPath {
  value: number;
  output: number;
  /** The distinct players the path splits on. */
  players: number[];
  /** Per player: the product of the path's cover shares at its splits (its weight outside S). */
  shares: number[];
  /** Per player: the path's splits on it, and whether the path goes left at each. */
  splits: Array<Array<{ node: number; left: boolean }>>;
}

/**
 * A tree member: E[f(x) | x_S] over the node covers, path-dependent TreeSHAP's game. A leaf adds
 * v · Π over its path's players j of (o_j if j ∈ S, else z_j), where o_j is 1 when the row
 * follows all of the path's splits on j and z_j is the product of their cover shares. Expanded,
 * that is Σ over A ⊆ the path's players of v Π_{j∈A} (o_j − z_j) Π_{j∉A} z_j · [A ⊆ S]: the
 * coefficients of every subset A are summed over the leaves, then one subset-sum (zeta) transform
 * gives v(S) for all 2^n coalitions in n · 2^n steps.
 */
export class TreeGame implements MemberGame {
  readonly outputs: number;
  readonly link: DenseLink;
  readonly emptyValue: Float64Array;
  readonly #ensemble: TreeEnsemble;
  readonly #routing: TreeRouting;
  readonly #leaves: LeafPath[];
  /** Per leaf and path player, o_j for the loaded row (1 or 0), flat in leaf order. */
  readonly #follows: Uint8Array;
  readonly #players: number;
  readonly #bitOf: Int32Array;
  constructor(ensemble: TreeEnsemble, spans: readonly PlayerSpan[]) {
    this.#ensemble = ensemble;
    this.outputs = ensemble.outputs;
    this.link = ensemble.link;
    this.#routing = new TreeRouting(ensemble);
    const right = absoluteRightChildren(ensemble);
    const share = coverShares(ensemble, right);
    this.emptyValue = expectedValues(ensemble, share);
    const featurePlayer = new Int32Array(ensemble.inputWidth).fill(-1);
    spans.forEach((span, p) => {
      featurePlayer.fill(p, span.start, span.start + span.width);
    });
    this.#leaves = [];
    const path: Array<{ node: number; left: boolean }> = [];
    const walk = (node: number, output: number): void => {
      const feature = ensemble.feature[node]!;
      if (feature < 0) {
        this.#leaves.push(
          leafPath(ensemble.value[node]!, output, path, ensemble, featurePlayer, share, right),
        );
        return;
      }
      path.push({ node, left: true });
      walk(node + 1, output);
      path[path.length - 1] = { node, left: false };
      walk(right[node]!, output);
      path.pop();
    };
    for (let t = 0; t < ensemble.treeOutput.length; t++) {
      walk(ensemble.treeStart[t]!, ensemble.treeOutput[t]!);
    }
    this.#follows = new Uint8Array(this.#leaves.reduce((n, leaf) => n + leaf.players.length, 0));
    this.#players = spans.length;
    this.#bitOf = new Int32Array(spans.length);
  }

  load(x: Float32Array, base: number, matters: Uint8Array): void {
    const routing = this.#routing;
    let at = 0;
    for (const leaf of this.#leaves) {
      for (let i = 0; i < leaf.players.length; i++) {
        matters[leaf.players[i]!] = 1;
        let follows = 1;
        for (const { node, left } of leaf.splits[i]!) {
          if (routing.goesLeft(node, x, base) !== left) {
            follows = 0;
            break;
          }
        }
        this.#follows[at++] = follows;
      }
    }
  }

  table(players: readonly number[], out: Float64Array): void {
    const k = this.outputs;
    const n = players.length;
    const count = 1 << n;
    const bitOf = this.#bitOf.fill(-1);
    players.forEach((p, bit) => {
      bitOf[p] = bit;
    });
    out.fill(0, 0, count * k);
    let masks = new Int32Array(64);
    let coefs = new Float64Array(64);
    let at = 0;
    for (const leaf of this.#leaves) {
      // Expand the leaf's product player by player: (mask, coefficient) pairs.
      let size = 1;
      masks[0] = 0;
      coefs[0] = leaf.value;
      for (let i = 0; i < leaf.players.length; i++) {
        const z = leaf.shares[i]!;
        const o = this.#follows[at++]!;
        const bit = bitOf[leaf.players[i]!]!;
        if (bit < 0) {
          // A player outside the game is never in S: its factor is z alone.
          for (let e = 0; e < size; e++) coefs[e] = coefs[e]! * z;
          continue;
        }
        if (size * 2 > masks.length) {
          const wider = new Int32Array(size * 2);
          wider.set(masks);
          masks = wider;
          const widerCoefs = new Float64Array(size * 2);
          widerCoefs.set(coefs);
          coefs = widerCoefs;
        }
        const d = o - z;
        for (let e = 0; e < size; e++) {
          masks[size + e] = masks[e]! | (1 << bit);
          coefs[size + e] = coefs[e]! * d;
          coefs[e] = coefs[e]! * z;
        }
        size *= 2;
      }
      for (let e = 0; e < size; e++) {
        const index = masks[e]! * k + leaf.output;
        out[index] = out[index]! + coefs[e]!;
      }
    }
    // Subset sums: out[S] = Σ_{A ⊆ S} coefficient(A).
    for (let bit = 0; bit < n; bit++) {
      const step = 1 << bit;
      for (let mask = 0; mask < count; mask++) {
        if ((mask & step) === 0) continue;
        for (let c = 0; c < k; c++)
          out[mask * k + c] = out[mask * k + c]! + out[(mask ^ step) * k + c]!;
      }
    }
    const baseline = this.#ensemble.baseline;
    for (let mask = 0; mask < count; mask++) {
      for (let c = 0; c < k; c++) out[mask * k + c] = out[mask * k + c]! + baseline[c]!;
    }
  }

  prefixes(order: readonly number[], out: Float64Array): void {
    const k = this.outputs;
    const inS = new Uint8Array(this.#players);
    const baseline = this.#ensemble.baseline;
    const evaluate = (to: number): void => {
      for (let c = 0; c < k; c++) out[to + c] = baseline[c]!;
      let at = 0;
      for (const leaf of this.#leaves) {
        let product = leaf.value;
        for (let i = 0; i < leaf.players.length; i++, at++) {
          product *= inS[leaf.players[i]!] === 1 ? this.#follows[at]! : leaf.shares[i]!;
        }
        out[to + leaf.output] = out[to + leaf.output]! + product;
      }
    };
    evaluate(0);
    order.forEach((p, step) => {
      inS[p] = 1;
      evaluate((step + 1) * k);
    });
  }
}

function leafPath(
  value: number,
  output: number,
  path: ReadonlyArray<{ node: number; left: boolean }>,
  e: TreeEnsemble,
  featurePlayer: Int32Array,
  share: Float64Array,
  right: Int32Array,
): LeafPath {
  const leaf: LeafPath = { value, output, players: [], shares: [], splits: [] };
  for (const split of path) {
    const child = split.left ? split.node + 1 : right[split.node]!;
    const player = featurePlayer[e.feature[split.node]!]!;
    if (player < 0) {
      // A feature outside every column span is never known: its split always averages.
      leaf.value *= share[child]!;
      continue;
    }
    let i = leaf.players.indexOf(player);
    if (i < 0) {
      i = leaf.players.push(player) - 1;
      leaf.shares.push(1);
      leaf.splits.push([]);
    }
    leaf.shares[i] = leaf.shares[i]! * share[child]!;
    leaf.splits[i]!.push({ ...split });
  }
  return leaf;
}
