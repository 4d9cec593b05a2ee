import type { ColumnSpan } from '@tandem/features';
import { shapleyFromTable, walkGrayCode } from './coalition-game.ts';
import type { DenseForward } from './dense-forward.ts';
import { mulberry32 } from './mulberry32.ts';

/** Raw columns up to which every coalition is enumerated (2^14 margins per row). */
export const EXACT_SHAPLEY_MAX_COLUMNS = 14;
/** Permutations (in antithetic pairs) per row when there are more raw columns. */
export const SAMPLED_PERMUTATIONS = 128;

export type DenseMethod = 'linear_exact' | 'exact_shapley' | 'sampled_shapley';

/**
 * Shapley values of a dense model's margins with the raw columns as players (each player moves
 * all of its encoded outputs: one-hot levels, missing indicator, datetime parts together), against
 * one reference row r (referenceRow: the encoded training means). A coalition S is worth
 * v(S) = f(x_S, r_rest): the baseline Shapley game, whose values add up to f(x) − f(r) exactly.
 *
 * - linear_exact (one affine map): φ_c = Σ over the column's outputs k of w_k (x_k − r_k).
 * - exact_shapley (M ≤ 14 raw columns): every one of the 2^M coalitions is evaluated, walking them
 *   in Gray-code order so that each step adds or removes one column's share of the first layer
 *   (O(hidden) instead of O(inputs × hidden)); then φ_c = Σ_S |S|!(M−|S|−1)!/M! (v(S∪c) − v(S)).
 * - sampled_shapley (M > 14): the mean marginal contribution over SAMPLED_PERMUTATIONS
 *   permutations in antithetic pairs, from a seed fixed per model, so the same row always gets the
 *   same values; additivity still holds exactly (each permutation telescopes to f(x) − f(r)).
 */
export class DenseShapley {
  readonly model: DenseForward;
  readonly spans: readonly ColumnSpan[];
  readonly reference: Float64Array;
  readonly method: DenseMethod;
  /** Margins at the reference row. */
  readonly baseValue: Float64Array;
  readonly #h0: Float64Array;
  readonly #h: Float64Array;
  readonly #delta: Float64Array;
  readonly #values: Float64Array;
  readonly #scratch: Float64Array;

  constructor(model: DenseForward, spans: readonly ColumnSpan[], reference: Float64Array) {
    this.model = model;
    this.spans = spans;
    this.reference = reference;
    const m = spans.length;
    const k = model.outputs;
    this.method = model.isLinear
      ? 'linear_exact'
      : m <= EXACT_SHAPLEY_MAX_COLUMNS
        ? 'exact_shapley'
        : 'sampled_shapley';
    this.#h0 = new Float64Array(model.hidden);
    model.firstPreActivation(reference, 0, this.#h0);
    this.baseValue = new Float64Array(k);
    model.marginsFrom(this.#h0, this.baseValue, 0);
    this.#h = new Float64Array(model.hidden);
    this.#delta = new Float64Array(m * model.hidden);
    this.#values = new Float64Array(this.method === 'exact_shapley' ? (1 << m) * k : 2 * k);
    this.#scratch = new Float64Array(k);
  }

  /**
   * Margins of row x[base, base + inputWidth) into margins[0, outputs), and its Shapley values
   * into phi[c × M + player] (overwritten).
   */
  explainInto(x: Float32Array, base: number, phi: Float64Array, margins: Float64Array): void {
    const model = this.model;
    const h = this.#h;
    model.firstPreActivation(x, base, h);
    model.marginsFrom(h, margins, 0);
    phi.fill(0);
    if (this.method === 'linear_exact') this.#linear(x, base, phi);
    else {
      this.#deltas(x, base);
      if (this.method === 'exact_shapley') this.#exact(phi);
      else this.#sampled(phi);
    }
  }

  #linear(x: Float32Array, base: number, phi: Float64Array): void {
    const { weights, units } = this.model.first;
    const m = this.spans.length;
    this.spans.forEach((span, p) => {
      for (let k = span.start; k < span.start + span.width; k++) {
        const dx = x[base + k]! - this.reference[k]!;
        if (dx === 0) continue;
        for (let c = 0; c < units; c++)
          phi[c * m + p] = phi[c * m + p]! + weights[k * units + c]! * dx;
      }
    });
  }

  #deltas(x: Float32Array, base: number): void {
    playerDeltas(this.model.first, this.spans, this.reference, x, base, this.#delta);
  }

  /**
   * Players whose share of the first layer is exactly zero (the model ignores the column, or the
   * row holds the reference value) are null players: their value is 0 and leaving them out of
   * the game changes no other player's value. Enumerating only the others makes their 0 exact.
   */
  #activePlayers(): number[] {
    const hidden = this.model.hidden;
    const delta = this.#delta;
    const active: number[] = [];
    for (let p = 0; p < this.spans.length; p++) {
      for (let j = p * hidden; j < (p + 1) * hidden; j++) {
        if (delta[j] !== 0) {
          active.push(p);
          break;
        }
      }
    }
    return active;
  }

