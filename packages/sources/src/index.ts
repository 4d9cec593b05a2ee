export {
  booleanCell,
  type Cell,
  dateCell,
  floatCell,
  instantCell,
  integerCell,
} from './cells.ts';
export { SOURCE_ERRORS, SourceError, type SourceErrorCode } from './errors.ts';
export { openRecordSource, readSourceTable, type SourceTable } from './open.ts';
export { hashRows, RowHasher } from './row-hash.ts';
export type { RawRecord, RecordSource, SourceOptions } from './source.ts';
export {
  describeSource,
  formatOf,
  parseSourceSpec,
  redactedConnection,
  type SourceFormat,
  type SourceSpec,
} from './spec.ts';
