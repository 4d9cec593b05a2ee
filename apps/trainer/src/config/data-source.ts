import { parseSourceSpec, SourceError } from '@tandem/sources';
import { TrainerError } from '../errors.ts';
import { checkKeys, invalid, isObject, readString } from './fields.ts';
import type { DataSource, LogData } from './types.ts';

const LOG_KEYS = ['log', 'since', 'until', 'model'];
const WINDOW = /^\d+(m|h|d|w)$/;

/**
 * The config's `data`: a path or an s3:// URL (a string, as always), `{ "postgres", "query" }`,
 * or `{ "log", "since" }`. Paths are resolved with `resolvePath`; URLs and queries stay as
 * written. Errors are TANDEM_CONFIG_INVALID naming the key ("data.query").
 */
export function readDataSource(value: unknown, resolvePath: (path: string) => string): DataSource {
  if (isObject(value) && 'log' in value) return readLogData(value, resolvePath);
  let spec: ReturnType<typeof parseSourceSpec>;
  try {
    spec = parseSourceSpec(value, 'data');
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    // "data.query: expected …" → `config key "data.query": expected …`, as every other key.
    const [, key, rest] = /^([\w.[\]]+): ([\s\S]*)$/.exec(error.message) ?? [];
    throw new TrainerError(
      'TANDEM_CONFIG_INVALID',
      key === undefined ? error.message : `config key "${key}": ${rest}`,
    );
  }
  if ('file' in spec) return resolvePath(spec.file);
  if ('s3' in spec) return spec.s3;
  return spec;
}

function readLogData(
  object: Record<string, unknown>,
  resolvePath: (path: string) => string,
): LogData {
  checkKeys(object, LOG_KEYS, 'data');
  const folder = readString(object['log'], 'data.log');
  if (folder.startsWith('s3://')) {
    throw invalid(
      'data.log',
      'a folder: the prediction log is written to and read from a local folder (no S3 sink)',
      folder,
    );
  }
  const since = readString(object['since'], 'data.since');
  if (!WINDOW.test(since) && Number.isNaN(Date.parse(since))) {
    throw invalid('data.since', 'a window ("7d", "12h", "30m", "2w") or an ISO-8601 time', since);
  }
  const data: LogData = { log: resolvePath(folder), since };
  if (object['until'] !== undefined) {
    const until = readString(object['until'], 'data.until');
    if (Number.isNaN(Date.parse(until))) throw invalid('data.until', 'an ISO-8601 time', until);
    data.until = until;
  }
  if (object['model'] !== undefined) data.model = readString(object['model'], 'data.model');
  return data;
}
