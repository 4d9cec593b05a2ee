import type { RawRow } from '@tandem/features';
import type { MonitoringThread, RecentPredictions } from '@tandem/monitoring';
import type { FastifyRequest } from 'fastify';
import type { Outcome } from '../dataplane.ts';
import type { ModelRegistry, VersionSelector } from '../registry/registry.ts';
import type { ServedVersion } from '../registry/served-version.ts';
import { isCallerId } from './request-id.ts';
import type { VersionStates } from './version-state.ts';

/**
 * What happens after the data plane answered, for every route: the outputs are remembered for
 * feedback, and the rows are read once into the typed columns of the monitoring thread's batch,
 * which counts them in the answering version's drift windows and logs a sampled share of
 * requests. Encoding for drift, serializing and writing all happen there.
 * Synchronous and bounded: the thread only queues; nothing here waits or throws into the answer.
 */
export class PredictionObserver {
  private readonly states: VersionStates;
  private readonly recent: RecentPredictions;
  private readonly thread: MonitoringThread;
  private readonly registry: ModelRegistry;
  private readonly onError: (error: unknown) => void;

  constructor(parts: {
    states: VersionStates;
    recent: RecentPredictions;
    thread: MonitoringThread;
    registry: ModelRegistry;
    onError: (error: unknown) => void;
  }) {
    this.states = parts.states;
    this.recent = parts.recent;
    this.thread = parts.thread;
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
      const monitor = state.drift?.monitor ?? -1;
      const logged = this.thread.sample();
      if (!logged && monitor < 0) return;
      this.thread.offerRequest(
        {
          id,
          time: now,
          model: served.name,
          version: served.version,
          label: this.labelOf(selector, served),
          route: routeOf(request),
          rows,
          outputs: outcome.outputs,
          classes: outcome.classes,
        },
        logged,
        monitor,
      );
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
