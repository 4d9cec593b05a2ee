import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { SourceError } from './errors.ts';
import { reasonOf } from './reason.ts';

/** sha256 of a file's bytes, hex. */
export async function fileSha256(path: string, shown = path): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const piece of createReadStream(path, { highWaterMark: 1 << 16 })) {
      hash.update(piece as Buffer);
    }
  } catch (error) {
    throw new SourceError('TANDEM_SOURCE_NOT_FOUND', `cannot read ${shown}: ${reasonOf(error)}`, {
      cause: error,
    });
  }
  return hash.digest('hex');
}
