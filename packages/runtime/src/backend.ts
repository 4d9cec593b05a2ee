import { RuntimeError, reasonOf } from './errors.ts';
import { tf } from './tf.ts';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export const BACKENDS: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface BackendInfo {
  name: BackendName;
  tfjsVersion: string;
}

export interface InitBackendOptions {
  /** Tried first; wins over TANDEM_BACKEND. Falls back (with a log line) when it cannot load. */
  preferred?: BackendName;
  /** Receives one line per fallback. Default: stderr. */
  log?: (line: string) => void;
}

/** How each backend is brought in; replaced in tests to simulate a missing or broken one. */
export interface BackendLoaders {
  tensorflow: () => Promise<unknown>;
  wasm: () => Promise<unknown>;
  cpu: () => Promise<unknown>;
}

const PACKAGES: Record<BackendName, string> = {
  tensorflow: 'tfjs-node',
  wasm: 'tfjs-backend-wasm',
  cpu: 'tfjs-backend-cpu',
};

const TFJS_NODE = '@tensorflow/tfjs-node';

const defaultLoaders: BackendLoaders = {
  // tfjs-node is optional (absent when its native library could not be downloaded), so the
  // specifier is a variable: the type checker must not require it.
  tensorflow: () => import(TFJS_NODE),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
  cpu: async () => undefined,
};

let selected: Promise<BackendInfo> | undefined;

/**
 * Selects the fastest backend that works: tfjs-node ('tensorflow') where it installed and loads,
 * else wasm, else cpu. `preferred`, else the TANDEM_BACKEND environment variable, is tried first.
 * Idempotent: later calls return the first call's result, whatever their options.
 *
 * @example
 *   const { name } = await initBackend({ log: (line) => logger.warn(line) });
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  if (!selected) {
    selected = selectBackend(options).catch((error: unknown) => {
      selected = undefined;
      throw error;
    });
  }
  return selected;
}

/** The backend initBackend settled on, or undefined before it finished. */
export function currentBackend(): BackendName | undefined {
  const name = tf.getBackend();
  return selected && BACKENDS.includes(name as BackendName) ? (name as BackendName) : undefined;
}

/** Uncached selection; initBackend is the public entry point. */
export async function selectBackend(
  options: InitBackendOptions,
  loaders: BackendLoaders = defaultLoaders,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BackendInfo> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const first = options.preferred ?? parseBackendEnv(env.TANDEM_BACKEND);
  const order = first ? [first, ...BACKENDS.filter((b) => b !== first)] : [...BACKENDS];
  const failures: string[] = [];
  for (const name of order) {
    const failure = await activate(name, loaders[name]);
    if (failure === null) {
      for (const line of failures) log(`${line}; using ${name}`);
      return { name, tfjsVersion: tf.version.tfjs };
    }
    failures.push(`${PACKAGES[name]} not available (${failure})`);
  }
  throw new RuntimeError('TANDEM_BACKEND_INVALID', `no tfjs backend works: ${failures.join('; ')}`);
}

function parseBackendEnv(value: string | undefined): BackendName | undefined {
  if (value === undefined || value === '') return undefined;
  if (!BACKENDS.includes(value as BackendName)) {
    throw new RuntimeError(
      'TANDEM_BACKEND_INVALID',
      `TANDEM_BACKEND=${JSON.stringify(value)} is not one of ${BACKENDS.join(', ')}`,
    );
  }
  return value as BackendName;
}

/** Loads and switches to a backend; returns null on success, else the reason it failed. */
async function activate(name: BackendName, load: () => Promise<unknown>): Promise<string | null> {
  try {
    await load();
  } catch (error) {
    return reasonOf(error);
  }
  // A package that registered into another tfjs-core copy would leave ours without the backend.
  if (!tf.findBackendFactory(name)) return `it did not register backend '${name}' with our tfjs`;
  try {
    if (!(await tf.setBackend(name))) return `backend '${name}' failed to initialise`;
    await tf.ready();
    // A native binding can load and still fail on first use: run one op before trusting it.
    tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)).dataSync());
  } catch (error) {
    return reasonOf(error);
  }
  return null;
}
