import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CREDIT_ROW, listening } from './helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
const json = (res: Response): Promise<any> => res.json();

const apps: FastifyInstance[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const app of apps.splice(0)) await app.close();
});

async function serve(argv: string[]): Promise<{ url: string; port: number }> {
  const { app, url } = await listening(inject('fixtureArtifacts'), argv);
  apps.push(app);
  return { url, port: Number(new URL(url).port) };
}

/** A raw connection; resolves with everything the server sent once it closes the socket. */
function raw(port: number, text: string): { socket: Socket; closed: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  socket.on('data', (chunk) => (received += chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  socket.write(text);
  return { socket, closed };
}

/** Resolves with what the server sent, or 'still open' when it keeps the socket past `ms`. */
function within(ms: number, closed: Promise<string>): Promise<string> {
  return Promise.race([closed, new Promise<string>((r) => setTimeout(() => r('still open'), ms))]);
}

const POST_HEAD = (extra: string) =>
  `POST /v1/models/credit/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${extra}\r\n`;

describe('slow clients', () => {
  const argv = ['--request-timeout', '1000', '--headers-timeout', '500'];

  it('are answered 408 in Tandem envelope and disconnected: no body, a trickle, endless chunks', async () => {
    const { port } = await serve(argv);
    const noBody = raw(port, POST_HEAD('Content-Length: 100\r\n'));
    const chunked = raw(port, `${POST_HEAD('Transfer-Encoding: chunked\r\n')}5\r\n{"ins\r\n`);
    const trickle = raw(port, POST_HEAD('Content-Length: 100\r\n'));
    const timer = setInterval(() => trickle.socket.write(' '), 200);
    const slowHeaders = raw(port, 'POST /v1/models/credit/predict HTTP/1.1\r\nHost: x\r\n');
    try {
      for (const client of [noBody, chunked, trickle, slowHeaders]) {
        const answer = await within(8_000, client.closed);
        expect(answer).toMatch(/^HTTP\/1\.1 408 /);
        expect(answer).toContain('"code":"TANDEM_REQUEST_TIMEOUT"');
      }
    } finally {
      clearInterval(timer);
    }
  });

  it('cannot hold more sockets than the connection cap', async () => {
    const { port, url } = await serve(['--max-connections', '3']);
    const held = [0, 1, 2].map(() => raw(port, ''));
    await new Promise((r) => setTimeout(r, 200));
    const extra = raw(port, '');
    expect(await within(3_000, extra.closed)).toBe('');
    for (const h of held) h.socket.destroy();
    await new Promise((r) => setTimeout(r, 200));
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});

describe("fastify's and Node's own errors", () => {
  it('answer in Tandem envelope: 414, 431 and a bad URL', async () => {
    const { url, port } = await serve([]);
    const long = await fetch(`${url}/v1/models/${'m'.repeat(300)}`);
    expect(long.status).toBe(414);
    expect((await json(long)).error.code).toBe('TANDEM_URL_TOO_LONG');
    const bad = await fetch(`${url}/v1/models/%E0%A4%A`);
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.code).toBe('TANDEM_REQUEST_INVALID');
    const big = raw(
      port,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    const answer = await within(5_000, big.closed);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain('"code":"TANDEM_HEADERS_TOO_LARGE"');
  });
});

describe('admission control', () => {
  /** A predict request whose body never completes: it stays in flight. */
  const hold = (port: number) => raw(port, `${POST_HEAD('Content-Length: 1000\r\n')}{"inst`);

  it('answers 429 to a client over its in-flight budget, with Retry-After; probes stay fast', async () => {
    const { port, url } = await serve(['--max-in-flight-per-client', '2']);
    hold(port);
    hold(port);
    await new Promise((r) => setTimeout(r, 200));
    const refused = await fetch(`${url}/v1/models/credit/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [CREDIT_ROW] }),
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await json(refused)).error.code).toBe('TANDEM_CLIENT_BUSY');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('answers 503 when the server is over its budget, and admits again once requests finish', async () => {
    const { port, url } = await serve(['--max-in-flight', '2']);
    const held = [hold(port), hold(port)];
    await new Promise((r) => setTimeout(r, 200));
    const post = () =>
      fetch(`${url}/v2/models/credit/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          inputs: [{ name: 'Age', shape: [1], datatype: 'FP64', data: [30] }],
        }),
      });
    const refused = await post();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('x-tandem-error-code')).toBe('TANDEM_SERVER_BUSY');
    expect(typeof (await json(refused)).error).toBe('string');
    for (const h of held) h.socket.destroy();
    await new Promise((r) => setTimeout(r, 200));
    expect((await post()).status).toBe(200);
  });

  it('refuses a request over the cell limit with 413 before predicting', async () => {
    const { url } = await serve(['--max-cells', '1000']);
    const res = await fetch(`${url}/v1/models/credit/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: Array.from({ length: 100 }, () => CREDIT_ROW) }),
    });
    expect(res.status).toBe(413);
    expect((await json(res)).error.code).toBe('TANDEM_REQUEST_TOO_MANY_CELLS');
  });
});

describe('wide CSV bodies', () => {
  const columns = [
    ...Object.keys(CREDIT_ROW),
    ...Array.from({ length: 457 }, (_, i) => `extra_${i}`),
  ];
  const line = [
    ...Object.values(CREDIT_ROW).map(String),
    ...Array.from({ length: 457 }, (_, i) => String(i % 10)),
  ].join(',');
  const wide = (rows: number) => `${columns.join(',')}\n${`${line}\n`.repeat(rows)}`;

  it('are refused by the default cell limit at once', async () => {
    const { url } = await serve([]);
    const res = await fetch(`${url}/v1/models/credit/predict`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: wide(10_000),
    });
    expect(res.status).toBe(413);
    expect((await json(res)).error.code).toBe('TANDEM_REQUEST_TOO_MANY_CELLS');
  });

  it('are parsed and answered without holding /healthz, inputs echoed or not', async () => {
    const { url } = await serve(['--max-cells', '5000000']);
    const body = wide(10_000);
    let done = false;
    const answer = fetch(`${url}/v1/models/credit/predict?echo=false`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body,
    }).then(async (res) => {
      const text = await res.text();
      done = true;
      return { status: res.status, text };
    });
    // Probes answered while the wide body is parsed and predicted: the event loop keeps turning.
    let probes = 0;
    while (!done) {
      const res = await fetch(`${url}/healthz`);
      if (!done && res.status === 200) probes++;
    }
    const { status, text } = await answer;
    expect(status).toBe(200);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('label,probability_bad,probability_good');
    expect(lines).toHaveLength(10_001);
    expect(probes).toBeGreaterThan(10);
  });
});
