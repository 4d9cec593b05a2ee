import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** An S3 server for tests: moto_server on a free loopback port, or one CI names. */
export interface S3TestServer {
  endpoint: string;
  /** The AWS_* variables that point the store (or any AWS client) at this server. */
  env: NodeJS.ProcessEnv;
  /** A new, empty bucket; its name. */
  createBucket(): Promise<string>;
  /** A plain SDK client for the test's own reads and writes (corrupting an object, …). */
  client(): S3Client;
  /** Writes an object behind the store's back (a corruption, a hand-made upload). */
  putObject(bucket: string, key: string, body: Uint8Array | string): Promise<void>;
  stop(): Promise<void>;
}

export type S3TestServerResult =
  | { available: true; server: S3TestServer }
  | { available: false; reason: string };

const START_TIMEOUT_MS = 30_000;

/**
 * Starts an S3 server for one test file: `TANDEM_MOTO_SERVER` (a command), else `moto_server` or
 * `python3 -m moto.server`; `TANDEM_TEST_S3_ENDPOINT` uses a running server instead.
 * Without moto installed the tests skip, saying so loudly; under CI (CI set) a missing moto is an
 * error, since .ci/run installs it.
 *
 * @example
 *   const s3 = await startS3TestServer();
 *   describe.skipIf(!s3.available)('…', () => { … });
 */
export async function startS3TestServer(): Promise<S3TestServerResult> {
  const given = process.env['TANDEM_TEST_S3_ENDPOINT'];
  if (given !== undefined && given !== '') {
    return { available: true, server: serverAt(given, async () => undefined) };
  }
  const command = findMoto();
  if (command === undefined) {
    const reason =
      'moto_server is not installed (neither `moto_server` nor `python3 -m moto.server` runs): ' +
      'the S3 model store tests are SKIPPED. Install it with .ci/run or `pip install "moto[server]==5.2.1"`.';
    if (process.env['CI'] !== undefined && process.env['CI'] !== '') {
      throw new Error(`${reason} Under CI this is an error.`);
    }
    process.stderr.write(`\n${'!'.repeat(100)}\n${reason}\n${'!'.repeat(100)}\n\n`);
    return { available: false, reason };
  }
  const port = await freePort();
  const child = spawn(
    command[0] as string,
    [...command.slice(1), '-H', '127.0.0.1', '-p', String(port)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(endpoint, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`moto_server did not start: ${(error as Error).message}\n${stderr}`);
  }
  return { available: true, server: serverAt(endpoint, () => stopChild(child)) };
}

function serverAt(endpoint: string, stop: () => Promise<void>): S3TestServer {
  const env: NodeJS.ProcessEnv = {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: 'tandem-test',
    AWS_SECRET_ACCESS_KEY: 'tandem-test',
    AWS_REGION: 'us-east-1',
  };
  const clients: S3Client[] = [];
  const client = () => {
    const made = new S3Client({
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'tandem-test', secretAccessKey: 'tandem-test' },
    });
    clients.push(made);
    return made;
  };
  return {
    endpoint,
    env,
    client,
    async putObject(bucket, key, body) {
      await client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async createBucket() {
      const bucket = `tandem-test-${randomBytes(6).toString('hex')}`;
      await client().send(new CreateBucketCommand({ Bucket: bucket }));
      return bucket;
    },
    async stop() {
      for (const c of clients) c.destroy();
      await stop();
    },
  };
}

function findMoto(): string[] | undefined {
  const named = process.env['TANDEM_MOTO_SERVER'];
  const candidates = [
    ...(named !== undefined && named !== '' ? [[named]] : []),
    ['moto_server'],
    ['python3', '-m', 'moto.server'],
  ];
  for (const candidate of candidates) {
    const probe = spawnSync(candidate[0] as string, [...candidate.slice(1), '--help'], {
      stdio: 'ignore',
      timeout: 20_000,
    });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilServing(endpoint: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      const answer = await fetch(`${endpoint}/`);
      await answer.arrayBuffer();
      if (answer.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`no answer from ${endpoint} in ${START_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
