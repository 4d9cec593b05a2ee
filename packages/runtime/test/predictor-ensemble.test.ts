import type { RawRow } from '@tandem/features';
import type { FileModelStore } from '@tandem/model-store';
import { describe, expect, it } from 'vitest';
import {
  encodeEnsembleFile,
  encodeFeaturesFile,
  memberFiles,
  Predictor,
  predictorFromParts,
  predictorFromStoredVersion,
  type RuntimeError,
  serializeModel,
  type tf,
} from '../src/index.ts';
import { randomDenseModel } from './fixtures/random-models.ts';
import { useTempStore } from './fixtures/temp-store.ts';
import { draftFor, labels, tinyPipeline } from './fixtures/tiny.ts';

const quiet = { log: () => {} };
let store: FileModelStore;
useTempStore('tandem-ensemble-', (created) => {
  store = created;
});

const ROWS: RawRow[] = [
  { x: 10, c: 'a' },
  { x: null, c: 'b' },
  { x: 'abc', c: 'a' },
  { x: 20, c: 'zz' },
  ...Array.from({ length: 20 }, (_, i) => ({ x: i / 2, c: i % 3 ? 'a' : 'b' })),
];

const model = (seed: number) =>
  randomDenseModel({ inputs: 3, hidden: [4], activation: 'relu', head: 'binary', seed });

function member(seed: number, network: tf.LayersModel): Predictor {
  return predictorFromParts(
    {
      manifest: { name: `member-${seed}`, version: 0, task: 'binary', target: 'y' },
      pipeline: tinyPipeline(),
      labels,
      model: network,
    },
    { ...quiet, engine: 'dense' },
  );
}

describe('an ensemble predictor', () => {
  it('gives the float64 weighted sum of its members, value by value, rejected rows NaN', () => {
    const a = member(1, model(1));
    const b = member(2, model(2));
    const blend = new Predictor({
      meta: { name: 'blend', version: 1, task: 'binary', target: 'y', sample: { x: 1, c: 'a' } },
      members: [
        { model: 'mlp', weight: 0.25, predictor: a },
        { model: 'linear', weight: 0.75, predictor: b },
      ],
    });
    expect(blend.engine).toBe('ensemble');
    const outA = a.predictBatch(ROWS, { errors: 'collect' });
    const outB = b.predictBatch(ROWS, { errors: 'collect' });
    const out = blend.predictBatch(ROWS, { errors: 'collect' });
    expect(out.rejected).toEqual([2]);
    expect(out.errors.map((e) => [e.row, e.column])).toEqual([[2, 'x']]);
    for (let i = 0; i < out.outputs.length; i++) {
      const row = Math.floor(i / 2);
      if (row === 2) expect(out.outputs[i]).toBeNaN();
      else {
        const expected = Math.fround(0.25 * outA.outputs[i]! + 0.75 * outB.outputs[i]!);
        expect(out.outputs[i]).toBe(expected);
      }
    }
    // A replica rebuilds it bit for bit; margins and explanations need a single model.
    const rebuilt = Predictor.fromReplica(blend.replica()!);
    expect(Array.from(rebuilt.predictBatch(ROWS, { errors: 'collect' }).outputs)).toEqual(
      Array.from(out.outputs),
    );
    expect(() => blend.predictMargins(ROWS)).toThrow(/ensemble engine/);
  });

  it('refuses members whose weights do not sum to 1', () => {
    expect(
      () =>
        new Predictor({
          meta: { name: 'blend', version: 1, task: 'binary' },
          members: [
            { model: 'mlp', weight: 0.5, predictor: member(3, model(3)) },
            { model: 'mlp', weight: 0.6, predictor: member(4, model(4)) },
          ],
        }),
    ).toThrow(/sum to 1/);
  });

  it('loads from a stored version (ensemble.json + member files) to the same outputs', async () => {
    const networks = [model(5), model(6)];
    const files: Record<string, Uint8Array> = {
      'ensemble.json': encodeEnsembleFile([
        { model: 'mlp', weight: 0.4 },
        { model: 'linear', weight: 0.6 },
      ]),
      'features.json': encodeFeaturesFile({ pipeline: tinyPipeline(), labels }),
    };
    for (const [index, network] of networks.entries()) {
      Object.assign(
        files,
        memberFiles(index, {
          ...(await serializeModel(network)),
          'features.json': encodeFeaturesFile({ pipeline: tinyPipeline(), labels }),
        }),
      );
    }
    const { version } = await store.writeVersion('blend', files, () =>
      draftFor('binary', labels.classes),
    );
    const loaded = await predictorFromStoredVersion(await store.readVersion('blend', version), {
      ...quiet,
      engine: 'dense',
    });
    const [a, b] = networks.map((network, i) => member(10 + i, network));
    const expected = a!
      .predictBatch(ROWS, { errors: 'collect' })
      .outputs.map(
        (value, i) => 0.4 * value + 0.6 * b!.predictBatch(ROWS, { errors: 'collect' }).outputs[i]!,
      );
    const got = loaded.predictBatch(ROWS, { errors: 'collect' }).outputs;
    expect(Array.from(got)).toEqual(Array.from(expected));
    expect(loaded.blendMembers.map((m) => [m.model, m.weight])).toEqual([
      ['mlp', 0.4],
      ['linear', 0.6],
    ]);

    // A member file missing from the version is a load failure naming it.
    const { 'member-2.weights.bin': _gone, ...broken } = files;
    const bad = await store.writeVersion('blend', broken, () => draftFor('binary', labels.classes));
    const failure = await predictorFromStoredVersion(
      await store.readVersion('blend', bad.version),
      quiet,
    ).catch((error: RuntimeError) => error);
    expect((failure as RuntimeError).code).toBe('TANDEM_MODEL_LOAD_FAILED');
    expect((failure as RuntimeError).message).toMatch(/weights\.bin/);
  });
});
