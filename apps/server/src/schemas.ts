/**
 * JSON schemas of everything on the wire. Request schemas validate the envelope (the model's own
 * pipeline validates the values); response schemas compile the serializers and leak no field.
 */

export const nativeErrorSchema = {
  $id: 'NativeError',
  type: 'object',
  description: 'Error answer of the native routes',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', description: 'Stable code, TANDEM_…' },
        message: { type: 'string' },
        details: {
          type: 'array',
          description: 'For invalid input: row, column, problem, expected, received, message',
          items: {},
        },
      },
      required: ['code', 'message', 'details'],
    },
  },
  required: ['error'],
} as const;

export const protocolErrorSchema = {
  $id: 'ProtocolError',
  type: 'object',
  description: 'Error answer of the TensorFlow Serving and Open Inference Protocol routes',
  properties: { error: { type: 'string' } },
  required: ['error'],
} as const;

export const nativeErrors = {
  '4xx': { $ref: 'NativeError#' },
  '5xx': { $ref: 'NativeError#' },
} as const;

export const protocolErrors = {
  '4xx': { $ref: 'ProtocolError#' },
  '5xx': { $ref: 'ProtocolError#' },
} as const;

const rowSchema = {
  type: 'object',
  description: 'One raw row: column name → value (number, string, boolean or null)',
  additionalProperties: true,
} as const;

export const instancesBody = {
  type: 'object',
  properties: {
    instances: { type: 'array', minItems: 1, items: rowSchema },
  },
  required: ['instances'],
} as const;

export const modelParams = {
  type: 'object',
  properties: { name: { type: 'string' } },
  required: ['name'],
} as const;

export const versionParams = {
  type: 'object',
  properties: { name: { type: 'string' }, version: { type: 'string' } },
  required: ['name', 'version'],
} as const;

export const labelParams = {
  type: 'object',
  properties: { name: { type: 'string' }, label: { type: 'string' } },
  required: ['name', 'label'],
} as const;

/** The version that answered: in every native answer. */
export const answeringVersion = {
  type: 'object',
  properties: { name: { type: 'string' }, version: { type: 'integer' } },
  required: ['name', 'version'],
} as const;

const warningSchema = {
  type: 'object',
  properties: {
    row: { type: 'integer' },
    column: { type: 'string' },
    kind: { type: 'string', enum: ['out_of_range', 'unseen_category', 'missing'] },
  },
  required: ['row', 'column', 'kind'],
} as const;

export const nativePredictResponse = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'The answer id: x-request-id when given, else a new UUID' },
    model: answeringVersion,
    predictions: {
      type: 'array',
      items: {
        type: 'object',
        description: 'Classifier: label and probabilities by class; regressor: value',
        properties: {
          label: { type: 'string' },
          probabilities: { type: 'object', additionalProperties: { type: 'number' } },
          value: { type: 'number' },
        },
      },
    },
    warnings: { type: 'array', items: warningSchema },
  },
  required: ['model', 'predictions', 'warnings'],
} as const;

const columnSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    type: { type: 'string', enum: ['numeric', 'categorical', 'boolean', 'datetime'] },
    nullable: { type: 'boolean' },
    min: { type: 'number' },
    max: { type: 'number' },
    levels: { type: 'array', items: { type: 'string' } },
    range: {
      type: 'object',
      properties: { min: { type: 'number' }, max: { type: 'number' } },
    },
    values: { type: 'array', items: { type: 'string' } },
  },
  required: ['name', 'type', 'nullable'],
} as const;

export const versionMetadataResponse = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    version: { type: 'integer' },
    status: { type: 'string', enum: ['available'] },
    default: { type: 'boolean', description: 'Answers requests that name no version' },
    labels: { type: 'array', items: { type: 'string' } },
    task: { type: 'string', enum: ['binary', 'multiclass', 'regression'] },
    target: { type: 'string' },
    createdAt: { type: 'string' },
    loadedAt: { type: 'string' },
    inputs: { type: 'array', items: columnSchema },
    outputs: {
      type: 'object',
      properties: {
        classes: { type: 'array', items: { type: 'string' } },
        target: { type: 'string' },
      },
    },
    metrics: { type: 'object', additionalProperties: true },
    runtime: {
      type: 'object',
      description: 'What computes the predictions: dense (plain JavaScript) or tfjs, on a backend',
      properties: { engine: { type: 'string' }, backend: { type: 'string' } },
    },
  },
  required: ['name', 'version', 'status', 'default', 'labels', 'task', 'inputs', 'outputs'],
} as const;

