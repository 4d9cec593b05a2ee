import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FileModelStore } from '@tandem/model-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { train } from '../src/index.ts';
import { spawnCli, tempDir, writeJson } from './support.ts';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir('kill'));
});
afterAll(() => remove());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a trainer killed while writing', () => {
  it('leaves no visible partial version, and the next writer cleans up after it', async () => {
    const data = path.join(dir, 'data.csv');
    const rows = Array.from(
      { length: 40 },
      (_, i) => `${i},${(i * 7) % 13},${i % 2 === 0 ? 'a' : 'b'}`,
    );
    await writeFile(data, `x,z,label\n${rows.join('\n')}\n`);
    // Two 4096-wide layers: a 64 MiB weights.bin, so writing the version takes long enough to
    // be interrupted on purpose.
    const config = await writeJson(path.join(dir, 'big.json'), {
      name: 'big',
      data,
      target: 'label',
      task: 'binary',
      model: { type: 'mlp', hidden: [4096, 4096] },
      training: { epochs: 1, earlyStopping: false },
    });
    const artifacts = path.join(dir, 'artifacts');
    const modelDir = path.join(artifacts, 'big');
    const child = spawnCli('train', ['--config', config, '--artifacts', artifacts]);
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('close', (_code, signal) => resolve(signal)),
    );

    // Wait until the store is writing weights.bin into its temporary directory, then kill.
    let temp: string | undefined;
    let writing = false;
    let running = true;
    void exited.then(() => {
      running = false;
    });
    while (running && !writing) {
      const entries = await readdir(modelDir).catch(() => [] as string[]);
      temp = entries.find((entry) => entry.startsWith('.tmp-'));
      if (temp !== undefined) {
        const inside = await readdir(path.join(modelDir, temp)).catch(() => [] as string[]);
        writing = inside.includes('weights.bin');
      }
      if (!writing) await sleep(1);
    }
    expect(writing, `the trainer finished before it was seen writing weights.bin\n${stderr}`).toBe(
      true,
    );
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const store = new FileModelStore(artifacts);
    expect(await store.listVersions('big')).toEqual([]);
    const entries = await readdir(modelDir);
    expect(entries).toContain(temp);
    // Nothing but the abandoned temporary directory: no version folder, complete or not.
    expect(entries.filter((entry) => !entry.startsWith('.tmp-'))).toEqual([]);

    // The next trainer claims version 1 and removes the dead writer's leftovers.
    const next = await train({
      config: { name: 'big', data, target: 'label', task: 'binary', training: { epochs: 2 } },
      artifacts,
    });
    next.predictor.dispose();
    expect(next.version).toBe(1);
    expect(await store.listVersions('big')).toEqual([1]);
    expect((await store.readVersion('big', 1)).manifest.version).toBe(1);
    expect((await readdir(modelDir)).filter((entry) => entry.startsWith('.tmp-'))).toEqual([]);
  });
});
