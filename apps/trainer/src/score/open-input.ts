import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { TrainerError } from '../errors.ts';

/** Opens a file for streaming text reads, with its size; a missing file is a coded error. */
export async function openInput(
  path: string,
  readSize: number,
): Promise<{ stream: ReadStream; size: number }> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    size = info.size;
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new TrainerError('TANDEM_SCORE_INPUT_NOT_FOUND', `cannot read input ${path}: ${reason}`, {
      cause: error,
    });
  }
  // utf8 decoding in the stream keeps multi-byte characters whole across reads.
  const stream = createReadStream(path, { highWaterMark: readSize, encoding: 'utf8' });
  return { stream, size };
}
