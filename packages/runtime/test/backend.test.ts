import { describe, expect, it } from 'vitest';
import { type BackendLoaders, initBackend, selectBackend } from '../src/backend.ts';
import { tf } from '../src/index.ts';

const real: BackendLoaders = {
  tensorflow: () => Promise.reject(new Error('unused')),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
  cpu: async () => undefined,
};

function collect(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}

describe('selectBackend', () => {
  it('falls back to wasm with one log line when tfjs-node cannot be imported', async () => {
    const { lines, log } = collect();
    const loaders = {
      ...real,
      tensorflow: () => Promise.reject(new Error("Cannot find package '@tensorflow/tfjs-node'")),
    };
    const info = await selectBackend({ log }, loaders, {});
    expect(info).toEqual({ name: 'wasm', tfjsVersion: tf.version.tfjs });
    expect(tf.getBackend()).toBe('wasm');
    expect(lines).toEqual([
      "tfjs-node not available (Cannot find package '@tensorflow/tfjs-node'); using wasm",
    ]);
  });

  it('falls back when tfjs-node imports but never registers its backend', async () => {
    const { lines, log } = collect();
    const info = await selectBackend({ log }, { ...real, tensorflow: async () => ({}) }, {});
    expect(info.name).toBe('wasm');
    expect(lines).toEqual([
      "tfjs-node not available (it did not register backend 'tensorflow' with our tfjs); using wasm",
    ]);
  });

  it('falls back when a registered native backend fails to initialise', async () => {
    const { lines, log } = collect();
    const broken = async () => {
      if (!tf.findBackendFactory('tensorflow')) {
        // Like a native binding that loads and then fails.
        tf.registerBackend('tensorflow', () => {
          throw new Error('libtensorflow.so: undefined symbol');
        });
      }
    };
    const info = await selectBackend({ log }, { ...real, tensorflow: broken }, {});
    expect(info.name).toBe('wasm');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^tfjs-node not available \(.+\); using wasm$/);
    tf.removeBackend('tensorflow');
  });

  it('honours TANDEM_BACKEND without loading tfjs-node, and preferred over it', async () => {
    let imported = false;
    const loaders = {
      ...real,
      tensorflow: async () => {
        imported = true;
        throw new Error('absent');
      },
    };
    expect((await selectBackend({ log: () => {} }, loaders, { TANDEM_BACKEND: 'cpu' })).name).toBe(
      'cpu',
    );
    expect(imported).toBe(false);
    expect(tf.getBackend()).toBe('cpu');
    const preferred = await selectBackend({ preferred: 'wasm' }, loaders, {
      TANDEM_BACKEND: 'cpu',
    });
    expect(preferred.name).toBe('wasm');
  });

  it('refuses an unknown TANDEM_BACKEND, naming it', async () => {
    await expect(selectBackend({}, real, { TANDEM_BACKEND: 'gpu' })).rejects.toMatchObject({
      code: 'TANDEM_BACKEND_INVALID',
      message: expect.stringContaining('TANDEM_BACKEND="gpu"'),
    });
  });

  it('falls back from wasm to cpu', async () => {
    const { lines, log } = collect();
    const loaders = { ...real, wasm: () => Promise.reject(new Error('no wasm')) };
    const info = await selectBackend({ preferred: 'wasm', log }, loaders, {});
    expect(info.name).toBe('cpu');
    expect(lines).toEqual([
      'tfjs-backend-wasm not available (no wasm); using cpu',
      'tfjs-node not available (unused); using cpu',
    ]);
  });
});

describe('initBackend', () => {
  it('selects once and returns the cached result afterwards', async () => {
    const { lines, log } = collect();
    const first = await initBackend({ log });
    // Here tfjs-node is not installed: wasm, with one line saying why.
    expect(['tensorflow', 'wasm']).toContain(first.name);
    if (first.name === 'wasm')
      expect(lines[0]).toMatch(/^tfjs-node not available \(.+\); using wasm$/);
    const second = await initBackend({ preferred: 'cpu', log });
    expect(second).toBe(first);
    expect(tf.getBackend()).toBe(first.name);
  });
});
