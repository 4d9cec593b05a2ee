import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ServerError, toServerError } from '../errors.ts';
import { nativeErrorSchema, protocolErrorSchema } from '../schemas.ts';

/** Protocol paths when no route matched: /v2/…, /tfserving/…, and TF Serving's `…:verb`. */
function shapeForUrl(url: string): 'native' | 'protocol' {
  const path = url.split('?', 1)[0] ?? '';
  if (path.startsWith('/v2') || path.startsWith('/tfserving/')) return 'protocol';
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last.includes(':') || last.includes('%3A') || last.includes('%3a') ? 'protocol' : 'native';
}

function answer(request: FastifyRequest, reply: FastifyReply, error: ServerError): FastifyReply {
  const shape = request.routeOptions.config?.errorShape ?? shapeForUrl(request.url);
  if (error.statusCode === 503) reply.header('retry-after', '1');
  reply.code(error.statusCode);
  if (shape === 'protocol') return reply.send({ error: error.message });
  return reply.send({
    error: { code: error.code, message: error.message, details: error.details },
  });
}

/**
 * The one place where errors become HTTP answers: every thrown value goes through the code table,
 * so a client's mistake is a 4xx with an actionable message and anything unexpected is a logged
 * 500 that never takes the process down.
 */
export const errorPlugin = fp(
  async (app: FastifyInstance) => {
    app.addSchema(nativeErrorSchema);
    app.addSchema(protocolErrorSchema);
    app.setErrorHandler((error, request, reply) => {
      const served = toServerError(error);
      if (served.statusCode >= 500) {
        request.log.error({ err: error, url: request.url }, 'request failed');
      } else {
        request.log.debug({ code: served.code, url: request.url }, served.message);
      }
      return answer(request, reply, served);
    });
    app.setNotFoundHandler((request, reply) =>
      answer(
        request,
        reply,
        new ServerError('TANDEM_ROUTE_NOT_FOUND', `no route ${request.method} ${request.url}`),
      ),
    );
  },
  { name: 'tandem-errors', fastify: '5.x' },
);
