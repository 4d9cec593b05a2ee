import { CsvRecordParser } from './csv-parser.ts';
import { NdjsonRecordParser } from './ndjson-parser.ts';
import { emptyCsvChunk, emptyNdjsonChunk, type RecordChunk, type TextBlock } from './records.ts';

/**
 * The records of a block, parsed by a parser seeded at the block's line: the same records, with
 * the same line numbers and problems, as one parser reading the whole file.
 */
export function parseBlock(block: TextBlock): RecordChunk {
  const seed = { line: block.line };
  let chunk: RecordChunk;
  if (block.format === 'csv') {
    const header = block.header ?? [];
    const csv = emptyCsvChunk();
    csv.header = header;
    const parser = new CsvRecordParser({ ...seed, header });
    parser.push(block.text);
    parser.fill(csv, Number.POSITIVE_INFINITY, true);
    chunk = csv;
  } else {
    const ndjson = emptyNdjsonChunk();
    const parser = new NdjsonRecordParser(seed);
    parser.push(block.text);
    parser.fill(ndjson, Number.POSITIVE_INFINITY, true);
    chunk = ndjson;
  }
  chunk.bytesRead = block.bytesRead;
  return chunk;
}
