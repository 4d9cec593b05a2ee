import { Buffer } from 'node:buffer';
import type { Readable } from 'node:stream';
import {
  CsvRecordParser,
  type DataFormat,
  type FramedText,
  NdjsonRecordParser,
  parseBlock,
  type RecordReader,
  TabularError,
  type TextBlock,
} from '@tandem/tabular';
import { ScorerError } from './errors.ts';
import { type InputFile, openInputText } from './input-files.ts';
import type { S3Files } from './s3-files.ts';
import { type Shard, shardRange } from './shard.ts';

export interface ShardedReaderOptions {
  /** The run's inputs in order, sized; empty files hold no records and are skipped. */
  inputs: readonly InputFile[];
  format: DataFormat;
  /** Records per block (the full run's block size, so the first block is the same). */
  blockSize: number;
  shard: Shard;
  s3: S3Files;
}

/** An input laid in the run's byte sequence: its records' offsets start at `start`. */
interface PlacedInput {
  input: InputFile;
  start: number;
}

type Parser = CsvRecordParser | NdjsonRecordParser;

/**
 * The records of one shard of a list of inputs (shard.ts states the rule), as framed text blocks
 * with the line numbers of a full run. Each file the shard needs is read from its start, framed
 * (records found, not parsed) up to the shard's first record and no further than its last: the
 * prefix costs a framing pass, which is what makes the split exact under quoted line breaks.
 *
 * `header()` gives the run's input columns, the same in every shard: the first non-empty file's
 * CSV header, or the keys of the first JSON object of its first block (what a full run writes).
 * Every CSV input must have that header.
 */
export function openShardedReader(options: ShardedReaderOptions): RecordReader {
  const { format, blockSize, shard, s3 } = options;
  const placed: PlacedInput[] = [];
  let total = 0;
  for (const input of options.inputs) {
    if (input.size > 0) placed.push({ input, start: total });
    total += input.size;
  }
  const range = shardRange(shard, total);
  const end = Math.min(range.end, total);
  const needed = placed.filter((p) => p.start < range.end && p.start + p.input.size > range.start);
  const lead = placed[0];
  const several = options.inputs.length > 1;
  let columns: readonly string[] | undefined;
  const open = new Set<Readable>();

  const take = async (input: InputFile): Promise<{ stream: Readable; parser: Parser }> => {
    const stream = await openInputText(input, s3);
    open.add(stream);
    return { stream, parser: format === 'csv' ? new CsvRecordParser() : new NdjsonRecordParser() };
  };
  const release = (stream: Readable): void => {
    stream.destroy();
    open.delete(stream);
  };

  /** The run's columns from the lead file's first block (read apart when no shard file is it). */
  const learnColumns = (parser: Parser, first: FramedText | undefined): void => {
    if (parser instanceof CsvRecordParser) {
      columns = parser.header() ?? [];
      return;
    }
    const chunk = first ? parseBlock({ ...first, format, bytesRead: 0 }) : undefined;
    const object =
      chunk?.format === 'ndjson' ? chunk.objects.find((o) => o !== undefined) : undefined;
    columns = object ? Object.keys(object) : [];
  };
  const readLead = async (file: PlacedInput): Promise<void> => {
    const { stream, parser } = await take(file.input);
    try {
      const first = await frames(stream, parser, blockSize).next();
      learnColumns(parser, first.done ? undefined : first.value);
    } finally {
      release(stream);
    }
  };
  const checkHeader = (file: PlacedInput, parser: Parser): void => {
    if (!(parser instanceof CsvRecordParser) || file === lead) return;
    const header = parser.header() ?? [];
    if (header.length === columns?.length && header.every((name, j) => name === columns?.[j]))
      return;
    throw new ScorerError(
      'TANDEM_SCORE_INPUT_INVALID',
      `input ${file.input.path}: its header (${header.join(',')}) differs from ${lead?.input.path}'s (${columns?.join(',')}); every input of a run needs the same columns`,
    );
  };

  /** The records of `framed` (starting at offset `from`) whose offsets fall in the shard. */
  const cut = (framed: FramedText, from: number, header: readonly string[] | undefined) => {
    const seed = { line: framed.line };
    const parser =
      format === 'csv'
        ? new CsvRecordParser({ ...seed, header: header ?? [] })
        : new NdjsonRecordParser(seed);
    parser.push(framed.text);
    let offset = from;
    const kept: FramedText = { text: '', line: framed.line, records: 0 };
    for (let one = parser.frame(1, true); one; one = parser.frame(1, true)) {
      const at = offset;
      offset += Buffer.byteLength(one.text);
      if (at < range.start) continue;
      if (at >= range.end) break;
      if (kept.records === 0) kept.line = one.line;
      kept.text += one.text;
      kept.records++;
    }
    return kept.records > 0 ? kept : undefined;
  };

  async function* fileBlocks(file: PlacedInput): AsyncGenerator<TextBlock, boolean, void> {
    const { stream, parser } = await take(file.input);
    try {
      let offset = file.start;
      let first = true;
      for await (const framed of frames(stream, parser, blockSize)) {
        if (first) {
          first = false;
          if (file === lead) learnColumns(parser, framed);
          checkHeader(file, parser);
        }
        const from = offset;
        offset += Buffer.byteLength(framed.text);
        if (from >= range.end) return true;
        if (offset <= range.start) continue;
        const header = parser instanceof CsvRecordParser ? parser.header() : undefined;
        const inside = from >= range.start && offset <= range.end;
        const block = inside ? framed : cut(framed, from, header);
        if (block === undefined) continue;
        yield {
          ...block,
          format,
          ...(header !== undefined ? { header } : {}),
          bytesRead: Math.max(0, Math.min(offset, end) - range.start),
        };
      }
      if (first) {
        if (file === lead) learnColumns(parser, undefined);
        checkHeader(file, parser);
      }
      return false;
    } catch (error) {
      // Line numbers alone are ambiguous in a list of inputs: the message names the file.
      if (!several || !(error instanceof TabularError)) throw error;
      throw new TabularError(error.code, `input ${file.input.path}: ${error.message}`, {
        cause: error,
      });
    } finally {
      release(stream);
    }
  }

  async function* blocks(): AsyncGenerator<TextBlock, void, void> {
    if (lead !== undefined && needed[0] !== lead) await readLead(lead);
    for (const file of needed) {
      const done = yield* fileBlocks(file);
      if (done) return;
    }
    columns ??= [];
  }

  return {
    format,
    totalBytes: Math.max(0, end - range.start),
    header: () => columns,
    blocks,
    close: () => {
      for (const stream of open) stream.destroy();
      open.clear();
    },
  };
}

/** Blocks of `limit` framed records, read from `stream` as it comes. */
async function* frames(
  stream: Readable,
  parser: Parser,
  limit: number,
): AsyncGenerator<FramedText, void, void> {
  for await (const text of stream) {
    parser.push(text as string);
    for (let framed = parser.frame(limit, false); framed; framed = parser.frame(limit, false)) {
      yield framed;
    }
  }
  for (let framed = parser.frame(limit, true); framed; framed = parser.frame(limit, true)) {
    yield framed;
  }
}
