import { shapleyFromTable } from './coalition-game.ts';
import type { DenseLink } from './dense-forward.ts';
import { EXACT_SHAPLEY_MAX_COLUMNS, SAMPLED_PERMUTATIONS } from './dense-shapley.ts';
import type { MemberGame } from './member-games.ts';
import { mulberry32 } from './mulberry32.ts';

export type EnsembleMethod = 'ensemble_exact_shapley' | 'ensemble_sampled_shapley';

/** A member's game, its weight and where its encoding starts in the concatenated row. */
export interface WeightedGame {
  game: MemberGame;
  weight: number;
  offset: number;
  /** Regression members: value = margin × scale + shift (its target scaler). */
  scale: number;
  shift: number;
}

/**
 * Shapley values of an ensemble's margin, the raw columns as players. A coalition S is worth
 * V(S) = the ensemble's margin when every member's margins are its own game's v_m(S)
 * (MemberGame): the weighted average of the members' probabilities (or values) turned into
 * the ensemble's log-odds (binary), log-probabilities (multiclass) or value (regression). V of
 * every column is the predicted margin and V(∅) the same for every row, so the values add up to
 * the output exactly; on a single member the game is that member's own. Up to
 * EXACT_SHAPLEY_MAX_COLUMNS raw columns every coalition of the columns that matter for the row
 * is evaluated (the others are null players: 0), else the mean marginal contribution over
 * SAMPLED_PERMUTATIONS permutations in antithetic pairs (a fixed seed).
 */
export class EnsembleShapley {
  readonly outputs: number;
  readonly link: DenseLink;
  readonly baseValue: Float64Array;
  readonly #members: readonly WeightedGame[];
  readonly #columns: number;
  readonly #classes: number;
  readonly #logWeights: Float64Array;
  readonly #matters: Uint8Array;
  /** Per class (regression: 1), the log-probabilities (or values) of each member, reused. */
  readonly #scratch: Float64Array;
  readonly method: EnsembleMethod;

