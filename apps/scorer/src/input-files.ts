import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { checkInputFile, DEFAULT_READ_SIZE } from '@tandem/tabular';
import { isS3Path, type S3Files } from './s3-files.ts';

/** An input of a run, local or `s3://`, with its size in bytes (the shard split needs them all). */
export interface InputFile {
  path: string;
  size: number;
}

/** Sizes every input (stat, or HeadObject): a missing one fails before anything is scored. */
export async function sizeInputs(paths: readonly string[], s3: S3Files): Promise<InputFile[]> {
  return Promise.all(
    paths.map(async (path) => ({
      path,
      size: isS3Path(path) ? await s3.size(path) : await checkInputFile(path),
    })),
  );
}

/** The input's text, decoded as UTF-8, as a stream; destroying it stops the read (or download). */
export async function openInputText(input: InputFile, s3: S3Files): Promise<Readable> {
  if (isS3Path(input.path)) return s3.text(input.path);
  return createReadStream(input.path, { highWaterMark: DEFAULT_READ_SIZE, encoding: 'utf8' });
}
