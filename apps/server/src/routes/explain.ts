import { FeatureInputError, type RawRow } from '@tandem/features';
import {
  type ClassSelection,
  Explainer,
  type Explanation,
  type ExplanationBatch,
  topContributions,
} from '@tandem/runtime';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseNdjson } from '../codecs/tabular.ts';
import { tensorsToRows, type V2Tensor } from '../codecs/v2.ts';
import { withGuardedRows } from '../dataplane.ts';
import { ServerError } from '../errors.ts';
import type { VersionSelector } from '../registry/registry.ts';
import type { ServedVersion } from '../registry/served-version.ts';
import {
  nativeErrors,
  nativeExplainBody,
  nativeExplainResponse,
  protocolErrors,
  rowBodies,
  selectorParams,
  v2ExplainBody,
  v2ExplainResponse,
} from '../schemas.ts';
import { SELECTOR_PATHS, selectorOf } from './selectors.ts';

/**
 * Explanations: per raw input column, why a row got its output (docs/explanations.md). The same
 * bodies and selectors as predict, the same input guards and the same coded errors: a row predict
 * refuses is refused here with the same 400. Native `POST /v1/models/:name/explain`, KServe V1's
 * `:explain` verb (routed here by the TF Serving plugin, which owns `/v1/models/:target`), and the
 * Open Inference Protocol extension `POST /v2/models/:name/explain`.
 */

const CSV = 'text/csv';
const NDJSON = 'application/x-ndjson';

interface SelectorParams {
  name: string;
  version?: string;
  label?: string;
}

/** What a caller asks besides the rows. */
export interface ExplainAsk {
  classes?: ClassSelection;
  top?: number;
}

/** The answer's explanations, flat and row-major, each cut to the top K columns when asked. */
export function flatExplanations(batch: ExplanationBatch, top: number | undefined): Explanation[] {
  const list = batch.explanations.flat();
  if (top === undefined) return list;
  return list.map((explanation) => ({
    ...explanation,
    contributions: Object.fromEntries(
      topContributions(explanation, top).map(({ column, value }) => [column, value]),
    ),
  }));
}

function parseAskQuery(query: { classes?: string; top?: string }): ExplainAsk {
  const ask: ExplainAsk = {};
  if (query.classes !== undefined) {
    ask.classes = query.classes === 'all' ? 'all' : query.classes.split(',');
  }
  if (query.top !== undefined) ask.top = Number(query.top);
  return ask;
}

/**
 * The explain data path, the predict one's twin: select → lease → decode → cell limit → input
 * guards → explain with the predictor's own pipeline; invalid rows are refused together with
 * their details, exactly as predict refuses them.
 */
export function explainRows<T>(
  app: FastifyInstance,
  request: FastifyRequest,
  job: {
    name: string;
    selector: VersionSelector;
    decode: (served: ServedVersion) => readonly RawRow[];
    ask: ExplainAsk;
    encode: (batch: ExplanationBatch, served: ServedVersion) => T;
  },
): T {
  const { registry, metrics, config } = app.tandem;
  return withGuardedRows(request, registry, config.maxCells, job, (served, rows) => {
    const batch = Explainer.of(served.predictor).explainBatch(rows, {
      errors: 'collect',
      ...(job.ask.classes !== undefined ? { classes: job.ask.classes } : {}),
    });
    if (batch.errors.length > 0) {
      metrics.rowsRejected(served.name, batch.rejected.length);
      throw new FeatureInputError(batch.errors, { rows: batch.rejected.length });
    }
    const notFinite = batch.explanations.findIndex((list) =>
      list.some((e) => !Number.isFinite(e.output) || !Number.isFinite(e.baseValue)),
    );
    if (notFinite >= 0) {
      throw new ServerError(
        'TANDEM_PREDICTION_NOT_FINITE',
        `the model's output for row ${notFinite} is not a finite number; check that row's values`,
        [{ row: notFinite }],
      );
    }
    return job.encode(batch, served);
  });
}

/** KServe V1 `POST /v1/models/{name}:explain` (the default version), instances as on :predict. */
export function kserveExplain(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  name: string,
  body: { instances?: unknown[]; classes?: unknown; top?: unknown },
): FastifyReply {
  const ask = checkAsk(body.classes, body.top);
  return explainRows(app, request, {
    name,
    selector: {},
    ask,
    decode: () => {
      const instances = body.instances;
      if (!Array.isArray(instances) || instances.length === 0) {
        throw new ServerError(
          'TANDEM_REQUEST_INVALID',
          'instances: expected a non-empty array of rows',
        );
      }
      return checkedRows(instances, app.tandem.config.maxRows);
    },
    // Sent as text: the TF Serving route's response schema would strip the explanation fields.
    encode: (batch, served) =>
      reply.type('application/json; charset=utf-8').send(
        JSON.stringify({
          model: { name: served.name, version: served.version },
          method: batch.method,
          space: batch.space,
          explanations: flatExplanations(batch, ask.top),
        }),
      ),
  });
}

function checkedRows(instances: readonly unknown[], maxRows: number): RawRow[] {
  if (instances.length > maxRows) {
    throw new ServerError(
      'TANDEM_REQUEST_TOO_MANY_ROWS',
      `${instances.length} rows in one request; the limit is ${maxRows}`,
    );
  }
  return instances.map((instance, i) => {
    if (typeof instance !== 'object' || instance === null || Array.isArray(instance)) {
      throw new ServerError(
        'TANDEM_REQUEST_INVALID',
        `instances[${i}] must be an object naming its columns`,
      );
    }
    return instance as RawRow;
  });
}

