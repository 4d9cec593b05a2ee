import { StoreError } from './errors.ts';
import { MANIFEST_FORMAT, type Manifest, TASKS, type Task } from './manifest.ts';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** A file name a manifest may list: no folders, no hidden or parent entries. */
export const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses and checks manifest.json bytes. `where` names the version in messages ("credit/3").
 * A format other than MANIFEST_FORMAT is TANDEM_FORMAT_UNSUPPORTED; any other defect is
 * TANDEM_VERSION_CORRUPT naming the field.
 */
export function parseManifest(bytes: Uint8Array, where: string): Manifest {
  const corrupt = (why: string) =>
    new StoreError('TANDEM_VERSION_CORRUPT', `${where}: manifest.json ${why}`, {
      file: 'manifest.json',
    });
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw corrupt(`is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(value)) throw corrupt('is not a JSON object');
  if (value.format !== MANIFEST_FORMAT) {
    if (typeof value.format === 'number') {
      throw new StoreError(
        'TANDEM_FORMAT_UNSUPPORTED',
        `${where}: manifest.json has format ${value.format}; this build reads format ${MANIFEST_FORMAT}`,
        { file: 'manifest.json' },
      );
    }
    throw corrupt(
      `field "format" must be the number ${MANIFEST_FORMAT}, got ${JSON.stringify(value.format)}`,
    );
  }
  const requireField = (field: string, ok: boolean, expected: string) => {
    if (!ok)
      throw corrupt(`field "${field}" must be ${expected}, got ${JSON.stringify(value[field])}`);
  };
  requireField('name', typeof value.name === 'string' && value.name !== '', 'a non-empty string');
  requireField(
    'version',
    Number.isSafeInteger(value.version) && (value.version as number) >= 0,
    'an integer ≥ 0',
  );
  requireField('createdAt', typeof value.createdAt === 'string', 'an ISO date string');
  requireField('task', TASKS.includes(value.task as Task), TASKS.join(' | '));
  requireField('target', typeof value.target === 'string', 'a string');
  requireField('inputs', Array.isArray(value.inputs), 'an array of column schemas');
  const outputs = value.outputs;
  requireField(
    'outputs',
    isObject(outputs) &&
      ((Array.isArray(outputs.classes) && outputs.classes.every((c) => typeof c === 'string')) ||
        typeof outputs.target === 'string'),
    '{ classes: string[] } or { target: string }',
  );
  const metrics = value.metrics;
  requireField(
    'metrics',
    isObject(metrics) && isObject(metrics.test) && isObject(metrics.baseline),
    '{ test, baseline }',
  );
  requireField('data', isObject(value.data), 'an object');
  requireField('split', isObject(value.split), 'an object');
  requireField('runtime', isObject(value.runtime), 'an object');
  requireField('sample', isObject(value.sample), 'an object (one raw row)');
  requireField('files', isObject(value.files), 'an object of file name → sha256');
  for (const [file, digest] of Object.entries(value.files as Record<string, unknown>)) {
    if (!FILE_NAME.test(file) || file === 'manifest.json') {
      throw corrupt(`lists an invalid file name ${JSON.stringify(file)}`);
    }
    if (typeof digest !== 'string' || !SHA256_HEX.test(digest)) {
      throw corrupt(`lists file ${file} with an invalid sha256 ${JSON.stringify(digest)}`);
    }
  }
  return value as unknown as Manifest;
}
