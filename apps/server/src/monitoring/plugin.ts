import {
  MonitoringError,
  MonitoringThread,
  RecentPredictions,
  type SinkSpec,
} from '@tandem/monitoring';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { SELECTOR_PATHS, selectorOf } from '../routes/selectors.ts';
import { applyFeedback, type FeedbackItem } from './feedback.ts';
import { PredictionObserver } from './observer.ts';
import { MonitoringMetrics } from './prometheus.ts';
import { monitoringReport } from './report.ts';
import { type MonitoringSettings, monitoringSettings } from './settings.ts';
import { VersionStates } from './version-state.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Drift, feedback and the prediction log; undefined when TANDEM_MONITORING=off. */
    monitoring: PredictionObserver | undefined;
  }
  interface FastifyRequest {
    /** The id this answer carries: the request id (x-request-id), or a V2 body's own id. */
    predictionId: string;
  }
}

export interface MonitoringPluginOptions {
  /** Default: from the environment (settings.ts). */
  settings?: Readonly<MonitoringSettings>;
  /** A sink of the caller's (tests); default from settings.log. */
  sink?: SinkSpec;
}

const feedbackBody = {
  type: 'object',
  required: ['feedback'],
  additionalProperties: false,
  properties: {
    feedback: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['id'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', minLength: 1, maxLength: 128 },
          row: { type: 'integer', minimum: 0 },
          label: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
          value: { type: 'number' },
        },
      },
    },
  },
} as const;

/**
 * Monitoring for every served version: an id on every answer (x-request-id header), the
 * observer the data plane calls after each prediction, GET …/monitoring, POST …/feedback, and
 * the Prometheus series. Self-contained: the data plane needs one call, app.ts one register.
 */
export const monitoringPlugin = fp(
  async (app: FastifyInstance, options: MonitoringPluginOptions) => {
    const settings = options.settings ?? monitoringSettings();
    app.decorateRequest('predictionId', '');
    // The answer's id is the request id (x-request-id when the caller sent a sane one, see
    // plugins/security.ts), unless the observer finds the caller's own (a V2 body id).
    app.addHook('onRequest', (request, _reply, done) => {
      request.predictionId = request.id;
      done();
    });
    if (!settings.enabled) {
      app.decorate('monitoring', undefined);
      return;
    }
    const { registry, metrics, config } = app.tandem;
    // Drift windows and the log's writing live in one worker thread, off the serving thread.
    const thread = new MonitoringThread({
      sink: options.sink ?? sinkOf(settings),
      sampleRate: settings.logSample,
      capacity: settings.logCapacity,
      driftCapacity: settings.driftCapacity,
      onError: (error) => app.log.warn({ err: error }, 'monitoring thread'),
    });
    const states = new VersionStates(
      {
        rowWindow: settings.rowWindow,
        timeWindowMs: settings.timeWindowMs,
        minRows: settings.minRows,
      },
      thread,
      (message) => app.log.warn(message),
    );
    const recent = new RecentPredictions(settings.feedbackRows);
    const observer = new PredictionObserver({
      states,
      recent,
      thread,
      registry,
      onError: (error) => app.log.error({ err: error }, 'monitoring failed for one answer'),
    });
    const series = new MonitoringMetrics(metrics.registry, states, thread);
    app.decorate('monitoring', observer);
    app.addHook('onClose', async () => {
      await thread.close();
    });

    await app.register(async (routes) => {
      // Monitoring's own coded errors answer 400 in the native shape; others go to the app's handler.
      routes.setErrorHandler((error, _request, reply) => {
        if (error instanceof MonitoringError) {
          return reply
            .status(400)
            .send({ error: { code: error.code, message: error.message, details: [] } });
        }
        throw error;
      });
      for (const suffix of SELECTOR_PATHS) {
        routes.get<{ Params: { name: string; version?: string; label?: string } }>(
          `/v1/models/:name${suffix}/monitoring`,
          monitoringRoute(
            'Drift of the version against its training profile, live performance, log counts',
          ),
          async (request) => {
            const served = registry.select(request.params.name, selectorOf(request.params));
            return monitoringReport(states.of(served), served, settings, thread);
          },
        );
      }
      routes.post<{ Params: { name: string }; Body: { feedback: FeedbackItem[] } }>(
        '/v1/models/:name/feedback',
        monitoringRoute('Ground truth for earlier answers, by id (and row): idempotent', {
          body: feedbackBody,
        }),
        (request) => {
          const { name } = request.params;
          registry.model(name);
          if (request.body.feedback.length > config.maxRows) {
            throw new MonitoringError(
              'TANDEM_FEEDBACK_INVALID',
              `${request.body.feedback.length} feedback items in one request; the limit is ${config.maxRows}`,
            );
          }
          return applyFeedback(name, request.body.feedback, {
            states,
            recent,
            thread,
            metrics: series,
          });
        },
      );
    });
  },
  { name: 'tandem-monitoring', fastify: '5.x', dependencies: ['tandem-context'] },
);

/** A monitoring route's options: native error bodies, its OpenAPI tag and summary. */
function monitoringRoute<S extends object>(summary: string, schema?: S) {
  return {
    config: { errorShape: 'native' as const },
    schema: { tags: ['monitoring'], summary, ...schema },
  };
}

function sinkOf(settings: Readonly<MonitoringSettings>): SinkSpec | undefined {
  if (settings.log === '') return undefined;
  if (/^postgres(ql)?:\/\//.test(settings.log)) return { kind: 'postgres', url: settings.log };
  return {
    kind: 'segments',
    folder: settings.log,
    segmentBytes: settings.segmentBytes,
    segmentMs: settings.segmentMs,
  };
}
