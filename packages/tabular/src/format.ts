import { extname } from 'node:path';

/** The row formats the trainer reads training data from, and batch scoring reads and writes. */
export type DataFormat = 'csv' | 'ndjson';

const BY_EXTENSION: Readonly<Record<string, DataFormat>> = {
  '.csv': 'csv',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
};

/** The format a file's extension names (`.csv`, `.ndjson`, `.jsonl`, any case), else undefined. */
export function formatFromExtension(file: string): DataFormat | undefined {
  return BY_EXTENSION[extname(file).toLowerCase()];
}
