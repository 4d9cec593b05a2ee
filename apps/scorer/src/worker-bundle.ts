import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const SCORING_WORKER = fileURLToPath(new URL('./scoring-worker.ts', import.meta.url));

let bundled: Promise<URL> | undefined;

/**
 * The scoring worker's code as one ES module (a data: URL for `new Worker`), bundled once per
 * process with esbuild, the compiler tsx itself runs on. Worker threads cannot load TypeScript on
 * their own: on Node 20 they do not inherit tsx's module hooks, and registering them in each
 * worker costs about 150 ms, five times what bundling does once (about 30 ms). The bundle holds
 * the worker's whole module graph, which must not reach TensorFlow.js (see
 * `@tandem/runtime/predictor`).
 */
export function scoringWorkerUrl(): Promise<URL> {
  bundled ??= bundle().catch((error: unknown) => {
    bundled = undefined;
    throw error;
  });
  return bundled;
}

async function bundle(): Promise<URL> {
  const result = await build({
    entryPoints: [SCORING_WORKER],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text;
  if (code === undefined) throw new Error('esbuild produced no output for the scoring worker');
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}