  /** `classes`: 0 for regression. */
  constructor(members: readonly WeightedGame[], columns: number, classes: number) {
    this.#members = members;
    this.#columns = columns;
    this.#classes = classes;
    this.method =
      columns <= EXACT_SHAPLEY_MAX_COLUMNS ? 'ensemble_exact_shapley' : 'ensemble_sampled_shapley';
    this.outputs = classes > 2 ? classes : 1;
    this.link = classes === 0 ? 'identity' : classes === 2 ? 'logistic' : 'softmax';
    this.#logWeights = Float64Array.from(members, (m) => Math.log(m.weight));
    this.#matters = new Uint8Array(columns);
    this.#scratch = new Float64Array(members.length * Math.max(1, classes));
    this.baseValue = new Float64Array(this.outputs);
    this.#combine(
      members.map((m) => m.game.emptyValue),
      members.map(() => 0),
      this.baseValue,
      0,
    );
  }

  /**
   * The row x[base, …) (the members' encodings side by side): its margins into
   * margins[0, outputs) and its Shapley values into phi[c × columns + player] (overwritten).
   */
  explainInto(x: Float32Array, base: number, phi: Float64Array, margins: Float64Array): void {
    const matters = this.#matters.fill(0);
    for (const member of this.#members) member.game.load(x, base + member.offset, matters);
    const players: number[] = [];
    for (let p = 0; p < this.#columns; p++) if (matters[p] === 1) players.push(p);
    phi.fill(0);
    if (this.method === 'ensemble_exact_shapley') this.#exact(players, phi, margins);
    else this.#sampled(players, phi, margins);
  }

  #exact(players: readonly number[], phi: Float64Array, margins: Float64Array): void {
    const count = 1 << players.length;
    const tables = this.#members.map((member) => {
      const table = new Float64Array(count * member.game.outputs);
      member.game.table(players, table);
      return table;
    });
    const values = new Float64Array(count * this.outputs);
    const at = this.#members.map(() => 0);
    for (let mask = 0; mask < count; mask++) {
      this.#members.forEach((member, m) => {
        at[m] = mask * member.game.outputs;
      });
      this.#combine(tables, at, values, mask * this.outputs);
    }
    shapleyFromTable(values, this.outputs, players, this.#columns, phi);
    margins.set(values.subarray((count - 1) * this.outputs, count * this.outputs));
  }

  #sampled(players: readonly number[], phi: Float64Array, margins: Float64Array): void {
    const n = players.length;
    const k = this.outputs;
    const m = this.#columns;
    const next = mulberry32(0x7a3d_2f11);
    const order = [...players];
    const prefixes = this.#members.map((member) => new Float64Array((n + 1) * member.game.outputs));
    const values = new Float64Array((n + 1) * k);
    const at = this.#members.map(() => 0);
    for (let pair = 0; pair < SAMPLED_PERMUTATIONS / 2; pair++) {
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const walk of [order, [...order].reverse()]) {
        this.#members.forEach((member, g) => {
          member.game.prefixes(walk, prefixes[g]!);
        });
        for (let step = 0; step <= n; step++) {
          this.#members.forEach((member, g) => {
            at[g] = step * member.game.outputs;
          });
          this.#combine(prefixes, at, values, step * k);
        }
        walk.forEach((p, step) => {
          for (let c = 0; c < k; c++) {
            phi[c * m + p] = phi[c * m + p]! + values[(step + 1) * k + c]! - values[step * k + c]!;
          }
        });
      }
    }
    for (let i = 0; i < phi.length; i++) phi[i] = phi[i]! / SAMPLED_PERMUTATIONS;
    margins.set(values.subarray(n * k, (n + 1) * k));
  }

  /**
   * The ensemble's margins into out[to, to + outputs) from each member's margins
   * (sources[m][at[m], …)): log-probabilities blended by log-sum-exp of log(weight) + log p,
   * so that no probability underflows to a log of 0.
   */
  #combine(
    sources: readonly Float64Array[],
    at: readonly number[],
    out: Float64Array,
    to: number,
  ): void {
    const members = this.#members;
    if (this.#classes === 0) {
      let value = 0;
      members.forEach((member, g) => {
        value += member.weight * (sources[g]![at[g]!]! * member.scale + member.shift);
      });
      out[to] = value;
      return;
    }
    const classes = this.#classes;
    const logP = this.#scratch;
    members.forEach((member, g) => {
      logProbabilities(member.game, sources[g]!, at[g]!, classes, logP, g * classes);
    });
    const blended = (c: number): number => {
      let max = Number.NEGATIVE_INFINITY;
      for (let g = 0; g < members.length; g++) {
        max = Math.max(max, this.#logWeights[g]! + logP[g * classes + c]!);
      }
      let sum = 0;
      for (let g = 0; g < members.length; g++) {
        sum += Math.exp(this.#logWeights[g]! + logP[g * classes + c]! - max);
      }
      return max + Math.log(sum);
    };
    if (classes === 2) out[to] = blended(1) - blended(0);
    else for (let c = 0; c < classes; c++) out[to + c] = blended(c);
  }
}

/** A member's class log-probabilities from its margins, into out[to, to + classes). */
function logProbabilities(
  game: MemberGame,
  margins: Float64Array,
  at: number,
  classes: number,
  out: Float64Array,
  to: number,
): void {
  if (game.outputs === 1) {
    // One logistic unit: the log-odds z of classes[1]; log σ(z) = −softplus(−z).
    const z = margins[at]!;
    out[to] = -softplus(z);
    out[to + 1] = -softplus(-z);
    return;
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < classes; c++) max = Math.max(max, margins[at + c]!);
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp(margins[at + c]! - max);
  const logSum = max + Math.log(sum);
  for (let c = 0; c < classes; c++) out[to + c] = margins[at + c]! - logSum;
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}
