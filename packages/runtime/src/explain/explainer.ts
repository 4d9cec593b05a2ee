import type {
  FittedPipeline,
  InputErrorDetail,
  RawRow,
  RowIssue,
  TargetScaler,
} from '@tandem/features';
import { mergeRowReports } from '../ensemble/blend.ts';
import { RuntimeError } from '../errors.ts';
import { decodeFeaturesFile } from '../features-file.ts';
import type { Predictor } from '../predictor.ts';
import { DenseForward, type DenseLink } from './dense-forward.ts';
import { type DenseMethod, DenseShapley } from './dense-shapley.ts';
import { type EnsembleMethod, EnsembleShapley, type WeightedGame } from './ensemble-shapley.ts';
import { DenseGame, type MemberGame, TreeGame } from './member-games.ts';
import { referenceRow } from './reference-row.ts';
import { TreeShap } from './tree-shap.ts';

export type ExplanationMethod = 'tree_shap' | DenseMethod | EnsembleMethod;
export const EXPLANATION_METHODS: readonly ExplanationMethod[] = [
  'tree_shap',
  'linear_exact',
  'exact_shapley',
  'sampled_shapley',
  'ensemble_exact_shapley',
  'ensemble_sampled_shapley',
];

/** margin: log-odds (binary) or per-class logits (multiclass); value: the regression output. */
export type ExplanationSpace = 'margin' | 'value';

/** One row's attribution for one output: baseValue + Σ contributions + approximationError = output. */
export interface Explanation {
  /** The class whose margin is explained (classifiers). */
  class?: string;
  baseValue: number;
  output: number;
  /** The class probability beside its margin (classifiers). */
  probability?: number;
  /** One value per raw input column, in the pipeline's column order. */
  contributions: Record<string, number>;
  /** output − baseValue − Σ contributions: float64 rounding for every method Tandem ships. */
  approximationError: number;
}

/**
 * Which classes to explain: 'default' is the predicted class for multiclass models and the
 * positive class (classes[1], whose log-odds the model computes) for binary ones.
 */
export type ClassSelection = 'default' | 'all' | readonly string[];

export interface ExplainOptions {
  classes?: ClassSelection;
  /** As on predictBatch: 'throw' (default) raises the pipeline's FeatureInputError. */
  errors?: 'throw' | 'collect';
}

export interface ExplanationBatch {
  rows: number;
  method: ExplanationMethod;
  space: ExplanationSpace;
  /** Per row, one explanation per selected class (one for regression); empty for a rejected row. */
  explanations: Explanation[][];
  issues: RowIssue[];
  errors: InputErrorDetail[];
  rejected: number[];
}

/** What a method computes for one encoded row: margins and per-raw-column Shapley values. */
interface Attribution {
  readonly outputs: number;
  readonly link: DenseLink;
  readonly baseValue: Float64Array;
  /**
   * Rows x[base + r × width, …) for r < rows: margins[r × outputs + output] and
   * phi[(r × outputs + output) × columns + column].
   */
  explainBlock(
    x: Float32Array,
    base: number,
    rows: number,
    phi: Float64Array,
    margins: Float64Array,
  ): void;
}

const explainers = new WeakMap<Predictor, Explainer>();

/** Rows explained together (tree models: tree by tree over the block). */
const EXPLAIN_BLOCK_ROWS = 64;

/**
 * Explanations per raw input column for a Predictor: exact TreeSHAP on tree models, exact
 * contributions on linear models, Shapley values over the raw columns on MLPs (see
 * docs/explanations.md). The rows go through the predictor's own pipeline, so a row predict
 * refuses is refused here with the same FeatureInputError.
 *
 * @example
 *   const batch = Explainer.of(predictor).explainBatch([row], { classes: 'all' });
 *   batch.explanations[0];  // [{ class: 'bad', baseValue, output, probability, contributions, … }]
 */
export class Explainer {
  readonly predictor: Predictor;
  readonly method: ExplanationMethod;
  readonly space: ExplanationSpace;
  /** The raw input columns, in order: the keys of every `contributions`. */
  readonly columns: readonly string[];
  readonly #attribution: Attribution;
  readonly #scaler: TargetScaler | null;
  readonly #encoder: RowEncoder;
  readonly #phi: Float64Array;
  readonly #margins: Float64Array;
  #features = new Float32Array(0);

  /** The explainer of a predictor, built once and kept while the predictor lives. */
  static of(predictor: Predictor): Explainer {
    let explainer = explainers.get(predictor);
    if (!explainer) {
      explainer = new Explainer(predictor);
      explainers.set(predictor, explainer);
    }
    return explainer;
  }

