import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ServerConfig } from '../config.ts';
import { ServerError } from '../errors.ts';
import { type ApiKey, allows, findKey } from '../security/api-keys.ts';
import { RateLimiter } from '../security/rate-limit.ts';

/** Routes every caller may use: probes, the API's own description and the console's static files. */
const OPEN =
  /^\/(|console\/.*|healthz|readyz|v2|v2\/health\/(live|ready)|docs(\/.*)?|openapi\.json)$/;

/** What a route needs: nothing (open), any valid key, or a scope. */
function scopeOf(request: FastifyRequest): string | undefined | null {
  const url = request.routeOptions.url;
  if (url === undefined || OPEN.test(url)) return null;
  if (url === '/metrics') return 'metrics';
  const params = request.params as { name?: string; target?: string };
  if (typeof params.name === 'string') return `predict:${params.name}`;
  if (typeof params.target === 'string') {
    const at = params.target.lastIndexOf(':');
    return `predict:${at > 0 ? params.target.slice(0, at) : params.target}`;
  }
  return undefined;
}

/** `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
function presentedKey(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (typeof auth === 'string' && /^bearer /i.test(auth)) return auth.slice(7).trim();
  const header = request.headers['x-api-key'];
  return typeof header === 'string' ? header.trim() : undefined;
}

/** An incoming x-request-id worth keeping: short, printable, no spaces. */
export function requestIdOf(raw: { headers: Record<string, unknown> }): string {
  const sent = raw.headers['x-request-id'];
  return typeof sent === 'string' && /^[\w.:-]{1,128}$/.test(sent) ? sent : randomUUID();
}

function cors(request: FastifyRequest, reply: FastifyReply, origins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origins.length === 0 || typeof origin !== 'string') return false;
  if (!origins.includes('*') && !origins.includes(origin)) return false;
  reply.header('access-control-allow-origin', origins.includes('*') ? '*' : origin);
  reply.header('vary', 'Origin');
  reply.header('access-control-expose-headers', 'x-request-id, x-tandem-model, x-tandem-version');
  return true;
}

/**
 * The door: request ids, CORS (off unless origins are configured), API keys with scopes (off
 * unless a keys file is configured: 401 without a valid key, 403 without the scope), and a rate
 * limit per key or client address (429 with Retry-After). Keys are never logged.
 */
export const securityPlugin = fp(
  async (app: FastifyInstance, options: { config: ServerConfig; keys: readonly ApiKey[] }) => {
    const { config, keys } = options;
    const limiter =
      config.rateLimit > 0 ? new RateLimiter(config.rateLimit, config.rateBurst) : undefined;
    app.addHook('onSend', (request, reply, _payload, done) => {
      reply.header('x-request-id', request.id);
      done();
    });
    app.addHook('onRequest', (request, reply, done) => {
      const allowed = cors(request, reply, config.corsOrigins);
      if (allowed && request.method === 'OPTIONS') {
        reply
          .code(204)
          .header('access-control-allow-methods', 'GET, HEAD, POST')
          .header(
            'access-control-allow-headers',
            'authorization, content-type, content-encoding, x-api-key, x-request-id, inference-header-content-length',
          )
          .header('access-control-max-age', '600')
          .send();
        return;
      }
      const scope = scopeOf(request);
      let caller = request.ip;
      if (keys.length > 0 && scope !== null) {
        const presented = presentedKey(request);
        const key = presented === undefined ? undefined : findKey(keys, presented);
        if (key === undefined) {
          reply.header('www-authenticate', 'Bearer');
          return done(
            new ServerError(
              'TANDEM_AUTH_REQUIRED',
              presented === undefined
                ? 'send an API key: Authorization: Bearer <key>'
                : 'the API key is not valid',
            ),
          );
        }
        if (scope !== undefined && !allows(key, scope)) {
          return done(
            new ServerError('TANDEM_AUTH_FORBIDDEN', `the API key lacks the scope ${scope}`),
          );
        }
        caller = `key:${key.id}`;
      }
      if (limiter !== undefined && scope !== null) {
        const wait = limiter.take(caller);
        if (wait > 0) {
          reply.header('retry-after', String(wait));
          return done(
            new ServerError(
              'TANDEM_RATE_LIMITED',
              `over ${config.rateLimit} requests per second; retry in ${wait} s`,
            ),
          );
        }
      }
      done();
    });
  },
  { name: 'tandem-security', fastify: '5.x' },
);