export const modelListResponse = {
  type: 'object',
  properties: {
    models: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          task: { type: 'string' },
          defaultVersion: { type: ['integer', 'null'] },
          unavailable: { type: 'string' },
          labels: { type: 'object', additionalProperties: { type: 'integer' } },
          versions: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                version: { type: 'integer' },
                status: { type: 'string', enum: ['available', 'failed', 'pending', 'unloaded'] },
                reason: { type: 'string' },
                createdAt: { type: 'string' },
              },
              required: ['version', 'status'],
            },
          },
        },
        required: ['name', 'defaultVersion', 'labels', 'versions'],
      },
    },
  },
  required: ['models'],
} as const;

export const tfsPredictBody = {
  type: 'object',
  description:
    ':predict takes the row form {"instances": [{column: value}, …]} or the columnar form {"inputs": {column: [values]}}; :classify and :regress take {"examples": [{feature: value | [value]}, …], "context": {feature: value}}',
  properties: {
    signature_name: { type: 'string' },
    instances: { type: 'array', minItems: 1, items: {} },
    inputs: { type: 'object', additionalProperties: { type: 'array' } },
    examples: { type: 'array', minItems: 1, items: {} },
    context: { type: 'object' },
  },
} as const;

export const tfsPredictResponse = {
  type: 'object',
  description:
    ':predict: predictions (row form) or outputs (columnar form), a probability vector in class order per row, or the value; :classify: results, per row [[class, probability], …] in class order; :regress: results, one value per row',
  properties: {
    predictions: { type: 'array', items: {} },
    outputs: { type: 'array', items: {} },
    results: { type: 'array', items: {} },
  },
} as const;

export const tfsStatusResponse = {
  type: 'object',
  properties: {
    model_version_status: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          version: { type: 'string' },
          state: { type: 'string' },
          status: {
            type: 'object',
            properties: { error_code: { type: 'string' }, error_message: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;

const v2Tensor = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    shape: { type: 'array', items: { type: 'integer', minimum: 0 } },
    datatype: { type: 'string' },
    parameters: { type: 'object', additionalProperties: true },
    data: { type: 'array' },
  },
  required: ['name', 'shape', 'datatype', 'data'],
} as const;

export const v2InferBody = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    parameters: { type: 'object', additionalProperties: true },
    inputs: { type: 'array', minItems: 1, items: v2Tensor },
    outputs: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          parameters: { type: 'object', additionalProperties: true },
        },
        required: ['name'],
      },
    },
  },
  required: ['inputs'],
} as const;

export const v2InferResponse = {
  type: 'object',
  properties: {
    model_name: { type: 'string' },
    model_version: { type: 'string' },
    id: { type: 'string' },
    parameters: { type: 'object', additionalProperties: true },
    outputs: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          shape: { type: 'array', items: { type: 'integer' } },
          datatype: { type: 'string' },
          data: { type: 'array', items: {} },
        },
        required: ['name', 'shape', 'datatype', 'data'],
      },
    },
  },
  required: ['model_name', 'outputs'],
} as const;

const v2MetadataTensor = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    datatype: { type: 'string' },
    shape: { type: 'array', items: { type: 'integer' } },
  },
  required: ['name', 'datatype', 'shape'],
} as const;

export const v2ModelMetadataResponse = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    versions: { type: 'array', items: { type: 'string' } },
    platform: { type: 'string' },
    inputs: { type: 'array', items: v2MetadataTensor },
    outputs: { type: 'array', items: v2MetadataTensor },
  },
  required: ['name', 'platform', 'inputs', 'outputs'],
} as const;

export const v2ServerMetadataResponse = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    version: { type: 'string' },
    extensions: { type: 'array', items: { type: 'string' } },
  },
  required: ['name', 'version', 'extensions'],
} as const;
