import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { isS3Uri, parseS3Uri, s3ClientFromEnv } from '@tandem/model-store';
import { ScorerError } from './errors.ts';

/** An object named by `s3://bucket/key`. */
export interface S3Object {
  bucket: string;
  key: string;
}

export function isS3Path(path: string): boolean {
  return isS3Uri(path);
}

/**
 * Parses `s3://bucket/key` with the model store's bucket and segment rules; `role` ("input",
 * "--output") names the option in the error.
 */
export function parseS3Object(uri: string, role: string): S3Object {
  const invalid = (problem: string, cause?: unknown) =>
    new ScorerError('TANDEM_SCORE_URI_INVALID', `${role} ${JSON.stringify(uri)}: ${problem}`, {
      cause,
    });
  let location: { bucket: string; prefix: string };
  try {
    location = parseS3Uri(uri);
  } catch (error) {
    throw invalid(reasonOf(error).replace(/^model store "[^"]*": /, ''), error);
  }
  const key = location.prefix.replace(/\/$/, '');
  if (key === '' || uri.endsWith('/')) throw invalid('expected s3://bucket/key, naming an object');
  return { bucket: location.bucket, key };
}

/**
 * The S3 calls batch scoring makes, on one client configured from the environment as the model
 * store's is (region, credentials, AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL with path-style
 * addressing). The client is made on first use, so local runs never build one.
 */
export class S3Files {
  private readonly env: NodeJS.ProcessEnv;
  private made: S3Client | undefined;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.env = env;
  }

  private get client(): S3Client {
    this.made ??= s3ClientFromEnv(this.env);
    return this.made;
  }

  /** The object's size in bytes; a missing object is TANDEM_SCORE_INPUT_NOT_FOUND. */
  async size(uri: string): Promise<number> {
    const { bucket, key } = parseS3Object(uri, 'input');
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      throw inputError(uri, error);
    }
  }

  /** The object's text, streamed and decoded as UTF-8 (characters kept whole across reads). */
  async text(uri: string): Promise<Readable> {
    const { bucket, key } = parseS3Object(uri, 'input');
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = answer.Body as Readable | undefined;
      if (body === undefined) throw new Error('the answer has no body');
      body.setEncoding('utf8');
      return body;
    } catch (error) {
      throw inputError(uri, error);
    }
  }

  /** Uploads a complete local file as one object: readers see no object or all of it. */
  async upload(file: string, uri: string): Promise<void> {
    const { bucket, key } = parseS3Object(uri, '--output');
    try {
      const { size } = await stat(file);
      await this.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: createReadStream(file),
          ContentLength: size,
        }),
      );
    } catch (error) {
      throw new ScorerError(
        'TANDEM_SCORE_OUTPUT_FAILED',
        `cannot write ${uri}: ${reasonOf(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  close(): void {
    this.made?.destroy();
  }
}

function inputError(uri: string, error: unknown): ScorerError {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const name = (error as { name?: string }).name;
  const missing = status === 404 || name === 'NoSuchKey' || name === 'NotFound';
  return new ScorerError(
    'TANDEM_SCORE_INPUT_NOT_FOUND',
    `cannot read input ${uri}: ${missing ? 'no such object' : reasonOf(error)}`,
    { cause: error },
  );
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
