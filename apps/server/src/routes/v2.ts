import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  checkDatatypes,
  metadataInputs,
  metadataOutputs,
  outputTensors,
  tensorsToRows,
  type V2InferRequest,
} from '../codecs/v2.ts';
import {
  decodeBinaryRequest,
  encodeBinaryResponse,
  INFERENCE_HEADER,
  wantsBinary,
} from '../codecs/v2-binary.ts';
import { labelsOf, type Outcome, type PredictRequest } from '../dataplane.ts';
import { ServerError } from '../errors.ts';
import type { VersionSelector } from '../registry/registry.ts';
import type { ServedVersion } from '../registry/served-version.ts';
import {
  protocolErrors,
  v2InferBody,
  v2InferResponse,
  v2ModelMetadataResponse,
  v2ServerMetadataResponse,
} from '../schemas.ts';
import { parseVersion } from './selectors.ts';

interface V2Params {
  name: string;
  version?: string;
}

/** Informational only (spec: "<project>_<format>"): a Keras-style LayersModel run by tfjs. */
const PLATFORM = 'tensorflowjs_layers';

const SERVER_VERSION = '0.1.0';

/**
 * The Open Inference Protocol (KServe V2) REST API, as in kserve/open-inference-protocol
 * specification/protocol/inference_rest.md. Tabular models take one tensor per column.
 */
export async function v2Routes(app: FastifyInstance): Promise<void> {
  const { registry, dataplane, config, lifecycle } = app.tandem;
  const routeConfig = { errorShape: 'protocol' as const };
  const tags = ['open-inference-protocol'];
  acceptBinaryTensors(app);

  app.get(
    '/v2',
    {
      config: routeConfig,
      schema: {
        tags,
        summary: 'Server metadata',
        response: { 200: v2ServerMetadataResponse, ...protocolErrors },
      },
    },
    () => ({
      name: 'tandem',
      version: SERVER_VERSION,
      extensions: ['binary_tensor_data', 'explain'],
    }),
  );

  app.get(
    '/v2/health/live',
    { config: routeConfig, exposeHeadRoute: true, schema: { tags, summary: 'Server live' } },
    () => ({ live: true }),
  );

  // The spec's $ready_server_response spells its field "live"; clients of KServe and Triton
  // read "ready" and the status. A process that answers is live, so "live" stays true.
  app.get(
    '/v2/health/ready',
    { config: routeConfig, exposeHeadRoute: true, schema: { tags, summary: 'Server ready' } },
    (_request, reply) => {
      const ready = registry.isReady && !lifecycle.draining;
      return reply.code(ready ? 200 : 503).send({ live: true, ready });
    },
  );

  for (const suffix of ['', '/versions/:version']) {
    const params = {
      type: 'object',
      properties: { name: { type: 'string' }, version: { type: 'string' } },
      required: suffix === '' ? ['name'] : ['name', 'version'],
    };
    const selector = (p: V2Params) =>
      p.version === undefined ? {} : { version: parseVersion(p.name, p.version) };

    app.get<{ Params: V2Params }>(
      `/v2/models/:name${suffix}`,
      {
        config: routeConfig,
        schema: {
          tags,
          summary: 'Model metadata',
          params,
          response: { 200: v2ModelMetadataResponse, ...protocolErrors },
        },
      },
      (request) => {
        const model = registry.model(request.params.name);
        const served = registry.select(model.name, selector(request.params));
        return {
          name: model.name,
          versions: [...model.served.keys()].sort((a, b) => a - b).map(String),
          platform: PLATFORM,
          inputs: metadataInputs(served.manifest.inputs),
          outputs: metadataOutputs(served.predictor.classes),
        };
      },
    );

    app.get<{ Params: V2Params }>(
      `/v2/models/:name${suffix}/ready`,
      { config: routeConfig, schema: { tags, summary: 'Model ready', params } },
      (request, reply) => {
        const model = registry.model(request.params.name);
        let ready: boolean;
        if (request.params.version === undefined) {
          ready = model.defaultVersion !== undefined;
        } else {
          const version = parseVersion(model.name, request.params.version);
          ready = model.served.has(version);
          if (!ready && !model.versions.includes(version)) registry.select(model.name, { version });
        }
        return reply.code(ready ? 200 : 503).send({ name: model.name, ready });
      },
    );

    app.post<{ Params: V2Params; Body: V2InferRequest }>(
      `/v2/models/:name${suffix}/infer`,
      {
        config: routeConfig,
        schema: {
          tags,
          summary: 'Inference: one input tensor per column, shape [N] or [N, 1]',
          description:
            'Inputs: numeric columns FP32/FP64/INT*, categorical and datetime BYTES, boolean BOOL; null is a missing value. Outputs: label (BYTES [N]) and probabilities (FP32 [N, classes]) for classifiers, value (FP32 [N]) for regressors. The binary tensor data extension is supported: with an Inference-Header-Content-Length header the body is that many bytes of JSON followed by the binary inputs (binary_data_size); outputs come back binary with parameters.binary_data (per output) or binary_data_output (all).',
          params,
          body: v2InferBody,
          response: { 200: v2InferResponse, ...protocolErrors },
        },
      },
      (request, reply): FastifyReply => {
        return dataplane.predict(
          request,
          new InferJob(request, reply, selector(request.params), config.maxRows),
        );
      },
    );
  }
}

