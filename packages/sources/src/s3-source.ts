import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { parseS3Uri, s3ClientFromEnv } from '@tandem/model-store';
import { SourceError } from './errors.ts';
import { openFileSource } from './file-source.ts';
import { reasonOf } from './reason.ts';
import type { RecordSource } from './source.ts';
import { formatOf } from './spec.ts';

/**
 * An S3 object (CSV, NDJSON or Parquet by its key's extension), read with the model store's S3
 * client (region, credentials and the AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL override with
 * path-style addressing). The object is streamed to a private temporary file, then read as a
 * local file: Parquet needs random access to its footer, and the hash is of the object's bytes.
 */
export async function openS3Source(url: string, env: NodeJS.ProcessEnv): Promise<RecordSource> {
  const { bucket, key } = parseObjectUrl(url);
  formatOf(key);
  const folder = await mkdtemp(join(tmpdir(), 'tandem-s3-source-'));
  const local = join(folder, basename(key));
  const client = s3ClientFromEnv(env);
  try {
    const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    await pipeline(answer.Body as Readable, createWriteStream(local, { flags: 'wx' }));
    const source = await openFileSource(local, url);
    return {
      ...source,
      close: async () => {
        await source.close();
        await rm(folder, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    if (error instanceof SourceError) throw error;
    const name = (error as { name?: string }).name;
    const missing = name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NotFound';
    throw new SourceError(
      missing ? 'TANDEM_SOURCE_NOT_FOUND' : 'TANDEM_SOURCE_UNAVAILABLE',
      `${url}: ${missing ? `no such ${name === 'NoSuchBucket' ? 'bucket' : 'object'}` : `cannot read: ${reasonOf(error)}`}`,
      { cause: error },
    );
  } finally {
    client.destroy();
  }
}

/** `s3://bucket/path/to/key.csv` → bucket and key, with the model store's bucket-name rule. */
function parseObjectUrl(url: string): { bucket: string; key: string } {
  let location: { bucket: string; prefix: string };
  try {
    location = parseS3Uri(url);
  } catch (error) {
    throw new SourceError('TANDEM_SOURCE_INVALID', `${url}: ${reasonOf(error)}`, { cause: error });
  }
  const key = location.prefix.replace(/\/$/, '');
  if (key === '' || url.endsWith('/')) {
    throw new SourceError(
      'TANDEM_SOURCE_INVALID',
      `${url}: expected s3://bucket/key naming one object`,
    );
  }
  return { bucket: location.bucket, key };
}
