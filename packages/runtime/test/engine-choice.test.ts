import { beforeAll, describe, expect, it } from 'vitest';
import { chooseEngine } from '../src/engine-choice.ts';
import { initBackend, tf } from '../src/index.ts';
import { randomDenseModel } from './fixtures/random-models.ts';

beforeAll(async () => {
  await initBackend({ preferred: 'wasm', log: () => {} });
});

function collect(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}

describe('chooseEngine', () => {
  const model = randomDenseModel({
    inputs: 6,
    hidden: [8],
    activation: 'relu',
    head: 'binary',
    seed: 2,
  });

  it('takes the dense engine for a dense stack, tfjs when asked by option or TANDEM_ENGINE', () => {
    expect(chooseEngine(model, {}, {}).engine.kind).toBe('dense');
    expect(chooseEngine(model, { engine: 'tfjs' }, {}).engine.kind).toBe('tfjs');
    expect(chooseEngine(model, {}, { TANDEM_ENGINE: 'tfjs' }).engine.kind).toBe('tfjs');
    expect(chooseEngine(model, { engine: 'dense' }, { TANDEM_ENGINE: 'tfjs' }).engine.kind).toBe(
      'dense',
    );
    expect(() => chooseEngine(model, {}, { TANDEM_ENGINE: 'fast' })).toThrow(
      /TANDEM_ENGINE="fast"/,
    );
  });

  it('uses tfjs for other models, saying why only when dense was asked for', () => {
    const other = tf.sequential({
      layers: [
        tf.layers.dense({ units: 3, inputShape: [6] }),
        tf.layers.batchNormalization(),
        tf.layers.dense({ units: 1 }),
      ],
    });
    const quiet = collect();
    expect(chooseEngine(other, { log: quiet.log }, {}).engine.kind).toBe('tfjs');
    expect(quiet.lines).toEqual([]);
    const asked = collect();
    expect(chooseEngine(other, { engine: 'dense', log: asked.log }, {}).engine.kind).toBe('tfjs');
    expect(asked.lines).toEqual([
      expect.stringMatching(
        /^dense engine not usable \(layer .+ is a BatchNormalization\); using tfjs$/,
      ),
    ]);
    other.dispose();
  });

  it('falls back to tfjs when the dense engine disagrees on the probe rows', () => {
    // The layer's config still says softmax, but tfjs now computes a sigmoid: only the probe
    // comparison can notice.
    const odd = tf.sequential({
      layers: [tf.layers.dense({ units: 2, inputShape: [6], activation: 'softmax' })],
    });
    const layer = odd.layers[0] as unknown as {
      activation: { apply: (x: tf.Tensor) => tf.Tensor };
    };
    layer.activation.apply = (x) => tf.sigmoid(x);
    const { lines, log } = collect();
    expect(chooseEngine(odd, { log }, {}).engine.kind).toBe('tfjs');
    expect(lines).toEqual([
      expect.stringMatching(/^dense engine disagrees with tfjs \(output \d+: .+\); using tfjs$/),
    ]);
    odd.dispose();
  });
});
