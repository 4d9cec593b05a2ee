import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serialize } from 'node:v8';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, predictorFromParts, predictorFromTrees } from '../src/index.ts';
import { binaryModel, labels, tinyPipeline } from './fixtures/tiny.ts';
import { binaryTrees, treePipeline } from './fixtures/trees.ts';

const RUNTIME_DIR = fileURLToPath(new URL('..', import.meta.url));
const ROWS = [{ x: 10, c: 'a' }, { x: null, c: 'zz' }, { x: 'abc', c: 'b' }, { x: 2.5 }];

/**
 * Run in a fresh Node process: imports `specifier`, reads a replica (v8.serialize, the structured
 * clone format postMessage uses) from stdin, predicts ROWS with it, and reports whether tfjs was
 * loaded. Two independent signs of tfjs: tfjs-core creates its engine as `globalThis._tfengine`
 * when its module is evaluated, whichever loader ran it; and tfjs is CommonJS, so each of its
 * files lands in the require cache, even when reached through `import`.
 */
const CHILD = `
import { createRequire } from 'node:module';
import { deserialize } from 'node:v8';
const { Predictor } = await import(process.argv[1]);
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const predictor = Predictor.fromReplica(deserialize(Buffer.concat(chunks)));
const batch = predictor.predictBatch(${JSON.stringify(ROWS)}, { errors: 'collect' });
const cached = Object.keys(createRequire(import.meta.url).cache);
process.stdout.write(JSON.stringify({
  engine: predictor.engine,
  outputs: Array.from(new Uint32Array(batch.outputs.buffer)),
  rejected: batch.rejected,
  tfjsEngine: '_tfengine' in globalThis,
  tfjsFiles: cached.filter((path) => path.includes('@tensorflow')).length,
}));
`;

interface ChildReport {
  engine: string;
  outputs: number[];
  rejected: number[];
  tfjsEngine: boolean;
  tfjsFiles: number;
}

function predictInChild(specifier: string, replica: Buffer): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', CHILD, specifier],
      { cwd: RUNTIME_DIR, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as ChildReport);
      else reject(new Error(`the child exited with ${code}: ${stderr}`));
    });
    child.stdin.end(replica);
  });
}

describe('@tandem/runtime/predictor', () => {
  let replica: Buffer;
  let expected: { outputs: number[]; rejected: number[] };

  beforeAll(async () => {
    await initBackend({ preferred: 'wasm', log: () => {} });
    const model = binaryModel();
    const predictor = predictorFromParts(
      { manifest: { name: 'b', task: 'binary' }, pipeline: tinyPipeline(), labels, model },
      { engine: 'dense', log: () => {} },
    );
    model.dispose();
    replica = serialize(predictor.replica());
    const batch = predictor.predictBatch(ROWS, { errors: 'collect' });
    expected = { outputs: Array.from(new Uint32Array(batch.outputs.buffer)), rejected: [2] };
    expect(batch.rejected).toEqual(expected.rejected);
  });

  it('rebuilds a replica and predicts without loading tfjs', async () => {
    const report = await predictInChild('@tandem/runtime/predictor', replica);
    expect(report).toEqual({ engine: 'dense', ...expected, tfjsEngine: false, tfjsFiles: 0 });
  });

  it('rebuilds a tree replica and predicts without loading tfjs', async () => {
    const predictor = predictorFromTrees({
      meta: { name: 't', task: 'binary' },
      pipeline: treePipeline(),
      labels,
      trees: binaryTrees(),
    });
    const rows = [{ x: 10, c: 'a' }, { x: null, c: 'zz' }, { x: 'abc', c: 'b' }, { x: 2.5 }];
    const batch = predictor.predictBatch(rows, { errors: 'collect' });
    const report = await predictInChild(
      '@tandem/runtime/predictor',
      serialize(predictor.replica()),
    );
    expect(report).toEqual({
      engine: 'trees',
      outputs: Array.from(new Uint32Array(batch.outputs.buffer)),
      rejected: [2],
      tfjsEngine: false,
      tfjsFiles: 0,
    });
  });

  // The control: the same child sees tfjs when the module it imports loads it.
  it('would notice tfjs: the package index loads it', async () => {
    const report = await predictInChild('@tandem/runtime', replica);
    expect(report.tfjsEngine).toBe(true);
    expect(report.tfjsFiles).toBeGreaterThan(0);
    expect(report.outputs).toEqual(expected.outputs);
  });
});
