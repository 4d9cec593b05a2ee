import type { FastifyInstance } from 'fastify';
import { ServerError } from '../errors.ts';
import { nativeErrors } from '../schemas.ts';
import { selectorOf } from './selectors.ts';

const REPORT = 'report.html';

/**
 * GET /v1/models/:name/versions/:version/report: the version's training report, the HTML file
 * the trainer wrote, read through the model store (a folder or S3), which checks every file
 * against the sha256 its manifest lists.
 */
export async function reportRoutes(app: FastifyInstance): Promise<void> {
  const { registry } = app.tandem;
  app.get<{ Params: { name: string; version: string } }>(
    '/v1/models/:name/versions/:version/report',
    {
      config: { errorShape: 'native' },
      schema: {
        tags: ['native'],
        summary: "The version's training report: one self-contained HTML page",
        params: {
          type: 'object',
          properties: { name: { type: 'string' }, version: { type: 'string' } },
          required: ['name', 'version'],
        },
        response: nativeErrors,
      },
    },
    async (request, reply) => {
      const served = registry.select(request.params.name, selectorOf(request.params));
      const sha256 = served.manifest.files[REPORT];
      if (sha256 === undefined) {
        throw new ServerError(
          'TANDEM_REPORT_NOT_FOUND',
          `${served.name} version ${served.version} has no training report (trained before reports were written): retrain to get one`,
        );
      }
      // Read through the store, which verifies every file: a folder and S3 alike.
      const bytes = await registry.versionFile(served, REPORT);
      if (bytes === undefined) {
        throw new ServerError(
          'TANDEM_REPORT_NOT_FOUND',
          `${served.name} version ${served.version}: ${REPORT} is missing or does not match its manifest sha256`,
        );
      }
      return reply.type('text/html; charset=utf-8').send(Buffer.from(bytes));
    },
  );
}