/** `classes` and `top` from a body that no schema checked (KServe V1, V2 parameters). */
function checkAsk(classes: unknown, top: unknown): ExplainAsk {
  const ask: ExplainAsk = {};
  if (classes !== undefined) {
    if (classes === 'all') ask.classes = 'all';
    else if (
      Array.isArray(classes) &&
      classes.length > 0 &&
      classes.every((c) => typeof c === 'string')
    ) {
      ask.classes = classes;
    } else {
      throw new ServerError(
        'TANDEM_REQUEST_INVALID',
        'classes: expected "all" or a non-empty list of class names',
      );
    }
  }
  if (top !== undefined) {
    if (!Number.isInteger(top) || (top as number) < 1) {
      throw new ServerError(
        'TANDEM_REQUEST_INVALID',
        `top: expected an integer >= 1, got ${JSON.stringify(top)}`,
      );
    }
    ask.top = top as number;
  }
  return ask;
}

export async function explainRoutes(app: FastifyInstance): Promise<void> {
  const { config } = app.tandem;
  app.addContentTypeParser(CSV, { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser(NDJSON, { parseAs: 'string' }, (_req, body, done) => done(null, body));

  for (const suffix of SELECTOR_PATHS) {
    const params = selectorParams(suffix);
    app.post<{
      Params: SelectorParams;
      Body: { instances: RawRow[]; classes?: ClassSelection; top?: number } | string;
      Querystring: { classes?: string; top?: string };
    }>(
      `/v1/models/:name${suffix}/explain`,
      {
        config: { errorShape: 'native' },
        schema: {
          tags: ['native'],
          summary:
            'Explain rows: a contribution per raw input column, baseValue + Σ contributions = output',
          description: `The bodies of predict (JSON instances, CSV with a header row, NDJSON), 1 to ${config.maxRows} rows; JSON bodies may carry classes and top, CSV and NDJSON bodies take them from the query (classes=all or a,b). Method, space and error bounds: docs/explanations.md.`,
          params,
          querystring: {
            type: 'object',
            properties: {
              classes: { type: 'string', description: '"all" or class names separated by commas' },
              top: { type: 'string', pattern: '^[1-9][0-9]*$' },
            },
          },
          body: rowBodies(nativeExplainBody),
          response: { 200: nativeExplainResponse, ...nativeErrors },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const ask = typeof body === 'string' ? parseAskQuery(request.query) : bodyAsk(body);
        const rows = typeof body === 'string' ? await textRows(request, body) : undefined;
        return explainRows(app, request, {
          name: request.params.name,
          selector: selectorOf(request.params),
          ask,
          decode: (served) => {
            if (rows !== undefined) return rows(served);
            const instances = (body as { instances: RawRow[] }).instances;
            return checkedRows(instances, config.maxRows);
          },
          encode: (batch, served) =>
            reply.send({
              model: { name: served.name, version: served.version },
              method: batch.method,
              space: batch.space,
              explanations: flatExplanations(batch, ask.top),
            }),
        });
      },
    );

    app.post<{
      Params: SelectorParams;
      Body: { id?: string; parameters?: { classes?: unknown; top?: unknown }; inputs: V2Tensor[] };
    }>(
      `/v2/models/:name${suffix}/explain`,
      {
        config: { errorShape: 'protocol' },
        schema: {
          tags: ['open-inference'],
          summary: 'Explain (Tandem extension "explain"): the infer request, explanations back',
          description:
            'The inputs of /infer (one tensor per column); parameters.classes and parameters.top as on the native route. Answers model_name, model_version, id and the native method, space and explanations.',
          params,
          body: v2ExplainBody,
          response: { 200: v2ExplainResponse, ...protocolErrors },
        },
      },
      (request, reply) => {
        const body = request.body;
        const ask = checkAsk(body.parameters?.classes, body.parameters?.top);
        return explainRows(app, request, {
          name: request.params.name,
          selector: selectorOf(request.params),
          ask,
          decode: () => tensorsToRows(body.inputs, config.maxRows),
          encode: (batch, served) =>
            reply.send({
              model_name: served.name,
              model_version: String(served.version),
              ...(body.id === undefined ? {} : { id: body.id }),
              method: batch.method,
              space: batch.space,
              explanations: flatExplanations(batch, ask.top),
            }),
        });
      },
    );
  }

  /** CSV or NDJSON rows; a CSV is parsed before the version is leased, as on predict. */
  async function textRows(
    request: FastifyRequest,
    text: string,
  ): Promise<(served: ServedVersion) => readonly RawRow[]> {
    if (request.mediaType !== CSV) return () => parseNdjson(text, config.maxRows);
    const codec = await import('../codecs/csv.ts');
    const table = await codec.parseCsvYielding(text, {
      maxRows: config.maxRows,
      maxCells: config.maxCells,
    });
    return (served) => {
      codec.checkCsvColumns(
        table,
        served.predictor.inputSchema.map((column) => column.name),
      );
      return table.rows;
    };
  }
}

function bodyAsk(body: { classes?: ClassSelection; top?: number }): ExplainAsk {
  return {
    ...(body.classes !== undefined ? { classes: body.classes } : {}),
    ...(body.top !== undefined ? { top: body.top } : {}),
  };
}
