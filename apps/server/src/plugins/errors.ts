import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
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

/** One coded error as the route's answer: Tandem's envelope, or the protocol's `{error}`. */
export function answer(
  request: FastifyRequest,
  reply: FastifyReply,
  error: ServerError,
): FastifyReply {
  const shape = request.routeOptions?.config?.errorShape ?? shapeForUrl(request.url);
  if ((error.statusCode === 503 || error.statusCode === 429) && !reply.hasHeader('retry-after')) {
    reply.header('retry-after', '1');
  }
  reply.code(error.statusCode);
  // The protocols' envelope is {error: string}: there the code travels in a header.
  reply.header('x-tandem-error-code', error.code);
  if (shape === 'protocol') return reply.send({ error: error.message });
  return reply.send({
    error: { code: error.code, message: error.message, details: error.details },
  });
}

/**
 * fastify's own answers for URLs it cannot route (a bad percent-encoding, a path segment over
 * maxParamLength), in Tandem's envelope instead of fastify's.
 */
export function frameworkError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  const code = (error as { code?: unknown }).code;
  const served =
    code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new ServerError('TANDEM_URL_TOO_LONG')
      : code === 'FST_ERR_BAD_URL'
        ? new ServerError('TANDEM_REQUEST_INVALID', 'the URL is not valid percent-encoding')
        : toServerError(error);
  answer(request, reply, served);
}

const CLIENT_ERRORS: Readonly<Record<string, ServerError>> = {
  ERR_HTTP_REQUEST_TIMEOUT: new ServerError('TANDEM_REQUEST_TIMEOUT'),
  HPE_HEADER_OVERFLOW: new ServerError('TANDEM_HEADERS_TOO_LARGE'),
};

/**
 * Errors Node's HTTP parser raises before any route sees the request (timeouts, oversized
 * headers, malformed HTTP): answered on the raw socket in Tandem's envelope, then closed.
 */
export function clientErrorAnswer(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const served =
    CLIENT_ERRORS[error.code ?? ''] ??
    new ServerError('TANDEM_REQUEST_INVALID', 'malformed HTTP request');
  const body = JSON.stringify({
    error: { code: served.code, message: served.message, details: [] },
  });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${served.statusCode} ${STATUS_CODES[served.statusCode]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
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