  /** h += sign × player p's share of the first layer (moves the player in or out). */
  #move(p: number, sign: number): void {
    const hidden = this.model.hidden;
    const h = this.#h;
    const delta = this.#delta;
    for (let j = 0; j < hidden; j++) h[j] = h[j]! + sign * delta[p * hidden + j]!;
  }

  #exact(phi: Float64Array): void {
    const model = this.model;
    const k = model.outputs;
    const h = this.#h;
    const values = this.#values;
    const players = this.#activePlayers();
    h.set(this.#h0);
    values.set(this.baseValue, 0);
    walkGrayCode(players.length, (bit, sign, mask) => {
      this.#move(players[bit]!, sign);
      model.marginsFrom(h, values, mask * k);
    });
    shapleyFromTable(values, k, players, this.spans.length, phi);
  }

  #sampled(phi: Float64Array): void {
    const order = this.#activePlayers();
    const n = order.length;
    const next = mulberry32(0x7a3d_2f11);
    const model = this.model;
    const m = this.spans.length;
    const k = model.outputs;
    const h = this.#h;
    const previous = this.#scratch;
    const current = this.#values;
    for (let pair = 0; pair < SAMPLED_PERMUTATIONS / 2; pair++) {
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const direction of [1, -1]) {
        h.set(this.#h0);
        previous.set(this.baseValue);
        for (let step = 0; step < n; step++) {
          const p = order[direction === 1 ? step : n - 1 - step]!;
          this.#move(p, 1);
          model.marginsFrom(h, current, 0);
          for (let c = 0; c < k; c++) {
            phi[c * m + p] = phi[c * m + p]! + current[c]! - previous[c]!;
            previous[c] = current[c]!;
          }
        }
      }
    }
    for (let i = 0; i < phi.length; i++) phi[i] = phi[i]! / SAMPLED_PERMUTATIONS;
  }
}

/**
 * Each player's share of the first layer's pre-activation, Σ_k W[k, :] (x_k − r_k) over its
 * span's encoded outputs, into delta[p × units + j] (overwritten).
 */
export function playerDeltas(
  first: { weights: Float32Array; units: number },
  spans: readonly Pick<ColumnSpan, 'start' | 'width'>[],
  reference: Float64Array,
  x: Float32Array,
  base: number,
  delta: Float64Array,
): void {
  const { weights, units } = first;
  delta.fill(0);
  spans.forEach((span, p) => {
    for (let k = span.start; k < span.start + span.width; k++) {
      const dx = x[base + k]! - reference[k]!;
      if (dx === 0) continue;
      for (let j = 0; j < units; j++) {
        delta[p * units + j] = delta[p * units + j]! + weights[k * units + j]! * dx;
      }
    }
  });
}
