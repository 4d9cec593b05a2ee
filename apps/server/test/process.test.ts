import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CREDIT_ROW } from './helpers.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const started: ChildProcess[] = [];

// A failed assertion must not leave a server (or a cluster) running: stop whatever is left.
afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    }
  }
});

function start(
  port: number,
  extra: string[] = [],
): { child: ChildProcess; exit: Promise<number | null> } {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      MAIN,
      '--artifacts',
      inject('fixtureArtifacts'),
      '--port',
      String(port),
      '--log-level',
      'warn',
      ...extra,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  started.push(child);
  return { child, exit };
}

async function ready(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('server not ready in 30 s');
}

describe('the server process', () => {
  it('finishes an in-flight request on SIGTERM, then exits 0', async () => {
    const port = await freePort();
    const { child, exit } = start(port);
    await ready(`http://127.0.0.1:${port}`);
    const body = JSON.stringify({ instances: [CREDIT_ROW] });
    // Headers and half the body now; the rest after the signal: the request is in flight.
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/models/credit/predict',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 20));
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(20)), 300);
      }, 100);
    });
    const { status, text } = await answer;
    expect(status).toBe(200);
    expect(JSON.parse(text).model.name).toBe('credit');
    expect(await exit).toBe(0);
    // Stopped accepting: nothing listens any more.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('serves from every worker with --workers 2, metrics of all, and stops them all on SIGINT', async () => {
    const port = await freePort();
    const { child, exit } = start(port, ['--workers', '2']);
    const url = `http://127.0.0.1:${port}`;
    await ready(url);
    const pids = new Set<string>();
    // Each worker listens once its models are loaded; the second may still be loading.
    const deadline = Date.now() + 30_000;
    while (pids.size < 2 && Date.now() < deadline) {
      // A new connection each time, so the cluster spreads them over the workers.
      const res = await fetch(`${url}/metrics?scope=process`, { headers: { connection: 'close' } });
      const text = await res.text();
      const pid = /^tandem_process_info\{pid="(\d+)",worker="[1-9]\d*"\} 1$/m.exec(text)?.[1];
      if (pid !== undefined) pids.add(pid);
    }
    expect(pids.size).toBe(2);

    const requests = 12;
    for (let i = 0; i < requests; i++) {
      const predict = await fetch(`${url}/v1/models/credit/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify({ instances: [CREDIT_ROW, CREDIT_ROW] }),
      });
      expect(predict.status).toBe(200);
    }
    // Whichever worker answers the scrape, it reports both workers' counts, summed.
    const rowsOf = (text: string): number =>
      [...text.matchAll(/^tandem_rows_predicted_total\{model="credit",version="\d+"\} (\d+)$/gm)]
        .map((match) => Number(match[1]))
        .reduce((a, b) => a + b, 0);
    const served = (text: string): string | undefined =>
      /^tandem_model_versions_served\{model="credit"\} (\d+)$/m.exec(text)?.[1];
    const own = await (await fetch(`${url}/metrics?scope=process`)).text();
    expect(rowsOf(own)).toBeLessThanOrEqual(2 * requests);
    expect(own.match(/^tandem_process_info\{/gm)).toHaveLength(1);
    for (let scrape = 0; scrape < 4; scrape++) {
      const res = await fetch(`${url}/metrics`, { headers: { connection: 'close' } });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(rowsOf(text)).toBe(2 * requests);
      expect(text.match(/^tandem_process_info\{/gm)).toHaveLength(2);
      // Both workers serve the same versions: the cluster serves as many, not twice as many.
      expect(served(text)).toBe(served(own));
    }

    child.kill('SIGINT');
    expect(await exit).toBe(0);
  });

  it('refuses a bad configuration with exit code 2 and the problem', async () => {
    const { child, exit } = start(0, ['--max-rows', 'lots']);
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    expect(await exit).toBe(2);
    expect(stderr).toContain('--max-rows');
  });
});
