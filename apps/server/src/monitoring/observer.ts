import type { RawRow } from '@tandem/features';
import {
  columnScratch,
  type RecentPredictions,
  readRowColumns,
  type ThreadedPredictionLog,
} from '@tandem/monitoring';
import type { FastifyRequest } from 'fastify';
import type { Outcome } from '../dataplane.ts';
import type { ModelRegistry, VersionSelector } from '../registry/registry.ts';
import type { ServedVersion } from '../registry/served-version.ts';
import { isCallerId } from './request-id.ts';
import type { VersionStates } from './version-state.ts';

/** Requests of at least this many rows are counted in drift by a pass of their own. */
const ONE_PASS_ROWS = 16;

/**
 * What happens after the data plane answered, for every route: the rows and outputs are counted
 * in the answering version's drift windows, the outputs are remembered for feedback, and a
 * sampled share of requests goes to the prediction log. A logged request's rows are read into
 * typed columns for the log, and a large one's columns are counted in drift at once; the others
 * are counted in drift at the end of the event-loop turn, many requests in one pass. The log's serialization and writing happen in its worker
 * thread.
 * Synchronous and bounded: the log only queues; nothing here waits or throws into the answer.
 */
export class PredictionObserver {
  private readonly states: VersionStates;
  private readonly recent: RecentPredictions;
  private readonly log: ThreadedPredictionLog | undefined;
  private readonly registry: ModelRegistry;
  private readonly onError: (error: unknown) => void;
  /**
   * The cells' buffers, reused by every request: the windows and the log's batch copy what they
   * keep before observe returns.
   */
  private readonly scratch = columnScratch();

  constructor(parts: {
    states: VersionStates;
    recent: RecentPredictions;
    log: ThreadedPredictionLog | undefined;
    registry: ModelRegistry;
    onError: (error: unknown) => void;
  }) {
    this.states = parts.states;
    this.recent = parts.recent;
    this.log = parts.log;
    this.registry = parts.registry;
    this.onError = parts.onError;
  }

  observe(
    request: FastifyRequest,
    selector: VersionSelector,
    served: ServedVersion,
    rows: readonly RawRow[],
    outcome: Outcome,
  ): void {
    try {
      // A V2 request's own id names the answer, as the protocol echoes it.
      const bodyId = (request.body as { id?: unknown } | undefined)?.id;
      if (isCallerId(bodyId)) request.predictionId = bodyId;
      const id = request.predictionId;
      const now = Date.now();
      this.recent.remember(id, served.name, served.version, now, outcome.outputs, outcome.rows);
      const state = this.states.of(served);
      const drift = state.drift;
      const logged = this.log?.sample() === true;
      // A small request is counted with the other requests of this event-loop turn, in one
      // pass, even when it is logged: reading its few cells twice costs less than a pass of its
      // own (3.2 against about 2 µs for a 1-row request). A larger one is read once for both.
      const soon = !logged || rows.length < ONE_PASS_ROWS;
      if (soon) drift?.observeSoon(rows, outcome.outputs);
      if (!logged) return;
      const columns = readRowColumns(rows, state.shape, this.scratch);
      state.shape = columns.names;
      if (!soon) drift?.observeColumns(columns, rows, outcome.outputs);
      this.log?.offerRequest({
        id,
        time: now,
        model: served.name,
        version: served.version,
        label: this.labelOf(selector, served),
        route: routeOf(request),
        columns,
        outputs: outcome.outputs,
        classes: outcome.classes,
      });
    } catch (error) {
      // Monitoring must never cost an answer.
      this.onError(error);
    }
  }

  /** The label that chose the version: the route's, else production when it is the default. */
  private labelOf(selector: VersionSelector, served: ServedVersion): string | null {
    if (selector.label !== undefined) return selector.label;
    if (selector.version !== undefined) return null;
    const labels = this.registry.model(served.name).labels;
    return Object.hasOwn(labels, 'production') && labels.production === served.version
      ? 'production'
      : null;
  }
}

/**
 * Which protocol answered, for the log, from the request's path (routeOptions builds an object
 * per read).
 */
export function routeOf(request: FastifyRequest): string {
  const query = request.url.indexOf('?');
  const url = query < 0 ? request.url : request.url.slice(0, query);
  if (url.startsWith('/v2')) return 'v2';
  // TF Serving's verbs ride in the last path segment (/v1/models/credit:predict).
  if (url.startsWith('/tfserving') || !url.endsWith('/predict')) return 'tfserving';
  if (request.mediaType === 'text/csv') return 'native-csv';
  if (request.mediaType === 'application/x-ndjson') return 'native-ndjson';
  return 'native';
}
