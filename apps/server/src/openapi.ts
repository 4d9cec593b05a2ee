import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * The OpenAPI document (/openapi.json), generated from the same route schemas that validate and
 * serialize, and interactive docs at /docs. Registered before the routes so it sees them all.
 */
export const openapiPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'Tandem inference API',
          description:
            'Native, TensorFlow Serving and Open Inference Protocol (KServe V2) routes over the same models. TF Serving model status lives under /tfserving/v1/models/{name} so it does not shadow the native metadata route.',
          version: '0.1.0',
        },
        tags: [
          { name: 'native', description: 'Native API' },
          { name: 'tensorflow-serving', description: 'TensorFlow Serving REST API' },
          { name: 'open-inference-protocol', description: 'KServe V2 / Open Inference Protocol' },
          { name: 'operations', description: 'Health, readiness, metrics' },
        ],
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
    app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  },
  { name: 'tandem-openapi', fastify: '5.x' },
);
