export { CsvRecordParser } from './csv-parser.ts';
export { TABULAR_ERRORS, TabularError, type TabularErrorCode } from './errors.ts';
export { type DataFormat, formatFromExtension } from './format.ts';
export { checkHeaderHasColumns, checkHeaderNames, closestName } from './header.ts';
export { NdjsonRecordParser } from './ndjson-parser.ts';
export { parseBlock } from './parse-block.ts';
export { type ParsedTable, type ParseTextOptions, parseText } from './parse-text.ts';
export {
  END,
  type FramedText,
  MORE,
  type ParserSeed,
  PushedText,
  RECORD,
  type Step,
} from './pushed-text.ts';
export { type FileTable, readTable } from './read-table.ts';
export { checkInputFile, openRecordReader } from './record-reader.ts';
export {
  addRecord,
  type CsvChunk,
  DEFAULT_READ_SIZE,
  emptyCsvChunk,
  emptyNdjsonChunk,
  MAX_RECORD_CHARS,
  type NdjsonChunk,
  type ReaderOptions,
  type RecordChunk,
  type RecordReader,
  type TextBlock,
} from './records.ts';
export { csvField, csvValue, jsonNumber } from './text-encoding.ts';
