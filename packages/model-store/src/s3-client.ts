import { S3Client } from '@aws-sdk/client-s3';

/** Time to open a connection, and most time a request's socket may stay silent. */
const CONNECT_TIMEOUT_MS = 5_000;
const IDLE_TIMEOUT_MS = 30_000;

/**
 * An S3 client configured the way the AWS CLI and SDKs are: region from AWS_REGION (or
 * AWS_DEFAULT_REGION, else us-east-1), credentials from the default chain (environment, shared
 * files, web identity, instance or container role), and an endpoint override from
 * AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL. An overridden endpoint (MinIO, Ceph, moto, a VPC
 * endpoint by IP) gets path-style addressing, since such servers rarely resolve
 * `<bucket>.<host>` names.
 */
export function s3ClientFromEnv(env: NodeJS.ProcessEnv = process.env): S3Client {
  const endpoint = nonEmpty(env['AWS_ENDPOINT_URL_S3']) ?? nonEmpty(env['AWS_ENDPOINT_URL']);
  const region = nonEmpty(env['AWS_REGION']) ?? nonEmpty(env['AWS_DEFAULT_REGION']) ?? 'us-east-1';
  const accessKeyId = nonEmpty(env['AWS_ACCESS_KEY_ID']);
  const secretAccessKey = nonEmpty(env['AWS_SECRET_ACCESS_KEY']);
  const sessionToken = nonEmpty(env['AWS_SESSION_TOKEN']);
  // Keys in the given environment are used as they are (it need not be process.env); without
  // them the SDK's default chain finds credentials.
  const credentials =
    accessKeyId !== undefined && secretAccessKey !== undefined
      ? { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) }
      : undefined;
  return new S3Client({
    region,
    // Without these a stalled connection would hang a poll (and every poll after it) forever.
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: IDLE_TIMEOUT_MS },
    ...(endpoint === undefined ? {} : { endpoint, forcePathStyle: true }),
    ...(credentials === undefined ? {} : { credentials }),
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
