/**
 * JSON schemas of everything on the wire. Request schemas validate the envelope (the model's own
 * pipeline validates the values); response schemas compile the serializers and leak no field.
 */
import { EXPLANATION_METHODS } from '@tandem/runtime';
import {
  ANY,
  arrayOf,
  BOOLEAN,
  INTEGER,
  mapOf,
  NUMBER,
  nonEmptyArrayOf,
  OPEN_OBJECT,
  objectOf,
  oneOf,
  STRING,
} from './schema-parts.ts';

export const nativeErrorSchema = {
  $id: 'NativeError',
  description: 'Error answer of the native routes',
  ...objectOf(
    {
      error: objectOf(
        {
          code: { type: 'string', description: 'Stable code, TANDEM_…' },
          message: STRING,
          details: {
            description: 'For invalid input: row, column, problem, expected, received, message',
            ...arrayOf(ANY),
          },
        },
        ['code', 'message', 'details'],
      ),
    },
    ['error'],
  ),
} as const;

export const protocolErrorSchema = {
  $id: 'ProtocolError',
  description: 'Error answer of the TensorFlow Serving and Open Inference Protocol routes',
  ...objectOf({ error: STRING }, ['error']),
} as const;

/** The error answers of a route: every 4xx and 5xx in the one shape of its protocol. */
function errorAnswers<Ref extends string>(ref: Ref) {
  return { '4xx': { $ref: ref }, '5xx': { $ref: ref } } as const;
}

export const nativeErrors = errorAnswers('NativeError#');
export const protocolErrors = errorAnswers('ProtocolError#');

const rowSchema = {
  description: 'One raw row: column name → value (number, string, boolean or null)',
  ...OPEN_OBJECT,
} as const;

export const instancesBody = objectOf({ instances: nonEmptyArrayOf(rowSchema) }, ['instances']);

export const modelParams = objectOf({ name: STRING }, ['name']);
export const versionParams = objectOf({ name: STRING, version: STRING }, ['name', 'version']);
export const labelParams = objectOf({ name: STRING, label: STRING }, ['name', 'label']);

/** The path parameters of a selector suffix (routes/selectors.ts): a version, a label or neither. */
export function selectorParams(suffix: string) {
  if (suffix.includes(':version')) return versionParams;
  if (suffix.includes(':label')) return labelParams;
  return modelParams;
}

/** The bodies a native rows route takes: `json`, CSV with a header row, or NDJSON. */
export function rowBodies<Json>(json: Json) {
  return {
    content: {
      'application/json': { schema: json },
      'text/csv': { schema: { type: 'string', description: 'CSV with a header row' } },
      'application/x-ndjson': {
        schema: { type: 'string', description: 'One JSON object per line' },
      },
    },
  } as const;
}

/** The version that answered: in every native answer. */
export const answeringVersion = objectOf({ name: STRING, version: INTEGER }, ['name', 'version']);

const warningSchema = objectOf(
  {
    row: INTEGER,
    column: STRING,
    kind: oneOf(['out_of_range', 'unseen_category', 'missing']),
  },
  ['row', 'column', 'kind'],
);

export const nativePredictResponse = objectOf(
  {
    id: { type: 'string', description: 'The answer id: x-request-id when given, else a new UUID' },
    model: answeringVersion,
    predictions: arrayOf({
      type: 'object',
      description: 'Classifier: label and probabilities by class; regressor: value',
      properties: { label: STRING, probabilities: mapOf(NUMBER), value: NUMBER },
    }),
    warnings: arrayOf(warningSchema),
  },
  ['model', 'predictions', 'warnings'],
);

const columnSchema = objectOf(
  {
    name: STRING,
    type: oneOf(['numeric', 'categorical', 'boolean', 'datetime']),
    nullable: BOOLEAN,
    min: NUMBER,
    max: NUMBER,
    levels: arrayOf(STRING),
    range: objectOf({ min: NUMBER, max: NUMBER }),
    values: arrayOf(STRING),
  },
  ['name', 'type', 'nullable'],
);

export const versionMetadataResponse = objectOf(
  {
    name: STRING,
    version: INTEGER,
    status: oneOf(['available']),
    default: { type: 'boolean', description: 'Answers requests that name no version' },
    labels: arrayOf(STRING),
    task: oneOf(['binary', 'multiclass', 'regression']),
    target: STRING,
    createdAt: STRING,
    loadedAt: STRING,
    inputs: arrayOf(columnSchema),
    outputs: objectOf({ classes: arrayOf(STRING), target: STRING }),
    metrics: OPEN_OBJECT,
    runtime: {
      description: 'What computes the predictions: dense (plain JavaScript) or tfjs, on a backend',
      ...objectOf({ engine: STRING, backend: STRING }),
    },
  },
  ['name', 'version', 'status', 'default', 'labels', 'task', 'inputs', 'outputs'],
);

const listedVersion = objectOf(
  {
    version: INTEGER,
    status: oneOf(['available', 'failed', 'pending', 'unloaded']),
    reason: STRING,
    createdAt: STRING,
  },
  ['version', 'status'],
);