/**
 * One infer request as the data plane's job: a class, not an object of closures, so a request
 * allocates one object (see the native route's InstancesJob).
 */
class InferJob implements PredictRequest<FastifyReply> {
  readonly name: string;
  readonly selector: VersionSelector;
  private readonly request: FastifyRequest<{ Body: V2InferRequest }>;
  private readonly reply: FastifyReply;
  private readonly maxRows: number;

  constructor(
    request: FastifyRequest<{ Params: V2Params; Body: V2InferRequest }>,
    reply: FastifyReply,
    selector: VersionSelector,
    maxRows: number,
  ) {
    this.name = request.params.name;
    this.selector = selector;
    this.request = request;
    this.reply = reply;
    this.maxRows = maxRows;
  }

  decode(served: ServedVersion) {
    const body = this.request.body;
    checkDatatypes(body.inputs, served.manifest.inputs);
    return tensorsToRows(body.inputs, this.maxRows);
  }

  encode(outcome: Outcome): FastifyReply {
    const body = this.request.body;
    const outputs = outputTensors(
      outcome.classes,
      outcome.outputs,
      outcome.rows,
      outcome.classes === undefined ? undefined : labelsOf(outcome),
      body.outputs,
    );
    const response = {
      model_name: outcome.name,
      model_version: String(outcome.version),
      id: body.id ?? this.request.predictionId,
      outputs,
    };
    if (!outputs.some((output) => wantsBinary(body, output.name))) {
      return this.reply.send(response);
    }
    const binary = encodeBinaryResponse(response, (output) => wantsBinary(body, output.name));
    return this.reply
      .header('inference-header-content-length', binary.headerLength)
      .type('application/octet-stream')
      .send(binary.body);
  }
}

/**
 * Request bodies of the binary tensor data extension. Clients send them as
 * application/octet-stream, as application/json, or with no content type at all (Triton's
 * Python client): in this plugin's routes, a body with an Inference-Header-Content-Length header
 * is decoded as JSON plus binary tensors whatever its content type; JSON without it is parsed as
 * everywhere else; anything else is still a 415.
 */
function acceptBinaryTensors(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  const parse = async (request: FastifyRequest, body: Buffer, jsonAllowed: boolean) => {
    const headerLength = request.headers[INFERENCE_HEADER];
    if (typeof headerLength === 'string') return decodeBinaryRequest(body, headerLength);
    // No Content-Type at all is JSON (Triton's Python client sends its JSON requests so).
    if (!jsonAllowed && request.headers['content-type'] !== undefined) {
      throw new ServerError(
        'TANDEM_MEDIA_TYPE_UNSUPPORTED',
        `send application/json, or binary tensors with an ${INFERENCE_HEADER} header`,
      );
    }
    return new Promise((resolve, reject) =>
      json(request, body.toString('utf8'), (error, value) =>
        error ? reject(error) : resolve(value),
      ),
    );
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (request: FastifyRequest, body: Buffer) => parse(request, body, true),
  );
  for (const type of ['application/octet-stream', '*']) {
    app.addContentTypeParser(type, { parseAs: 'buffer' }, (request: FastifyRequest, body: Buffer) =>
      parse(request, body, false),
    );
  }
}
