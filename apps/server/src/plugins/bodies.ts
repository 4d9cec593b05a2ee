import { Transform } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ServerError } from '../errors.ts';

type Counted = Transform & { receivedEncodedLength: number };

const TF_VERB = /:(predict|classify|regress)(\?|$)/;
const FORM = 'application/x-www-form-urlencoded';

/**
 * Request bodies as clients send them: gzip or deflate (Content-Encoding; Triton's clients
 * offer both) inflated as they arrive, the body limit counting inflated bytes so that a small
 * bomb is a 413 and inflation stops there; and JSON with no Content-Type at all (Triton's
 * Python client in JSON mode) read as JSON. Any other content type is still a 415.
 */
export const bodiesPlugin = fp(
  async (app: FastifyInstance, options: { bodyLimit: number }) => {
    app.addHook('preParsing', async (request: FastifyRequest, _reply, payload) => {
      const encoding = request.headers['content-encoding']?.trim().toLowerCase();
      if (encoding === undefined || encoding === '' || encoding === 'identity') return payload;
      if (encoding !== 'gzip' && encoding !== 'deflate' && encoding !== 'x-gzip') {
        throw new ServerError(
          'TANDEM_MEDIA_TYPE_UNSUPPORTED',
          `Content-Encoding ${JSON.stringify(encoding)} is not supported; send gzip, deflate or none`,
        );
      }
      const inflate = encoding === 'deflate' ? createInflate() : createGunzip();
      let inflated = 0;
      const counted = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          inflated += chunk.length;
          // Past the limit fastify answers 413 on this chunk; stop inflating the rest.
          if (inflated > options.bodyLimit) {
            payload.unpipe(inflate);
            inflate.destroy();
          }
          callback(null, chunk);
        },
      }) as Counted;
      // fastify checks Content-Length against the bytes received, before inflation.
      counted.receivedEncodedLength = 0;
      payload.on('data', (chunk: Buffer) => {
        counted.receivedEncodedLength += chunk.length;
      });
      inflate.on('error', (error) => {
        counted.destroy(
          new ServerError(
            'TANDEM_REQUEST_INVALID',
            `the ${encoding} body cannot be inflated: ${error.message}`,
          ),
        );
      });
      payload.pipe(inflate).pipe(counted);
      return counted;
    });

    const json = app.getDefaultJsonParser('error', 'error');
    app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
      if (request.headers['content-type'] === undefined) return json(request, String(body), done);
      // TF Serving reads its verbs' bodies as JSON whatever the type; its documented examples
      // (`curl -d '{"instances": …}'`) send application/x-www-form-urlencoded.
      if (TF_VERB.test(request.url) && request.headers['content-type'].startsWith(FORM)) {
        return json(request, String(body), done);
      }
      done(
        new ServerError(
          'TANDEM_MEDIA_TYPE_UNSUPPORTED',
          'send application/json, text/csv or application/x-ndjson',
        ),
        undefined,
      );
    });
  },
  { name: 'tandem-bodies', fastify: '5.x' },
);