  /** Throws RuntimeError TANDEM_EXPLAIN_UNSUPPORTED when the model runs on tfjs only. */
  constructor(predictor: Predictor) {
    this.predictor = predictor;
    const where = `model ${predictor.name}/${predictor.version}`;
    const spans = predictor.pipeline.columnSpans();
    this.columns = spans.map((span) => span.column);
    this.space = predictor.task === 'regression' ? 'value' : 'margin';
    if (predictor.engine === 'ensemble') {
      const ensemble = ensembleAttribution(predictor, this.columns, where);
      this.method = ensemble.method;
      this.#attribution = ensemble.attribution;
      this.#encoder = ensemble.encoder;
      // The members' values come out on the target's scale already.
      this.#scaler = null;
      this.#phi = new Float64Array(EXPLAIN_BLOCK_ROWS * this.#attribution.outputs * spans.length);
      this.#margins = new Float64Array(EXPLAIN_BLOCK_ROWS * this.#attribution.outputs);
      return;
    }
    this.#encoder = pipelineEncoder(predictor.pipeline);
    const replica = predictor.replica();
    if (!replica) {
      throw new RuntimeError(
        'TANDEM_EXPLAIN_UNSUPPORTED',
        `${where} runs on the ${predictor.engine} engine; explanations need the dense or tree engine`,
      );
    }
    this.#scaler = decodeFeaturesFile(replica.features).targetScaler;
    const trees = predictor.trees;
    if (trees) {
      this.method = 'tree_shap';
      this.#attribution = treeAttribution(new TreeShap(trees), spans);
    } else if (replica.stack) {
      let forward: DenseForward;
      try {
        forward = new DenseForward(replica.stack);
      } catch (error) {
        throw new RuntimeError(
          'TANDEM_EXPLAIN_UNSUPPORTED',
          `${where} cannot be explained: ${(error as Error).message}`,
        );
      }
      const shapley = new DenseShapley(forward, spans, referenceRow(predictor.pipeline));
      this.method = shapley.method;
      this.#attribution = {
        outputs: forward.outputs,
        link: forward.link,
        baseValue: shapley.baseValue,
        explainBlock(x, base, rows, phi, margins) {
          const size = forward.outputs * spans.length;
          for (let r = 0; r < rows; r++) {
            shapley.explainInto(
              x,
              base + r * forward.inputWidth,
              phi.subarray(r * size, (r + 1) * size),
              margins.subarray(r * forward.outputs, (r + 1) * forward.outputs),
            );
          }
        },
      };
    } else {
      throw new RuntimeError('TANDEM_EXPLAIN_UNSUPPORTED', `${where} has no explanation method`);
    }
    this.#phi = new Float64Array(EXPLAIN_BLOCK_ROWS * this.#attribution.outputs * spans.length);
    this.#margins = new Float64Array(EXPLAIN_BLOCK_ROWS * this.#attribution.outputs);
  }

  /**
   * Explains raw rows. Throws RuntimeError TANDEM_EXPLAIN_CLASS_UNKNOWN when `classes` names a
   * class the model does not have.
   */
  explainBatch(rows: readonly RawRow[], options: ExplainOptions = {}): ExplanationBatch {
    const selection = this.#classIndices(options.classes ?? 'default');
    const encoder = this.#encoder;
    const n = rows.length;
    if (this.#features.length < n * encoder.width) {
      this.#features = new Float32Array(n * encoder.width);
    }
    const features = this.#features.subarray(0, n * encoder.width);
    const transformed = encoder.encode(rows, features, options.errors ?? 'throw');
    const rejected = new Set(transformed.rejected);
    const explanations: Explanation[][] = [];
    // Blocks of rows, tree by tree within a block for tree models: one tree's tables stay in
    // cache over the block. A rejected row is computed with the rest and not reported.
    for (let start = 0; start < n; start += EXPLAIN_BLOCK_ROWS) {
      const rowsInBlock = Math.min(EXPLAIN_BLOCK_ROWS, n - start);
      this.#attribution.explainBlock(
        features,
        start * encoder.width,
        rowsInBlock,
        this.#phi,
        this.#margins,
      );
      for (let r = 0; r < rowsInBlock; r++) {
        explanations.push(rejected.has(start + r) ? [] : this.#explainRow(r, selection));
      }
    }
    return {
      rows: n,
      method: this.method,
      space: this.space,
      explanations,
      issues: transformed.issues,
      errors: transformed.errors,
      rejected: transformed.rejected,
    };
  }

  #classIndices(selection: ClassSelection): number[] | 'predicted' {
    const classes = this.predictor.classes;
    if (!classes) return [0];
    if (selection === 'all') return classes.map((_, i) => i);
    if (selection === 'default') return classes.length === 2 ? [1] : 'predicted';
    return selection.map((name) => {
      const index = classes.indexOf(name);
      if (index < 0) {
        throw new RuntimeError(
          'TANDEM_EXPLAIN_CLASS_UNKNOWN',
          `classes: ${JSON.stringify(name)} is not a class of model ${this.predictor.name} (${classes.map((c) => JSON.stringify(c)).join(', ')})`,
        );
      }
      return index;
    });
  }

  /** The explanations of row r of the block explainBlock last computed. */
  #explainRow(r: number, selection: number[] | 'predicted'): Explanation[] {
    const attribution = this.#attribution;
    const classes = this.predictor.classes;
    const m = this.columns.length;
    const phi = this.#phi.subarray(r * attribution.outputs * m, (r + 1) * attribution.outputs * m);
    const margins = this.#margins.subarray(r * attribution.outputs, (r + 1) * attribution.outputs);
    if (!classes) {
      const scale = this.#scaler?.std ?? 1;
      const shift = this.#scaler?.mean ?? 0;
      return [
        this.#explanation(
          undefined,
          attribution.baseValue[0]! * scale + shift,
          margins[0]! * scale + shift,
          undefined,
          (p) => phi[p]! * scale,
        ),
      ];
    }
    const probabilities = probabilitiesOf(attribution.link, margins, attribution.outputs);
    const chosen = selection === 'predicted' ? [argmax(probabilities)] : selection;
    return chosen.map((c) => {
      const probability = probabilities[c]!;
      if (attribution.outputs === 1) {
        // One logistic unit: its margin is the log-odds of classes[1]; classes[0]'s is its negation.
        const sign = c === 1 ? 1 : -1;
        return this.#explanation(
          classes[c],
          sign * attribution.baseValue[0]!,
          sign * margins[0]!,
          probability,
          (p) => sign * phi[p]!,
        );
      }
      if (classes.length === 2) {
        // Two softmax units: the log-odds of c is z_c − z_other.
        const o = 1 - c;
        return this.#explanation(
          classes[c],
          attribution.baseValue[c]! - attribution.baseValue[o]!,
          margins[c]! - margins[o]!,
          probability,
          (p) => phi[c * m + p]! - phi[o * m + p]!,
        );
      }
      return this.#explanation(
        classes[c],
        attribution.baseValue[c]!,
        margins[c]!,
        probability,
        (p) => phi[c * m + p]!,
      );
    });
  }

  #explanation(
    name: string | undefined,
    baseValue: number,
    output: number,
    probability: number | undefined,
    contribution: (column: number) => number,
  ): Explanation {
    const contributions: Record<string, number> = {};
    let sum = 0;
    for (let p = 0; p < this.columns.length; p++) {
      const value = contribution(p);
      contributions[this.columns[p]!] = value;
      sum += value;
    }
    const approximationError = output - baseValue - sum;
    // Object literals of fixed shapes (no spreads): one hidden class each, cheap per row.
    if (name === undefined) return { baseValue, output, contributions, approximationError };
    if (probability === undefined) {
      return { class: name, baseValue, output, contributions, approximationError };
    }
    return { class: name, baseValue, output, probability, contributions, approximationError };
  }
}

