import type { FastifyInstance } from 'fastify';
import { instancesBody, nativeErrors, nativePredictResponse } from '../schemas.ts';

const CONSTANT = {
  model: { name: 'constant', version: 1 },
  predictions: [{ label: 'good', probabilities: { bad: 0.25, good: 0.75 } }],
  warnings: [],
};

/**
 * The benchmark's yardstick (only with --bench-routes): the same body parsing, validation and
 * response serialization as the native predict route, and a constant answer instead of a model.
 */
export async function benchRoutes(app: FastifyInstance): Promise<void> {
  app.post(
    '/bench/constant',
    {
      config: { errorShape: 'native' },
      schema: {
        hide: true,
        body: instancesBody,
        response: { 200: nativePredictResponse, ...nativeErrors },
      },
    },
    (_request, reply) => reply.send(CONSTANT),
  );
}
