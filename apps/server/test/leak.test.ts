import { tf } from '@tandem/runtime';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { CREDIT_ROW, loaded } from './helpers.ts';

/** 10,000 predictions through the HTTP stack must leave the tfjs tensor count where it was. */
describe.each(['tfjs', 'auto'] as const)('no tensor leak (%s engine)', (engine) => {
  let app: FastifyInstance;
  afterAll(() => app.close());

  it('keeps the tensor count equal across 10,000 predictions', async () => {
    app = await loaded(inject('fixtureArtifacts'), ['--engine', engine]);
    const served = app.tandem.registry.select('credit');
    if (engine === 'tfjs') expect(served.predictor.engine).toBe('tfjs');
    const rows = [CREDIT_ROW, { ...CREDIT_ROW, Home: 'castle', Income: null }];
    const payload = JSON.stringify({ instances: rows });
    const before = tf.memory().numTensors;
    let predicted = 0;
    for (let i = 0; i < 5_000; i++) {
      const res = await app.inject({
        method: 'POST',
        url: i % 2 === 0 ? '/v1/models/credit/predict' : '/v1/models/credit:predict',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      if (res.statusCode === 200) predicted += 2;
    }
    expect(predicted).toBe(10_000);
    expect(tf.memory().numTensors).toBe(before);
  });
});
