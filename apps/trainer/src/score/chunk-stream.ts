import type { ReadStream } from 'node:fs';
import type { RecordChunk } from './records.ts';

/** A parser that turns pushed text into records, filling chunks of a given size. */
export interface ChunkParser<C extends RecordChunk> {
  push(text: string): void;
  /** Fills `chunk` up to `limit` records: true when full, false when the text ran out. */
  fill(chunk: C, limit: number, final: boolean): boolean;
}

/**
 * Reads `stream` (utf8 text) through `parser`, yielding full chunks as they complete and the
 * remainder at the end. Reading pauses while the consumer works on a chunk: the stream buffers at
 * most one read ahead, so memory stays bounded by the chunk size.
 */
export async function* streamChunks<C extends RecordChunk>(
  stream: ReadStream,
  parser: ChunkParser<C>,
  emptyChunk: () => C,
  limit: number,
): AsyncGenerator<C, void, void> {
  let chunk = emptyChunk();
  try {
    for await (const text of stream) {
      parser.push(text as string);
      while (parser.fill(chunk, limit, false)) {
        chunk.bytesRead = stream.bytesRead;
        yield chunk;
        chunk = emptyChunk();
      }
    }
    while (parser.fill(chunk, limit, true)) {
      chunk.bytesRead = stream.bytesRead;
      yield chunk;
      chunk = emptyChunk();
    }
    chunk.bytesRead = stream.bytesRead;
    if (chunk.count > 0) yield chunk;
  } finally {
    stream.destroy();
  }
}