/** How raw rows become the encoded rows an attribution reads. */
interface RowEncoder {
  readonly width: number;
  encode(
    rows: readonly RawRow[],
    out: Float32Array,
    errors: 'throw' | 'collect',
  ): { issues: RowIssue[]; errors: InputErrorDetail[]; rejected: number[] };
}

function pipelineEncoder(pipeline: FittedPipeline): RowEncoder {
  return {
    width: pipeline.width,
    encode: (rows, out, errors) => pipeline.transformBatch(rows, { out, errors }),
  };
}

/**
 * An ensemble's explanations (EnsembleShapley): each member's game over its own encoding, the
 * members' encodings of a row side by side. A row any member refuses is refused.
 */
function ensembleAttribution(
  predictor: Predictor,
  columns: readonly string[],
  where: string,
): { method: ExplanationMethod; attribution: Attribution; encoder: RowEncoder } {
  const games: WeightedGame[] = [];
  const pipelines: FittedPipeline[] = [];
  let offset = 0;
  for (const { weight, predictor: member } of predictor.blendMembers) {
    const replica = member.replica();
    const own = new Map(member.pipeline.columnSpans().map((span) => [span.column, span]));
    const spans = columns.map((column) => {
      const span = own.get(column);
      if (!span) throw new Error(`an ensemble member has no column ${JSON.stringify(column)}`);
      return span;
    });
    let game: MemberGame;
    if (member.trees) game = new TreeGame(member.trees, spans);
    else if (replica?.stack) {
      try {
        game = new DenseGame(new DenseForward(replica.stack), spans, referenceRow(member.pipeline));
      } catch (error) {
        throw new RuntimeError(
          'TANDEM_EXPLAIN_UNSUPPORTED',
          `${where} cannot be explained: ${(error as Error).message}`,
        );
      }
    } else {
      throw new RuntimeError(
        'TANDEM_EXPLAIN_UNSUPPORTED',
        `${where} has a member on the ${member.engine} engine; explanations need the dense or tree engine`,
      );
    }
    const scaler = replica ? decodeFeaturesFile(replica.features).targetScaler : null;
    games.push({ game, weight, offset, scale: scaler?.std ?? 1, shift: scaler?.mean ?? 0 });
    pipelines.push(member.pipeline);
    offset += member.pipeline.width;
  }
  const width = offset;
  const shapley = new EnsembleShapley(games, columns.length, predictor.classes?.length ?? 0);
  const size = shapley.outputs * columns.length;
  return {
    method: shapley.method,
    attribution: {
      outputs: shapley.outputs,
      link: shapley.link,
      baseValue: shapley.baseValue,
      explainBlock(x, base, rows, phi, margins) {
        for (let r = 0; r < rows; r++) {
          shapley.explainInto(
            x,
            base + r * width,
            phi.subarray(r * size, (r + 1) * size),
            margins.subarray(r * shapley.outputs, (r + 1) * shapley.outputs),
          );
        }
      },
    },
    encoder: {
      width,
      encode(rows, out, errors) {
        const reports = pipelines.map((pipeline, g) => {
          const own = new Float32Array(rows.length * pipeline.width);
          const report = pipeline.transformBatch(rows, { out: own, errors });
          const at = games[g]!.offset;
          for (let r = 0; r < rows.length; r++) {
            out.set(own.subarray(r * pipeline.width, (r + 1) * pipeline.width), r * width + at);
          }
          return report;
        });
        return mergeRowReports(reports);
      },
    },
  };
}