export const modelListResponse = objectOf(
  {
    models: arrayOf(
      objectOf(
        {
          name: STRING,
          task: STRING,
          defaultVersion: { type: ['integer', 'null'] },
          unavailable: STRING,
          labels: mapOf(INTEGER),
          versions: arrayOf(listedVersion),
        },
        ['name', 'defaultVersion', 'labels', 'versions'],
      ),
    ),
  },
  ['models'],
);

export const tfsPredictBody = {
  description:
    ':predict takes the row form {"instances": [{column: value}, …]} or the columnar form {"inputs": {column: [values]}}; :classify and :regress take {"examples": [{feature: value | [value]}, …], "context": {feature: value}}',
  ...objectOf({
    signature_name: STRING,
    instances: nonEmptyArrayOf(ANY),
    inputs: mapOf({ type: 'array' }),
    examples: nonEmptyArrayOf(ANY),
    context: { type: 'object' },
  }),
} as const;

export const tfsPredictResponse = {
  description:
    ':predict: predictions (row form) or outputs (columnar form), a probability vector in class order per row, or the value; :classify: results, per row [[class, probability], …] in class order; :regress: results, one value per row',
  ...objectOf({ predictions: arrayOf(ANY), outputs: arrayOf(ANY), results: arrayOf(ANY) }),
} as const;

export const tfsStatusResponse = objectOf({
  model_version_status: arrayOf(
    objectOf({
      version: STRING,
      state: STRING,
      status: objectOf({ error_code: STRING, error_message: STRING }),
    }),
  ),
});

const v2Tensor = objectOf(
  {
    name: STRING,
    shape: arrayOf({ type: 'integer', minimum: 0 }),
    datatype: STRING,
    parameters: OPEN_OBJECT,
    data: { type: 'array' },
  },
  ['name', 'shape', 'datatype', 'data'],
);

export const v2InferBody = objectOf(
  {
    id: STRING,
    parameters: OPEN_OBJECT,
    inputs: nonEmptyArrayOf(v2Tensor),
    outputs: arrayOf(objectOf({ name: STRING, parameters: OPEN_OBJECT }, ['name'])),
  },
  ['inputs'],
);

export const v2InferResponse = objectOf(
  {
    model_name: STRING,
    model_version: STRING,
    id: STRING,
    parameters: OPEN_OBJECT,
    outputs: arrayOf(
      objectOf({ name: STRING, shape: arrayOf(INTEGER), datatype: STRING, data: arrayOf(ANY) }, [
        'name',
        'shape',
        'datatype',
        'data',
      ]),
    ),
  },
  ['model_name', 'outputs'],
);

const v2MetadataTensor = objectOf({ name: STRING, datatype: STRING, shape: arrayOf(INTEGER) }, [
  'name',
  'datatype',
  'shape',
]);

export const v2ModelMetadataResponse = objectOf(
  {
    name: STRING,
    versions: arrayOf(STRING),
    platform: STRING,
    inputs: arrayOf(v2MetadataTensor),
    outputs: arrayOf(v2MetadataTensor),
  },
  ['name', 'platform', 'inputs', 'outputs'],
);

export const v2ServerMetadataResponse = objectOf(
  { name: STRING, version: STRING, extensions: arrayOf(STRING) },
  ['name', 'version', 'extensions'],
);

// Explanations (routes/explain.ts, docs/explanations.md): the bodies of predict, and per row and
// class a contribution per raw input column.

const classesSchema = {
  description:
    'Classes to explain: "all", or a list of class names. Default: the predicted class (multiclass), the positive class classes[1] (binary).',
  anyOf: [oneOf(['all']), { ...arrayOf(STRING), minItems: 1 }],
} as const;

const topSchema = {
  type: 'integer',
  minimum: 1,
  description: 'Only the top K raw columns by |contribution| in each `contributions`',
} as const;

const explanationSchema = objectOf(
  {
    class: STRING,
    baseValue: NUMBER,
    output: NUMBER,
    probability: NUMBER,
    contributions: mapOf(NUMBER),
    approximationError: NUMBER,
  },
  ['baseValue', 'output', 'contributions', 'approximationError'],
);

const explainFields = {
  method: oneOf(EXPLANATION_METHODS),
  space: oneOf(['margin', 'value']),
  explanations: {
    description:
      'Row-major: for each row, one entry per explained class (in the order asked), so entry i is row ⌊i / classes⌋',
    ...arrayOf(explanationSchema),
  },
} as const;

export const nativeExplainResponse = objectOf({ model: answeringVersion, ...explainFields }, [
  'model',
  'method',
  'space',
  'explanations',
]);

export const nativeExplainBody = objectOf(
  { instances: nonEmptyArrayOf(OPEN_OBJECT), classes: classesSchema, top: topSchema },
  ['instances'],
);

export const v2ExplainBody = objectOf(
  {
    id: STRING,
    parameters: {
      ...objectOf({ classes: classesSchema, top: topSchema }),
      additionalProperties: true,
    },
    inputs: nonEmptyArrayOf(OPEN_OBJECT),
  },
  ['inputs'],
);

export const v2ExplainResponse = objectOf(
  { model_name: STRING, model_version: STRING, id: STRING, ...explainFields },
  ['model_name', 'model_version', 'method', 'space', 'explanations'],
);
