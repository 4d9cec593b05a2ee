import { FeatureInputError, type RawRow, type RowIssue } from '@tandem/features';
import { toPredictions } from '@tandem/runtime';
import type { FastifyRequest } from 'fastify';
import { ServerError } from './errors.ts';
import {
  checkFloat32Range,
  type InputGuards,
  inputGuards,
  nonFiniteRows,
  ownColumns,
} from './input-guards.ts';
import type { ServerMetrics } from './metrics/metrics.ts';
import type { ModelRegistry, VersionSelector } from './registry/registry.ts';
import type { ServedVersion } from './registry/served-version.ts';

/** A classifier's answer for one row, or a regressor's. */
export type RowPrediction =
  | { label: string; probabilities: Record<string, number> }
  | { value: number };

/** What every protocol encodes from: the same numbers whatever the route. */
export interface Outcome {
  readonly name: string;
  readonly version: number;
  readonly rows: number;
  /** Classes in output order for classifiers; undefined for regressors. */
  readonly classes: readonly string[] | undefined;
  /** rows × (classes | 1), row-major float32, straight from the predictor. */
  readonly outputs: Float32Array;
  readonly predictions: readonly RowPrediction[];
  readonly warnings: readonly RowIssue[];
}

/** What a route asks the data plane: which model, which version, and how to get its rows. */
export interface PredictRequest<T> {
  name: string;
  selector: VersionSelector;
  /** The request's rows; it may read the served version (its classes, its schema). */
  decode: (served: ServedVersion) => readonly RawRow[];
  /** The protocol's answer from the outcome, built while the version is still leased. */
  encode: (outcome: Outcome, served: ServedVersion) => T;
}

/**
 * The data plane shared by every route: select the version → lease it → predict with the
 * runtime's Predictor (the same code as training and batch scoring) → answer. Routes only
 * decode their protocol's body and encode its answer.
 */
export class DataPlane {
  private readonly registry: ModelRegistry;
  private readonly metrics: ServerMetrics;
  private readonly maxCells: number;

  constructor(registry: ModelRegistry, metrics: ServerMetrics, maxCells: number) {
    this.registry = registry;
    this.metrics = metrics;
    this.maxCells = maxCells;
  }

  predict<T>(request: FastifyRequest, job: PredictRequest<T>): T {
    // withGuardedRows' steps written out: no closure per request on the hottest path.
    const served = leaseVersion(request, this.registry, job);
    try {
      const rows = guardedRows(served, job, this.maxCells);
      const outcome = predictRows(served, rows, this.metrics);
      request.server.monitoring?.observe(request, job.selector, served, rows, outcome);
      return job.encode(outcome, served);
    } finally {
      served.release();
    }
  }
}

/**
 * The steps every data path shares: select the version → lease it → decode the request's rows →
 * cell limit → input guards (own columns, float32 range); then `work` on the guarded rows while
 * the version is still leased.
 */
export function withGuardedRows<T>(
  request: FastifyRequest,
  registry: ModelRegistry,
  maxCells: number,
  job: Pick<PredictRequest<T>, 'name' | 'selector' | 'decode'>,
  work: (served: ServedVersion, rows: readonly RawRow[]) => T,
): T {
  const served = leaseVersion(request, registry, job);
  try {
    return work(served, guardedRows(served, job, maxCells));
  } finally {
    served.release();
  }
}

/**
 * The selected version, leased for the whole request (a reload that retires it meanwhile
 * defers disposal); the caller releases it.
 */
function leaseVersion(
  request: FastifyRequest,
  registry: ModelRegistry,
  job: Pick<PredictRequest<unknown>, 'name' | 'selector'>,
): ServedVersion {
  const served = registry.select(job.name, job.selector);
  request.servedModel = served.name;
  request.servedVersion = String(served.version);
  served.acquire();
  return served;
}

/** The request's rows, decoded, within the cell limit, own columns only, float32 range checked. */
function guardedRows(
  served: ServedVersion,
  job: Pick<PredictRequest<unknown>, 'decode'>,
  maxCells: number,
): readonly RawRow[] {
  const sent = job.decode(served);
  checkCells(sent, maxCells);
  const guards = guardsOf(served);
  const rows = ownColumns(sent, guards);
  checkFloat32Range(rows, guards);
  return rows;
}

/** The per-request cell limit: rows × the first row's columns (rows are alike in practice). */
function checkCells(rows: readonly RawRow[], maxCells: number): void {
  const first = rows[0];
  const cells = first === undefined ? 0 : rows.length * Object.keys(first).length;
  if (cells > maxCells) {
    throw new ServerError(
      'TANDEM_REQUEST_TOO_MANY_CELLS',
      `${rows.length} rows × ${Object.keys(first ?? {}).length} columns = ${cells} cells in one request; the limit is ${maxCells}`,
    );
  }
}

const guardsByVersion = new WeakMap<ServedVersion, InputGuards>();

function guardsOf(served: ServedVersion): InputGuards {
  let guards = guardsByVersion.get(served);
  if (guards === undefined) {
    guards = inputGuards(served.manifest.inputs);
    guardsByVersion.set(served, guards);
  }
  return guards;
}

/**
 * One leased version's predictions; invalid rows are refused as a whole with their details, and
 * an answer that is not a number (NaN, ±Infinity) is an error, never a 200 without numbers.
 */
function predictRows(
  served: ServedVersion,
  rows: readonly RawRow[],
  metrics: ServerMetrics,
): Outcome {
  const { predictor } = served;
  const batch = predictor.predictBatch(rows, { errors: 'collect' });
  if (batch.errors.length > 0) {
    metrics.rowsRejected(served.name, batch.rejected.length);
    throw new FeatureInputError(batch.errors, { rows: batch.rejected.length });
  }
  const notFinite = nonFiniteRows(batch.outputs, batch.width);
  if (notFinite.length > 0) {
    metrics.rowsRejected(served.name, notFinite.length);
    throw new ServerError(
      'TANDEM_PREDICTION_NOT_FINITE',
      `the model's output for row ${notFinite[0]} is not a finite number${notFinite.length > 1 ? ` (nor for ${notFinite.length - 1} more rows)` : ''}; check that row's values`,
      notFinite.map((row) => ({ row })),
    );
  }
  metrics.rowsPredicted(served.name, served.version, rows.length);
  for (const issue of batch.issues) metrics.inputIssue(served.name, issue.column, issue.kind);
  return {
    name: served.name,
    version: served.version,
    rows: rows.length,
    classes: predictor.classes,
    outputs: batch.outputs,
    // No row was rejected (that threw above), so no prediction is null.
    predictions: toPredictions(predictor, batch) as RowPrediction[],
    warnings: batch.issues,
  };
}

/** The predicted label of each row, in row order (classifiers only). */
export function labelsOf(outcome: Outcome): string[] {
  return outcome.predictions.map((p) => ('label' in p ? p.label : ''));
}
