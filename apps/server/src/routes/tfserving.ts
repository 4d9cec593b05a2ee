import type { RawRow } from '@tandem/features';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkRowCount, columnsToRows } from '../codecs/tabular.ts';
import { examplesToRows, type TfExamplesBody } from '../codecs/tf-examples.ts';
import type { Outcome, PredictRequest } from '../dataplane.ts';
import { ServerError } from '../errors.ts';
import type { ModelState, VersionSelector } from '../registry/registry.ts';
import type { ServedVersion } from '../registry/served-version.ts';
import {
  protocolErrors,
  tfsPredictBody,
  tfsPredictResponse,
  tfsStatusResponse,
} from '../schemas.ts';
import { kserveExplain } from './explain.ts';
import { parseVersion } from './selectors.ts';

interface TfsBody extends TfExamplesBody {
  signature_name?: string;
  instances?: unknown[];
  inputs?: Record<string, unknown[]>;
}

/** The verbs answered: Predict, and Classify / Regress over tf.Example-like feature objects. */
type Verb = 'predict' | 'classify' | 'regress';
const VERBS: readonly string[] = ['predict', 'classify', 'regress'];

export interface TfServingOptions {
  /** Also answer GET model status; only under a prefix, where it cannot shadow the native route. */
  status: boolean;
}

/** `credit:predict` → ['credit', 'predict']; TF Serving puts the verb after the last colon. */
function splitVerb(target: string): { id: string; verb: string } {
  const at = target.lastIndexOf(':');
  if (at <= 0) {
    throw new ServerError(
      'TANDEM_ROUTE_NOT_FOUND',
      `${target}: expected a verb, as in ${target}:predict`,
    );
  }
  return { id: target.slice(0, at), verb: target.slice(at + 1) };
}

function checkVerb(verb: string): Verb {
  if (!VERBS.includes(verb)) {
    throw new ServerError(
      'TANDEM_ROUTE_NOT_FOUND',
      `:${verb} is not a TF Serving verb; use :predict, :classify or :regress`,
    );
  }
  return verb as Verb;
}

/** The one signature a Tandem model has, as TF Serving names a SavedModel's default one. */
const SIGNATURE = 'serving_default';

function checkSignature(name: string | undefined): void {
  if (name === undefined || name === SIGNATURE) return;
  throw new ServerError(
    'TANDEM_REQUEST_INVALID',
    `signature_name ${JSON.stringify(name)} does not exist; this model has "${SIGNATURE}"`,
  );
}

/** TF dtypes of the inputs, as GET …/metadata describes a SavedModel's signature. */
function signatureDef(served: ServedVersion) {
  const inputs = Object.fromEntries(
    served.manifest.inputs.map((c) => [
      c.name,
      {
        dtype: c.type === 'numeric' ? 'DT_DOUBLE' : c.type === 'boolean' ? 'DT_BOOL' : 'DT_STRING',
        tensor_shape: { dim: [{ size: '-1', name: '' }], unknown_rank: false },
        name: c.name,
      },
    ]),
  );
  const classes = served.predictor.classes;
  const outputs =
    classes === undefined
      ? {
          value: {
            dtype: 'DT_FLOAT',
            tensor_shape: { dim: [{ size: '-1', name: '' }] },
            name: 'value',
          },
        }
      : {
          probabilities: {
            dtype: 'DT_FLOAT',
            tensor_shape: {
              dim: [
                { size: '-1', name: '' },
                { size: String(classes.length), name: '' },
              ],
            },
            name: 'probabilities',
          },
        };
  return { inputs, outputs, method_name: 'tensorflow/serving/predict' };
}

/** Classify: per row, every class with its probability, in class order. */
function classifyResults(outcome: Outcome): [string, number][][] {
  const { outputs, rows } = outcome;
  const classes = outcome.classes ?? [];
  const width = classes.length;
  return Array.from({ length: rows }, (_, r) =>
    classes.map((label, j): [string, number] => [label, outputs[r * width + j] as number]),
  );
}

/** Per row: the probability vector in class order (classifiers) or the value (regressors). */
function rowVectors(outcome: Outcome): (number | number[])[] {
  const { classes, outputs, rows } = outcome;
  const out: (number | number[])[] = new Array(rows);
  if (classes === undefined) {
    for (let r = 0; r < rows; r++) out[r] = outputs[r] ?? Number.NaN;
    return out;
  }
  const width = classes.length;
  for (let r = 0; r < rows; r++) out[r] = Array.from(outputs.subarray(r * width, (r + 1) * width));
  return out;
}

