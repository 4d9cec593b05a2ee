import { initBackend } from '@tandem/runtime';
import type { FastifyInstance } from 'fastify';
import { type AppOptions, buildApp } from './app.ts';
import type { ReloadSummary } from './registry/registry.ts';

export interface RunningServer {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:3000 */
  url: string;
  /** What the first load did. */
  loaded: ReloadSummary;
}

/**
 * Builds the app, listens, then selects the tfjs backend and loads every model. Listening first
 * lets /healthz answer and /readyz report 503 while models load. A cluster worker loads first
 * (`listenFirst: false`): the primary hands connections to any worker that listens, so a worker
 * only listens once it can answer.
 */
export async function startServer(
  options: AppOptions & { listenFirst?: boolean },
): Promise<RunningServer> {
  const { config } = options;
  const app = await buildApp(options);
  const listen = () => app.listen({ port: config.port, host: config.host });
  try {
    const early = options.listenFirst === false ? undefined : await listen();
    const backend = await initBackend({
      ...(config.backend === undefined ? {} : { preferred: config.backend }),
      log: (line) => app.log.info(line),
    });
    app.log.info({ backend, artifacts: config.artifacts }, `tfjs backend ready`);
    const loaded = await app.tandem.registry.start();
    const url = early ?? (await listen());
    if (!isLoopback(config.host) && config.apiKeys === '') {
      app.log.warn(
        { host: config.host },
        `SERVING ${config.host} WITHOUT API KEYS: anyone who can reach this address can call every model. Set --api-keys (docs/security.md), or bind 127.0.0.1 behind a proxy that authenticates.`,
      );
    }
    const models = app.tandem.registry.models();
    if (models.length === 0) {
      app.log.warn(
        { artifacts: config.artifacts },
        `no model found in ${config.artifacts}; not ready`,
      );
    }
    app.log.info(
      {
        artifacts: config.artifacts,
        models: models.map((m) => ({
          name: m.name,
          defaultVersion: m.defaultVersion ?? null,
          served: [...m.served.keys()],
          failed: [...m.failed.keys()],
          labels: m.labels,
        })),
      },
      `serving ${models.length} model(s) from ${config.artifacts} at ${url}`,
    );
    return { app, url, loaded };
  } catch (error) {
    await app.close();
    throw error;
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
