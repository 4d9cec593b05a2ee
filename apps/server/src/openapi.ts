import swagger, { type StaticDocumentSpec } from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
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
    app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

    // swagger-ui (and @fastify/static, yaml, …) costs a tenth of the cold start and is only for
    // people reading docs: it is built on the first /docs request, in an app of its own.
    let docs: Promise<FastifyInstance> | undefined;
    app.addHook('onClose', async () => {
      await (await docs)?.close();
    });
    const serveDocs = async (request: FastifyRequest, reply: FastifyReply) => {
      docs ??= buildDocs(app);
      const answer = await (await docs).inject({ method: 'GET', url: request.url });
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined && !/^(content-length|connection|date|keep-alive)$/i.test(name)) {
          reply.header(name, value);
        }
      }
      return reply.code(answer.statusCode).send(answer.rawPayload);
    };
    app.get('/docs', { schema: { hide: true } }, serveDocs);
    app.get('/docs/*', { schema: { hide: true } }, serveDocs);
  },
  { name: 'tandem-openapi', fastify: '5.x' },
);

/** A separate app serving swagger-ui over the main app's generated document. */
async function buildDocs(app: FastifyInstance): Promise<FastifyInstance> {
  const { default: swaggerUi } = await import('@fastify/swagger-ui');
  const docs = Fastify({ logger: false });
  // The generated document is OpenAPI 3.0; the static-mode type wants the 3.0 / 2.0 shapes.
  const document = app.swagger() as StaticDocumentSpec['document'];
  await docs.register(swagger, { mode: 'static', specification: { document } });
  await docs.register(swaggerUi, { routePrefix: '/docs' });
  await docs.ready();
  return docs;
}
