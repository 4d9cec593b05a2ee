import { StoreError } from './errors.ts';

/** A bucket and a key prefix: `s3://bucket/models` → { bucket: 'bucket', prefix: 'models/' }. */
export interface S3Location {
  bucket: string;
  /** '' or ends with '/'. */
  prefix: string;
}

/** S3 bucket names: 3–63 lower-case letters, digits, '.', '-', starting and ending alphanumeric. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isS3Uri(uri: string): boolean {
  return uri.startsWith('s3://');
}

export function parseS3Uri(uri: string): S3Location {
  const invalid = (why: string) =>
    new StoreError('TANDEM_STORE_URI_INVALID', `model store ${JSON.stringify(uri)}: ${why}`);
  if (!isS3Uri(uri)) throw invalid('expected s3://bucket/prefix');
  const rest = uri.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  if (!BUCKET.test(bucket)) {
    throw invalid(`bucket ${JSON.stringify(bucket)} is not a valid S3 bucket name`);
  }
  const segments = (slash === -1 ? '' : rest.slice(slash + 1)).split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) {
    throw invalid('the prefix may not contain "." or ".." segments');
  }
  return { bucket, prefix: segments.length === 0 ? '' : `${segments.join('/')}/` };
}

export function s3Uri(location: S3Location, key = ''): string {
  return `s3://${location.bucket}/${location.prefix}${key}`;
}
