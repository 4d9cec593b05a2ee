import {
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { StoreError } from './errors.ts';
import type { S3Location } from './s3-location.ts';
import { s3Uri } from './s3-location.ts';

export interface ListedObject {
  /** The key relative to the listed prefix. */
  key: string;
  size: number;
  etag: string;
}

/** Write only when no object exists at the key, or only when it still has this ETag. */
export type PutCondition = { ifAbsent: true } | { ifMatch: string };

/**
 * The few S3 calls the store makes, with S3's answers turned into the store's: an absent key is
 * `undefined`, a failed condition is `'conflict'`, anything else unexpected a coded StoreError
 * naming the object. Every call is counted by command, so the cost of a poll can be measured.
 */
export class S3Objects {
  readonly location: S3Location;
  readonly requests: Record<string, number> = {};
  private readonly client: S3Client;

  constructor(client: S3Client, location: S3Location) {
    this.client = client;
    this.location = location;
    client.middlewareStack.add(
      (next, context) => (args) => {
        const command = context.commandName ?? 'unknown';
        this.requests[command] = (this.requests[command] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: 'tandemRequestCounter' },
    );
  }

  /** The object's bytes and ETag; undefined when no object has this key. */
  async get(key: string): Promise<{ bytes: Uint8Array; etag: string } | undefined> {
    try {
      const answer = await this.client.send(
        new GetObjectCommand({ Bucket: this.location.bucket, Key: this.key(key) }),
      );
      const bytes = await answer.Body?.transformToByteArray();
      return { bytes: bytes ?? new Uint8Array(), etag: answer.ETag ?? '' };
    } catch (error) {
      if (errorName(error) === 'NoSuchKey' || statusOf(error) === 404) return undefined;
      throw this.failure('TANDEM_STORE_UNAVAILABLE', 'cannot read', key, error);
    }
  }

  /** Writes the object; 'conflict' when the condition no longer holds (another writer won). */
  async put(
    key: string,
    bytes: Uint8Array,
    condition?: PutCondition,
  ): Promise<'written' | 'conflict'> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.location.bucket,
          Key: this.key(key),
          Body: bytes,
          ...(condition === undefined
            ? {}
            : 'ifAbsent' in condition
              ? { IfNoneMatch: '*' }
              : { IfMatch: condition.ifMatch }),
        }),
      );
      return 'written';
    } catch (error) {
      // 412: the condition failed. 409: a concurrent conditional write to the same key is in
      // progress; S3 asks to retry, which for the store means reading again.
      const status = statusOf(error);
      if (condition !== undefined && (status === 412 || status === 409)) return 'conflict';
      throw this.failure('TANDEM_STORE_WRITE_FAILED', 'cannot write', key, error);
    }
  }

  /**
   * Every object under a prefix (relative keys, all pages), or with a delimiter the objects and
   * the sub-prefixes directly under it.
   */
  async list(
    prefix: string,
    delimiter?: string,
  ): Promise<{ objects: ListedObject[]; prefixes: string[] }> {
    const full = this.key(prefix);
    const objects: ListedObject[] = [];
    const prefixes: string[] = [];
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.location.bucket,
            Prefix: full,
            ...(delimiter === undefined ? {} : { Delimiter: delimiter }),
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        );
      } catch (error) {
        throw this.failure('TANDEM_STORE_UNAVAILABLE', 'cannot list', prefix, error);
      }
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        objects.push({
          key: object.Key.slice(full.length),
          size: object.Size ?? 0,
          etag: object.ETag ?? '',
        });
      }
      for (const common of page.CommonPrefixes ?? []) {
        if (common.Prefix !== undefined) prefixes.push(common.Prefix.slice(full.length));
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return { objects, prefixes };
  }

  private key(relative: string): string {
    return `${this.location.prefix}${relative}`;
  }

  private failure(
    code: 'TANDEM_STORE_UNAVAILABLE' | 'TANDEM_STORE_WRITE_FAILED',
    what: string,
    key: string,
    error: unknown,
  ): StoreError {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const status = statusOf(error);
    return new StoreError(
      code,
      `${what} ${s3Uri(this.location, key)}: ${reason}${status === undefined ? '' : ` (HTTP ${status})`}`,
      {},
      { cause: error },
    );
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
