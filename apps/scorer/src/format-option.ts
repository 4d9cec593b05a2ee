import { UsageError } from '@tandem/cli';
import { type DataFormat, formatFromExtension } from '@tandem/tabular';

/** Parses a `--format` value; `json` and `jsonl` are accepted as names of NDJSON. */
export function parseFormat(value: string, flag: string): DataFormat {
  const name = value.trim().toLowerCase();
  if (name === 'csv') return 'csv';
  if (name === 'ndjson' || name === 'jsonl' || name === 'json') return 'ndjson';
  throw new UsageError(`${flag} must be csv or ndjson, got "${value}"`);
}

/**
 * The format of a file: the explicit choice when given, else its extension
 * (`.csv`, `.ndjson`, `.jsonl`), else `fallback` when there is one.
 */
export function formatOf(
  path: string,
  explicit: DataFormat | undefined,
  fallback?: DataFormat,
): DataFormat {
  if (explicit !== undefined) return explicit;
  const byExtension = formatFromExtension(path);
  if (byExtension !== undefined) return byExtension;
  if (fallback !== undefined) return fallback;
  throw new UsageError(
    `cannot tell the format of ${path} from its extension: use .csv, .ndjson or .jsonl, or pass --format`,
  );
}

/** What scoring can write: the text formats, or a Parquet file. */
export type OutputFormat = DataFormat | 'parquet';

/** Parses `--output-format`: csv, ndjson (json, jsonl) or parquet. */
export function parseOutputFormat(value: string, flag: string): OutputFormat {
  if (value.trim().toLowerCase() === 'parquet') return 'parquet';
  try {
    return parseFormat(value, flag);
  } catch {
    throw new UsageError(`${flag} must be csv, ndjson or parquet, got "${value}"`);
  }
}

/** The output's format: the explicit choice, else `.parquet` or formatOf's rule. */
export function outputFormatOf(
  path: string,
  explicit: OutputFormat | undefined,
  fallback: DataFormat,
): OutputFormat {
  if (explicit !== undefined) return explicit;
  if (/\.parquet$/i.test(path.replace(/\{shards?\}/g, ''))) return 'parquet';
  return formatOf(path, undefined, fallback);
}
