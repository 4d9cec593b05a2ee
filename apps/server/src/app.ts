import cluster from 'node:cluster';
import { tf } from '@tandem/runtime';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { ServerConfig } from './config.ts';
import { consoleRoutes } from './console/plugin.ts';
import { DataPlane } from './dataplane.ts';
import { Lifecycle } from './lifecycle.ts';
import { clusterMetricsSource } from './metrics/cluster-metrics.ts';
import { ServerMetrics } from './metrics/metrics.ts';
import { monitoringPlugin } from './monitoring/plugin.ts';
import { openapiPlugin } from './openapi.ts';
import { Admission, admissionPlugin } from './plugins/admission.ts';
import { bodiesPlugin } from './plugins/bodies.ts';
import { contextPlugin } from './plugins/context.ts';
import { clientErrorAnswer, errorPlugin, frameworkError } from './plugins/errors.ts';
import { requestIdOf, securityPlugin } from './plugins/security.ts';
import { ModelRegistry } from './registry/registry.ts';
import { benchRoutes } from './routes/bench.ts';
import { explainRoutes } from './routes/explain.ts';
import { nativeRoutes } from './routes/native.ts';
import { opsRoutes } from './routes/ops.ts';
import { reportRoutes } from './routes/report.ts';
import { tfservingRoutes } from './routes/tfserving.ts';
import { v2Routes } from './routes/v2.ts';
import { readApiKeys } from './security/api-keys.ts';

export interface AppOptions {
  config: ServerConfig;
  /** Pino options, or false for silence (tests). Default: JSON logs at config.logLevel. */
  logger?: boolean | { level: string };
  /** Process metrics (CPU, memory, event loop); off in tests that build many apps. */
  defaultMetrics?: boolean;
}

/**
 * Builds the app without listening: tests inject or listen on port 0, main.ts listens on the
 * configured port. Models are loaded by `app.tandem.registry.start()`, after listening, so
 * /healthz answers and /readyz says 503 while they load.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const verbose = config.logLevel === 'debug' || config.logLevel === 'trace';
  const app = Fastify({
    // Keys never reach the logs, whatever a serializer or a debug line prints.
    logger: options.logger ?? {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers["x-api-key"]'],
    },
    // x-request-id: kept when the client sends a sane one, else generated; echoed on answers.
    genReqId: (raw) => requestIdOf(raw),
    bodyLimit: config.bodyLimit,
    // Per-request log lines cost more than a 1-row prediction; metrics count requests instead.
    logController: new LogController({ disableRequestLogging: !verbose }),
    // Requests that still arrive while closing are answered (with Connection: close), not 503:
    // the drain delay has taken the server out of rotation already (see run.ts).
    return503OnClosing: false,
    frameworkErrors: frameworkError,
    clientErrorHandler: clientErrorAnswer,
    // Slow or silent clients cannot hold sockets: whole request, headers, keep-alive and idle
    // sockets each have a deadline (docs in README.md, "Timeouts and limits").
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    connectionTimeout: config.idleTimeoutMs,
    forceCloseConnections: 'idle',
    // Node checks request and header deadlines on this interval (30 s by default).
    http: { headersTimeout: config.headersTimeoutMs, connectionsCheckingInterval: 1_000 },
    // HEAD twins of every GET route would double schema compilation at start, for no client.
    exposeHeadRoutes: false,
  });
  app.server.maxConnections = config.maxConnections;
  // Only JSON, CSV and NDJSON are spoken; any other body is a 415, not a string the routes see.
  app.removeContentTypeParser('text/plain');
  const metrics = new ServerMetrics({
    tensorCount: () => tf.memory().numTensors,
    defaultMetrics: options.defaultMetrics ?? true,
    worker: String(cluster.worker?.id ?? 0),
    ...(cluster.isWorker ? { cluster: clusterMetricsSource } : {}),
  });
  const registry = new ModelRegistry({
    artifacts: config.artifacts,
    reloadIntervalMs: config.reloadIntervalMs,
    engine: config.engine,
    loadTimeoutMs: config.loadTimeoutMs,
    keepLatest: config.keepLatest,
    requireModels: config.requireModels,
    log: app.log,
    metrics,
  });
  const dataplane = new DataPlane(registry, metrics, config.maxCells);
  const admission = new Admission(config);
  await app.register(contextPlugin, {
    config,
    registry,
    metrics,
    dataplane,
    lifecycle: new Lifecycle(),
    admission,
  });
  await app.register(errorPlugin);
  await app.register(monitoringPlugin);
  await app.register(securityPlugin, {
    config,
    keys: config.apiKeys === '' ? [] : readApiKeys(config.apiKeys),
  });
  await app.register(admissionPlugin, { admission });
  await app.register(bodiesPlugin, { bodyLimit: config.bodyLimit });
  await app.register(openapiPlugin);
  await app.register(opsRoutes);
  await app.register(nativeRoutes);
  await app.register(tfservingRoutes, { status: false });
  await app.register(tfservingRoutes, { prefix: '/tfserving', status: true });
  await app.register(v2Routes);
  await app.register(explainRoutes);
  await app.register(reportRoutes);
  await app.register(consoleRoutes);
  if (config.benchRoutes) await app.register(benchRoutes);
  return app;
}
