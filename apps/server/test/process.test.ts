import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort, serverProcessArgv, waitUntilReady } from '@tandem/fixtures';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CREDIT_ROW } from './helpers.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

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
    serverProcessArgv(MAIN, inject('fixtureArtifacts'), port, extra),
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  started.push(child);
  return { child, exit };
}

/** Generous: two workers loading models on a busy 2-core machine take a while. */
function ready(url: string): Promise<void> {
  return waitUntilReady(url, { timeoutMs: 90_000 });
}

/** One POST over a keep-alive agent: the status, or the error code (ECONNRESET, …). */
function keepAlivePost(agent: Agent, port: number, body: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/models/credit/predict',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pids of the cluster's workers, from /metrics?scope=process over fresh connections. */
async function workerPids(url: string, count: number): Promise<Set<string>> {
  const pids = new Set<string>();
  const deadline = Date.now() + 90_000;
  while (pids.size < count && Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/metrics?scope=process`, { headers: { connection: 'close' } });
      const text = await res.text();
      const pid = /^tandem_process_info\{pid="(\d+)",worker="[1-9]\d*"\} 1$/m.exec(text)?.[1];
      if (pid !== undefined) pids.add(pid);
    } catch {
      await sleep(20);
    }
  }
  return pids;
}

describe('the server process', () => {
  it('finishes an in-flight request on SIGTERM, then exits 0', async () => {
    const port = await freePort();
    const { child, exit } = start(port, ['--drain-delay', '0']);
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
    const { child, exit } = start(port, ['--workers', '2', '--drain-delay', '0']);
    const url = `http://127.0.0.1:${port}`;
    await ready(url);
    const pids = new Set<string>();
    // Each worker listens once its models are loaded; the second may still be loading.
    const deadline = Date.now() + 90_000;
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
  }, 240_000);

  it('loses no request on SIGTERM under load: not ready at once, drains, exits 0', async () => {
    const port = await freePort();
    const { child, exit } = start(port, ['--drain-delay', '1500']);
    const url = `http://127.0.0.1:${port}`;
    await ready(url);
    const body = JSON.stringify({ instances: [CREDIT_ROW] });
    const outcomes = new Map<number | string, number>();
    let signalled = 0;
    let notReadyAt = 0;
    let stop = false;
    // 8 keep-alive clients, as a load balancer's pool; they stop sending once /readyz says 503
    // and a load balancer would have taken the instance out (here: 500 ms later).
    const client = async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      while (!stop) {
        const outcome = await keepAlivePost(agent, port, body);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
      agent.destroy();
    };
    const clients = Array.from({ length: 8 }, client);
    await sleep(500);
    signalled = Date.now();
    child.kill('SIGTERM');
    while (notReadyAt === 0) {
      const res = await fetch(`${url}/readyz`, { headers: { connection: 'close' } });
      if (res.status === 503) notReadyAt = Date.now();
      await res.arrayBuffer();
    }
    await sleep(500);
    stop = true;
    await Promise.all(clients);
    expect(notReadyAt - signalled).toBeLessThan(500);
    expect([...outcomes.keys()]).toEqual([200]);
    expect(outcomes.get(200)).toBeGreaterThan(50);
    expect(await exit).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(5_000);
  });

  it('does not wait for an idle keep-alive socket on SIGTERM', async () => {
    const port = await freePort();
    const { child, exit } = start(port, ['--drain-delay', '200']);
    await ready(`http://127.0.0.1:${port}`);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const body = JSON.stringify({ instances: [CREDIT_ROW] });
    expect(await keepAlivePost(agent, port, body)).toBe(200);
    const signalled = Date.now();
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(3_000);
    agent.destroy();
  });

  it('restarts workers that all die at once, and keeps serving', async () => {
    const port = await freePort();
    const { child, exit } = start(port, ['--workers', '2', '--drain-delay', '0']);
    const url = `http://127.0.0.1:${port}`;
    await ready(url);
    const pids = await workerPids(url, 2);
    expect(pids.size).toBe(2);
    for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
    await sleep(300);
    expect(child.exitCode).toBeNull();
    await ready(url);
    const fresh = await workerPids(url, 1);
    expect([...fresh].some((pid) => pids.has(pid))).toBe(false);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 240_000);

  it('exits non-zero when no worker can listen (the port is busy)', async () => {
    const port = await freePort();
    const squatter = createServer().listen(port, '127.0.0.1');
    await new Promise((r) => squatter.once('listening', r));
    try {
      const { exit } = start(port, ['--workers', '2']);
      expect(await exit).toBe(1);
    } finally {
      squatter.close();
    }
  }, 120_000);

  it('refuses a bad configuration with exit code 2 and the problem', async () => {
    const { child, exit } = start(0, ['--max-rows', 'lots']);
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    expect(await exit).toBe(2);
    expect(stderr).toContain('--max-rows');
  });
});
