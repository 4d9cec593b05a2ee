import type { RawRow } from '@tandem/features';
import { predictionColumns } from '@tandem/runtime';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type * as CsvCodec from '../codecs/csv.ts';
import { parseNdjson } from '../codecs/tabular.ts';
import type { Outcome, PredictRequest } from '../dataplane.ts';
import { ServerError } from '../errors.ts';
import type { ModelState, VersionSelector } from '../registry/registry.ts';
import type { ServedVersion } from '../registry/served-version.ts';
import {
  instancesBody,
  modelListResponse,
  nativeErrors,
  nativePredictResponse,
  rowBodies,
  selectorParams,
  versionMetadataResponse,
} from '../schemas.ts';
import { SELECTOR_PATHS, selectorOf } from './selectors.ts';

interface SelectorParams {
  name: string;
  version?: string;
  label?: string;
}

const CSV = 'text/csv';

/** The CSV codec loads with the first CSV request, not at start. */
let csvCodec: Promise<typeof CsvCodec> | undefined;
const loadCsv = () => (csvCodec ??= import('../codecs/csv.ts'));
const NDJSON = 'application/x-ndjson';

function versionMetadata(model: ModelState, served: ServedVersion) {
  const m = served.manifest;
  const labels = Object.entries(model.labels)
    .filter(([, v]) => v === served.version)
    .map(([label]) => label)
    .sort();
  return {
    name: served.name,
    version: served.version,
    status: 'available' as const,
    default: model.defaultVersion === served.version,
    labels,
    task: m.task,
    target: m.target,
    createdAt: m.createdAt,
    loadedAt: served.loadedAt,
    inputs: m.inputs,
    outputs: m.outputs,
    metrics: m.metrics,
    runtime: { engine: served.predictor.engine, backend: served.backend },
  };
}

function modelSummary(model: ModelState) {
  const anyServed = model.served.values().next().value;
  return {
    name: model.name,
    ...(anyServed === undefined ? {} : { task: anyServed.manifest.task }),
    defaultVersion: model.defaultVersion ?? null,
    ...(model.unavailable === undefined ? {} : { unavailable: model.unavailable }),
    labels: model.labels,
    versions: model.versions.map((version) => {
      const served = model.served.get(version);
      if (served !== undefined) {
        return { version, status: 'available', createdAt: served.manifest.createdAt };
      }
      // Clients get the failure's code; its reason (paths, file contents) stays in the logs.
      const failed = model.failed.get(version);
      if (failed !== undefined) return { version, status: 'failed', reason: failed.code };
      return { version, status: model.kept.has(version) ? 'pending' : 'unloaded' };
    }),
  };
}

/**
 * The native API: model listing and metadata, and predictions from JSON instances, CSV (answered
 * as CSV with prediction columns appended) or NDJSON (answered line for line).
 */
