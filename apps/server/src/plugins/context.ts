import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ServerConfig } from '../config.ts';
import type { DataPlane } from '../dataplane.ts';
import type { Lifecycle } from '../lifecycle.ts';
import type { ServerMetrics } from '../metrics/metrics.ts';
import type { ModelRegistry } from '../registry/registry.ts';
import type { Admission } from './admission.ts';

/** What every route needs: the frozen config, the model registry, the metrics, the data plane. */
export interface Tandem {
  readonly config: ServerConfig;
  readonly registry: ModelRegistry;
  readonly metrics: ServerMetrics;
  /** select → lease → predict → answer, for every predict route. */
  readonly dataplane: DataPlane;
  /** Draining after SIGTERM: not ready, answers ask clients to close their connection. */
  readonly lifecycle: Lifecycle;
  /** Budgets of requests and cells in flight. */
  readonly admission: Admission;
}

declare module 'fastify' {
  interface FastifyInstance {
    tandem: Tandem;
  }
  interface FastifyRequest {
    /** The model and version that answered, for the request metrics ('' when none). */
    servedModel: string;
    servedVersion: string;
  }
  interface FastifyContextConfig {
    /** Which error body a route answers with: native coded errors or the protocol's string. */
    errorShape?: 'native' | 'protocol';
  }
}

/**
 * Decorates the instance with the shared context, records every response in the metrics, and
 * closes the registry (stops polling, disposes models) with the app.
 */
export const contextPlugin = fp(
  async (app: FastifyInstance, tandem: Tandem) => {
    app.decorate('tandem', tandem);
    app.decorateRequest('servedModel', '');
    app.decorateRequest('servedVersion', '');
    app.addHook('onSend', (request, reply, _payload, done) => {
      // While draining, every answer closes its connection so no keep-alive socket is left idle
      // (and reset) when the listener closes.
      if (tandem.lifecycle.draining && request.raw.httpVersionMajor === 1) {
        reply.header('connection', 'close');
      }
      // Every answer from a model names the version that answered, on every protocol.
      if (request.servedModel !== '') {
        reply.header('x-tandem-model', request.servedModel);
        reply.header('x-tandem-version', request.servedVersion);
      }
      done();
    });
    app.addHook('onResponse', (request, reply, done) => {
      tandem.metrics.request(
        request.routeOptions.url ?? 'unmatched',
        request.method,
        reply.statusCode,
        request.servedModel,
        request.servedVersion,
        reply.elapsedTime / 1000,
      );
      done();
    });
    app.addHook('onClose', async () => {
      await tandem.registry.close();
    });
  },
  { name: 'tandem-context', fastify: '5.x' },
);