/** TreeSHAP per encoded feature, summed over each raw column's features once per row. */
function treeAttribution(
  shap: TreeShap,
  spans: ReturnType<Predictor['pipeline']['columnSpans']>,
): Attribution {
  const ensemble = shap.ensemble;
  const width = ensemble.inputWidth;
  const outputs = ensemble.outputs;
  const encoded = new Float64Array(EXPLAIN_BLOCK_ROWS * outputs * width);
  const m = spans.length;
  const spanStart = Int32Array.from(spans, (span) => span.start);
  const spanEnd = Int32Array.from(spans, (span) => span.start + span.width);
  return {
    outputs,
    link: ensemble.link,
    baseValue: shap.expectedValue,
    explainBlock(x, base, rows, phi, margins) {
      encoded.fill(0, 0, rows * outputs * width);
      // The margins come out summed as the engine sums them: the explained output is predict's.
      shap.explainBlock(x, base, rows, encoded, margins);
      for (let rc = 0; rc < rows * outputs; rc++) {
        for (let p = 0; p < m; p++) {
          let total = 0;
          for (let f = spanStart[p]!; f < spanEnd[p]!; f++) total += encoded[rc * width + f]!;
          phi[rc * m + p] = total;
        }
      }
    },
  };
}

function probabilitiesOf(link: DenseLink, margins: Float64Array, outputs: number): number[] {
  if (link === 'logistic' && outputs === 1) {
    const p = 1 / (1 + Math.exp(-margins[0]!));
    return [1 - p, p];
  }
  if (link === 'softmax') {
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < outputs; c++) max = Math.max(max, margins[c]!);
    let sum = 0;
    for (let c = 0; c < outputs; c++) sum += Math.exp(margins[c]! - max);
    return Array.from({ length: outputs }, (_, c) => Math.exp(margins[c]! - max) / sum);
  }
  return Array.from(margins.subarray(0, outputs));
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * The `top` raw columns by |contribution| (ties: column order), for answers that list only the
 * strongest: approximationError stays the one over every column.
 */
export function topContributions(
  explanation: Explanation,
  top: number,
): Array<{ column: string; value: number }> {
  return Object.entries(explanation.contributions)
    .map(([column, value], order) => ({ column, value, order }))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value) || a.order - b.order)
    .slice(0, top)
    .map(({ column, value }) => ({ column, value }));
}
