import type { FastifyInstance } from 'fastify';

const readySchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ready', 'not_ready'] },
    models: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, version: { type: 'integer' } },
      },
    },
    notReady: {
      type: 'array',
      items: {
        type: 'object',
        properties: { model: { type: 'string' }, reason: { type: 'string' } },
      },
    },
  },
  required: ['status'],
} as const;

/** Liveness, readiness and Prometheus metrics for operators and orchestrators. */
export async function opsRoutes(app: FastifyInstance): Promise<void> {
  const { registry, metrics, lifecycle } = app.tandem;
  const config = { errorShape: 'native' as const };
  const tags = ['operations'];

  app.get(
    '/healthz',
    {
      config,
      exposeHeadRoute: true,
      schema: {
        tags,
        summary: 'Live: the process answers',
        response: { 200: { type: 'object', properties: { status: { type: 'string' } } } },
      },
    },
    () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config,
      exposeHeadRoute: true,
      schema: {
        tags,
        summary:
          'Ready once at least one model (or every --require-models model) can answer; 503 before, and at once on SIGTERM',
        response: { 200: readySchema, 503: readySchema },
      },
    },
    (_request, reply) => {
      const models = registry
        .models()
        .filter((m) => m.defaultVersion !== undefined)
        .map((m) => ({ name: m.name, version: m.defaultVersion }));
      const notReady = registry.notReady();
      if (lifecycle.draining) {
        notReady.unshift({ model: '*', reason: 'shutting down' });
        return reply.code(503).send({ status: 'not_ready', models, notReady });
      }
      if (registry.isReady) {
        return reply.send({ status: 'ready', models, ...(notReady.length ? { notReady } : {}) });
      }
      return reply.code(503).send({ status: 'not_ready', models, notReady });
    },
  );

  app.get<{ Querystring: { scope?: 'cluster' | 'process' } }>(
    '/metrics',
    {
      config,
      schema: {
        tags,
        summary: 'Prometheus metrics',
        description:
          'With --workers N: every worker aggregated (scope=cluster, the default), or the answering process alone (scope=process).',
        querystring: {
          type: 'object',
          properties: { scope: { type: 'string', enum: ['cluster', 'process'] } },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const text = await metrics.text(request.query.scope);
      return reply.type(metrics.contentType).send(text);
    },
  );
}
