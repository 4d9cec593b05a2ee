import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CREDIT_ROW, listening } from './helpers.ts';

/**
 * Requests recorded byte for byte from real clients against this server (through a TCP proxy):
 * - tritonclient-http-2.0.8.bin: Triton's Python client (tritonclient.http, triton-inference-server/
 *   client at 58a44ca, geventhttpclient 2.0.8) on one keep-alive connection: health live and
 *   ready, model ready, server and model metadata, then infer with requested outputs and a
 *   request id in JSON mode (no Content-Type), JSON + gzip, binary tensors, binary + gzip.
 * - tfserving-doc-curl-7.88.1.bin: TF Serving's documented REST example, `curl -d '{"instances":
 *   …}' -X POST …:predict` (curl sends it as application/x-www-form-urlencoded).
 * Replaying them keeps those clients working without installing them.
 */
const recorded = (name: string) => readFileSync(new URL(`./clients/${name}`, import.meta.url));

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Sends `bytes` on one connection and reads `count` HTTP/1.1 answers (Content-Length framed). */
function replay(port: number, bytes: Buffer, count: number): Promise<Answer[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    const answers: Answer[] = [];
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) break;
        const head = buffer.subarray(0, end).toString('latin1').split('\r\n');
        const headers: Record<string, string> = {};
        for (const line of head.slice(1)) {
          const at = line.indexOf(':');
          headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
        }
        const length = Number(headers['content-length'] ?? 0);
        if (buffer.length < end + 4 + length) break;
        answers.push({
          status: Number(head[0]?.split(' ')[1]),
          headers,
          body: buffer.subarray(end + 4, end + 4 + length),
        });
        buffer = buffer.subarray(end + 4 + length);
      }
      if (answers.length >= count) {
        socket.destroy();
        resolve(answers);
      }
    });
    socket.on('error', reject);
    socket.write(bytes);
  });
}

let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  const started = await listening(inject('fixtureArtifacts'));
  app = started.app;
  port = Number(new URL(started.url).port);
});

afterAll(async () => {
  await app.close();
});

describe("Triton's Python HTTP client", () => {
  it('gets health, metadata and the same predictions in JSON, gzip and binary modes', async () => {
    const answers = await replay(port, recorded('tritonclient-http-2.0.8.bin'), 9);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200]);
    expect(JSON.parse(answers[0]!.body.toString())).toEqual({ live: true });
    expect(JSON.parse(answers[1]!.body.toString())).toMatchObject({ ready: true });
    expect(JSON.parse(answers[3]!.body.toString()).extensions).toContain('binary_tensor_data');
    expect(JSON.parse(answers[4]!.body.toString()).name).toBe('credit');

    // The recorded rows: the credit row as the script built it (Records sent as BOOL true).
    const row = { ...CREDIT_ROW, Records: true };
    const served = app.tandem.registry.select('credit');
    const want = Array.from(served.predictor.predictBatch([row]).outputs);
    const json = answers.slice(5, 7).map((a) => JSON.parse(a.body.toString()));
    expect(json.map((j) => j.id)).toEqual(['req-False-None', 'req-False-gzip']);
    for (const j of json) {
      expect(j.outputs.map((o: { name: string }) => o.name)).toEqual(['probabilities', 'label']);
      expect(j.outputs[0].data.map(Math.fround)).toEqual(want);
    }
    for (const [i, id] of [
      [7, 'req-True-None'],
      [8, 'req-True-gzip'],
    ] as const) {
      const a = answers[i]!;
      expect(a.headers['content-type']).toBe('application/octet-stream');
      const headerLength = Number(a.headers['inference-header-content-length']);
      const header = JSON.parse(a.body.subarray(0, headerLength).toString());
      expect(header.id).toBe(id);
      const data = a.body.subarray(headerLength, headerLength + 8);
      const probabilities = Array.from(new Float32Array(new Uint8Array(data).buffer));
      expect(probabilities).toEqual(want);
    }
  });
});

describe("TF Serving's documented curl example", () => {
  it('predicts, though curl labels the JSON as a form', async () => {
    const [answer] = await replay(port, recorded('tfserving-doc-curl-7.88.1.bin'), 1);
    expect(answer?.status).toBe(200);
    const served = app.tandem.registry.select('credit');
    const want = Array.from(served.predictor.predictBatch([CREDIT_ROW]).outputs);
    expect(JSON.parse(answer!.body.toString()).predictions[0].map(Math.fround)).toEqual(want);
  });
});