function statusOf(model: ModelState, only: number | undefined) {
  const versions = only === undefined ? model.versions : [only];
  return {
    model_version_status: versions.map((version) => {
      const failed = model.failed.get(version);
      const available = model.served.has(version);
      return {
        version: String(version),
        state: available
          ? 'AVAILABLE'
          : failed !== undefined || !model.kept.has(version)
            ? 'END'
            : 'LOADING',
        status: {
          error_code: available || failed === undefined ? 'OK' : 'UNKNOWN',
          // The code only: the reason quotes paths and file contents, which stay in the logs.
          error_message: available ? '' : (failed?.code ?? ''),
        },
      };
    }),
  };
}

/**
 * TensorFlow Serving's REST API, so existing clients work: `POST /v1/models/{name}[/versions/{v} |
 * /labels/{l}]:predict`. Its GET model status would collide with the native metadata route at
 * /v1/models/{name}, so the full API (status included) is also mounted under /tfserving.
 */
export async function tfservingRoutes(
  app: FastifyInstance,
  options: TfServingOptions,
): Promise<void> {
  const { registry, dataplane, config } = app.tandem;
  const routeConfig = { errorShape: 'protocol' as const };
  const schema = {
    tags: ['tensorflow-serving'],
    body: tfsPredictBody,
    response: { 200: tfsPredictResponse, ...protocolErrors },
  };

  /** Decodes the verb's body, predicts with the version the path names, encodes the answer. */
  function answer(
    request: FastifyRequest,
    reply: FastifyReply,
    verb: Verb,
    name: string,
    selector: VersionSelector,
    body: TfsBody,
  ): FastifyReply {
    return dataplane.predict(request, new TfsJob(reply, verb, name, selector, body));
  }

  /**
   * One TF Serving request as the data plane's job: a class, not an object of closures, so a
   * request allocates one object (see the native route's InstancesJob).
   */
  class TfsJob implements PredictRequest<FastifyReply> {
    readonly name: string;
    readonly selector: VersionSelector;
    private readonly reply: FastifyReply;
    private readonly verb: Verb;
    private readonly body: TfsBody;
    private columnar = false;

    constructor(
      reply: FastifyReply,
      verb: Verb,
      name: string,
      selector: VersionSelector,
      body: TfsBody,
    ) {
      this.name = name;
      this.selector = selector;
      this.reply = reply;
      this.verb = verb;
      this.body = body;
    }

    decode(served: ServedVersion): RawRow[] {
      const verb = this.verb;
      const body = this.body;
      const name = this.name;
      // Checked before predicting: a refused request must not count as predicted rows.
      const classifier = served.predictor.classes !== undefined;
      if ((verb === 'classify' && !classifier) || (verb === 'regress' && classifier)) {
        throw new ServerError(
          'TANDEM_REQUEST_INVALID',
          `model ${name} is a ${classifier ? 'classifier: use :classify' : 'regressor: use :regress'} or :predict`,
        );
      }
      checkSignature(body.signature_name);
      if (verb !== 'predict') return examplesToRows(body, config.maxRows);
      if (body.instances !== undefined && body.inputs !== undefined) {
        throw new ServerError(
          'TANDEM_REQUEST_INVALID',
          'the body has both "instances" (row form) and "inputs" (columnar form); send one',
        );
      }
      if (body.instances !== undefined) return instancesToRows(body.instances);
      if (body.inputs !== undefined) {
        this.columnar = true;
        return columnsToRows(body.inputs, config.maxRows);
      }
      throw new ServerError('TANDEM_REQUEST_INVALID', 'the body needs "instances" or "inputs"');
    }

    encode(outcome: Outcome): FastifyReply {
      const reply = this.reply;
      const verb = this.verb;
      if (verb === 'classify') return reply.send({ results: classifyResults(outcome) });
      if (verb === 'regress') return reply.send({ results: rowVectors(outcome) });
      return reply.send(
        this.columnar ? { outputs: rowVectors(outcome) } : { predictions: rowVectors(outcome) },
      );
    }
  }

  function instancesToRows(instances: readonly unknown[]): RawRow[] {
    const rows = instances.map((instance, i) => {
      if (typeof instance !== 'object' || instance === null || Array.isArray(instance)) {
        throw new ServerError(
          'TANDEM_REQUEST_INVALID',
          `instances[${i}] must be an object naming its columns`,
        );
      }
      return instance as RawRow;
    });
    checkRowCount(rows.length, config.maxRows);
    return rows;
  }

  app.post<{ Params: { target: string }; Body: TfsBody }>(
    '/v1/models/:target',
    {
      config: routeConfig,
      schema: {
        ...schema,
        summary:
          'TF Serving predict, classify or regress with the default version ({name}:predict)',
      },
    },
    (request, reply) => {
      const { id, verb } = splitVerb(request.params.target);
      // KServe V1's explain verb shares this path; explain.ts answers it.
      if (verb === 'explain') return kserveExplain(app, request, reply, id, request.body);
      return answer(request, reply, checkVerb(verb), id, {}, request.body);
    },
  );

  // {version}:predict and {label}:predict: the default route's verbs with a selector.
  const selectorRoutes = [
    {
      segment: 'versions',
      what: 'a version',
      select: (name: string, id: string): VersionSelector => ({ version: parseVersion(name, id) }),
    },
    { segment: 'labels', what: 'a label', select: (_: string, id: string) => ({ label: id }) },
  ];
  for (const route of selectorRoutes) {
    app.post<{ Params: { name: string; target: string }; Body: TfsBody }>(
      `/v1/models/:name/${route.segment}/:target`,
      {
        config: routeConfig,
        schema: {
          ...schema,
          summary: `TF Serving verbs with ${route.what} ({${route.segment.slice(0, -1)}}:predict)`,
        },
      },
      (request, reply) => {
        const { id, verb } = splitVerb(request.params.target);
        const { name } = request.params;
        return answer(request, reply, checkVerb(verb), name, route.select(name, id), request.body);
      },
    );
  }

  // GET …/metadata: the model's signature (TF Serving's GetModelMetadata). No native route
  // uses these paths, so they are mounted with and without the /tfserving prefix.
  const metadataSchema = { tags: ['tensorflow-serving'], summary: 'TF Serving model metadata' };
  const metadata = (served: ServedVersion) => ({
    model_spec: { name: served.name, signature_name: '', version: String(served.version) },
    metadata: { signature_def: { signature_def: { [SIGNATURE]: signatureDef(served) } } },
  });
  app.get<{ Params: { name: string } }>(
    '/v1/models/:name/metadata',
    { config: routeConfig, schema: metadataSchema },
    (request) => metadata(registry.select(request.params.name)),
  );
  app.get<{ Params: { name: string; version: string } }>(
    '/v1/models/:name/versions/:version/metadata',
    { config: routeConfig, schema: metadataSchema },
    (request) =>
      metadata(
        registry.select(request.params.name, {
          version: parseVersion(request.params.name, request.params.version),
        }),
      ),
  );
  app.get<{ Params: { name: string; label: string } }>(
    '/v1/models/:name/labels/:label/metadata',
    { config: routeConfig, schema: metadataSchema },
    (request) => metadata(registry.select(request.params.name, { label: request.params.label })),
  );

  if (!options.status) return;
  const statusSchema = {
    tags: ['tensorflow-serving'],
    summary: 'TF Serving model status',
    response: { 200: tfsStatusResponse, ...protocolErrors },
  };
  app.get<{ Params: { name: string } }>(
    '/v1/models/:name',
    { config: routeConfig, schema: statusSchema },
    (request) => statusOf(registry.model(request.params.name), undefined),
  );
  app.get<{ Params: { name: string; version: string } }>(
    '/v1/models/:name/versions/:version',
    { config: routeConfig, schema: statusSchema },
    (request) => {
      const model = registry.model(request.params.name);
      const version = parseVersion(model.name, request.params.version);
      if (!model.versions.includes(version)) {
        throw new ServerError(
          'TANDEM_VERSION_NOT_FOUND',
          `model ${model.name} has no version ${version}`,
        );
      }
      return statusOf(model, version);
    },
  );
  app.get<{ Params: { name: string; label: string } }>(
    '/v1/models/:name/labels/:label',
    { config: routeConfig, schema: statusSchema },
    (request) => {
      const model = registry.model(request.params.name);
      const { label } = request.params;
      const version = Object.hasOwn(model.labels, label) ? model.labels[label] : undefined;
      if (version === undefined) {
        throw new ServerError(
          'TANDEM_LABEL_NOT_FOUND',
          `model ${model.name} has no label ${request.params.label}`,
        );
      }
      return statusOf(model, version);
    },
  );
}