export async function nativeRoutes(app: FastifyInstance): Promise<void> {
  const { registry, dataplane, config, admission } = app.tandem;
  const routeConfig = { errorShape: 'native' as const };

  // Bulk bodies arrive as text and are parsed by the route, so row limits give clear errors.
  app.addContentTypeParser(CSV, { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser(NDJSON, { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.get(
    '/v1/models',
    {
      config: routeConfig,
      schema: {
        tags: ['native'],
        summary: 'Every model with its versions, labels, default version and task',
        response: { 200: modelListResponse, ...nativeErrors },
      },
    },
    () => ({ models: registry.models().map(modelSummary) }),
  );

  for (const suffix of SELECTOR_PATHS) {
    app.get<{ Params: SelectorParams }>(
      `/v1/models/:name${suffix}`,
      {
        config: routeConfig,
        schema: {
          tags: ['native'],
          summary: 'Status and metadata of a model version: input schema, outputs, metrics',
          params: selectorParams(suffix),
          response: { 200: versionMetadataResponse, ...nativeErrors },
        },
      },
      (request) => {
        const model = registry.model(request.params.name);
        const served = registry.select(request.params.name, selectorOf(request.params));
        return versionMetadata(model, served);
      },
    );

    app.post<{
      Params: SelectorParams;
      Body: { instances: RawRow[] } | string;
      Querystring: { echo?: string };
    }>(
      `/v1/models/:name${suffix}/predict`,
      {
        config: routeConfig,
        schema: {
          tags: ['native'],
          summary: 'Predict rows: JSON instances, CSV (header row) or NDJSON',
          description: `1 to ${config.maxRows} rows per request.`,
          params: selectorParams(suffix),
          querystring: {
            type: 'object',
            properties: {
              echo: {
                type: 'string',
                enum: ['true', 'false'],
                description: 'CSV answers: false leaves the input columns out (default true)',
              },
            },
          },
          body: rowBodies(instancesBody),
          response: { 200: nativePredictResponse, ...nativeErrors },
        },
      },
      (request, reply) =>
        request.mediaType === CSV ? predictCsv(request, reply) : predict(request, reply),
    );
  }

  function predict(
    request: FastifyRequest<{ Params: SelectorParams; Body: { instances: RawRow[] } | string }>,
    reply: FastifyReply,
  ): FastifyReply {
    const body = request.body;
    if (typeof body !== 'string') {
      return dataplane.predict(request, new InstancesJob(request, reply, body, config.maxRows));
    }
    const target = { name: request.params.name, selector: selectorOf(request.params) };
    return dataplane.predict(request, {
      ...target,
      decode: () => parseNdjson(body, config.maxRows),
      encode: (outcome, served) => {
        const warningsByRow = new Map<number, { column: string; kind: string }[]>();
        for (const w of outcome.warnings) {
          const list = warningsByRow.get(w.row) ?? [];
          list.push({ column: w.column, kind: w.kind });
          warningsByRow.set(w.row, list);
        }
        const lines = outcome.predictions.map((p, row) => {
          const warnings = warningsByRow.get(row);
          return JSON.stringify(warnings === undefined ? p : { ...p, warnings });
        });
        return reply
          .header('x-tandem-model', served.name)
          .header('x-tandem-version', served.version)
          .type('application/x-ndjson')
          .send(`${lines.join('\n')}\n`);
      },
    });
  }

  async function predictCsv(
    request: FastifyRequest<{
      Params: SelectorParams;
      Body: { instances: RawRow[] } | string;
      Querystring: { echo?: string };
    }>,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    const codec = await loadCsv();
    const echo = request.query.echo !== 'false';
    let releaseCells = () => {};
    try {
      // Parsed before the version is selected and leased: parsing yields to the event loop.
      const table = await codec.parseCsvYielding(String(request.body), {
        maxRows: config.maxRows,
        maxCells: config.maxCells,
        reserve: (cells) => {
          releaseCells = admission.holdCells(cells);
        },
      });
      const answer = dataplane.predict(request, {
        name: request.params.name,
        selector: selectorOf(request.params),
        decode: (served) => {
          const taken = predictionColumns(served.predictor.classes);
          const clash = table.columns.find((c) => taken.includes(c));
          if (clash !== undefined) {
            throw new ServerError(
              'TANDEM_REQUEST_INVALID',
              `CSV column "${clash}" has the name of a prediction column; rename it`,
            );
          }
          // After the clash check: the clash is the more specific mistake, as in batch scoring.
          codec.checkCsvColumns(
            table,
            served.predictor.inputSchema.map((column) => column.name),
          );
          return table.rows;
        },
        encode: (outcome, served) => ({ outcome, served }),
      });
      const { outcome, served } = answer;
      const { classes, outputs } = outcome;
      const csv = await codec.writeCsvYielding(
        table,
        predictionColumns(classes),
        (row) => {
          const p = outcome.predictions[row];
          if (p === undefined || !('label' in p) || classes === undefined) {
            return [outputs[row] ?? ''];
          }
          const width = classes.length;
          return [p.label, ...Array.from(outputs.subarray(row * width, (row + 1) * width))];
        },
        echo,
      );
      return reply
        .header('x-tandem-model', served.name)
        .header('x-tandem-version', served.version)
        .header('x-tandem-warnings', outcome.warnings.length)
        .type('text/csv; charset=utf-8')
        .send(csv);
    } finally {
      releaseCells();
    }
  }
}

/**
 * A JSON `instances` request as the data plane's job. A class, not an object of closures: the
 * busiest route then allocates one object per request, and tsx names no function.
 */
class InstancesJob implements PredictRequest<FastifyReply> {
  readonly name: string;
  readonly selector: VersionSelector;
  private readonly request: FastifyRequest;
  private readonly reply: FastifyReply;
  private readonly instances: RawRow[];
  private readonly maxRows: number;

  constructor(
    request: FastifyRequest<{ Params: SelectorParams }>,
    reply: FastifyReply,
    body: { instances: RawRow[] },
    maxRows: number,
  ) {
    this.name = request.params.name;
    this.selector = selectorOf(request.params);
    this.request = request;
    this.reply = reply;
    this.instances = body.instances;
    this.maxRows = maxRows;
  }

  decode(): readonly RawRow[] {
    if (this.instances.length > this.maxRows) {
      throw new ServerError(
        'TANDEM_REQUEST_TOO_MANY_ROWS',
        `${this.instances.length} rows in one request; the limit is ${this.maxRows}`,
      );
    }
    return this.instances;
  }

  encode(outcome: Outcome): FastifyReply {
    return this.reply.send({
      id: this.request.predictionId,
      model: { name: outcome.name, version: outcome.version },
      predictions: outcome.predictions,
      warnings: outcome.warnings,
    });
  }
}
