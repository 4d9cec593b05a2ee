import { DenseEngine } from './dense/dense-engine.ts';
import { extractDenseStack } from './dense/dense-stack.ts';
import type { ModelEngine } from './engine.ts';
import { RuntimeError } from './errors.ts';
import type { tf } from './tf.ts';
import { TfjsEngine } from './tfjs-engine.ts';

/** What a caller may ask for (`--engine`, TANDEM_ENGINE); tree models always run on 'trees'. */
export type EngineChoice = 'auto' | 'tfjs' | 'dense';

/** Every engine choice, in the order documented. */
export const ENGINES: readonly EngineChoice[] = ['auto', 'tfjs', 'dense'];

const CHOICES = ENGINES;

/**
 * The load-time guard: on the probe rows the dense engine must agree with tfjs within
 * 1e-4 × max(1, |tfjs|) per output. It catches a wrong evaluator (a misread kernel, a wrong
 * activation: errors of 1e-2 and more), not float32 rounding. The measured agreement is far tighter
 * (see test/dense-parity.test.ts): ≤ 1e-6 on probabilities and 2e-6 relative on regression outputs
 * for weights at trained scale.
 */
export const DENSE_GUARD_TOLERANCE = 1e-4;

const PROBE_ROWS = 16;

/**
 * The engine a predictor uses. 'auto' takes the dense engine when the model is a supported dense
 * stack and matches tfjs on probe rows within tolerance; otherwise tfjs.
 */
export function chooseEngine(
  model: tf.LayersModel,
  options: { engine?: EngineChoice; log?: (line: string) => void },
  env: NodeJS.ProcessEnv = process.env,
): { engine: ModelEngine } {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const requested = options.engine ?? parseEngineEnv(env.TANDEM_ENGINE) ?? 'auto';
  const tfjs = new TfjsEngine(model);
  if (requested === 'tfjs') return { engine: tfjs };
  const stack = extractDenseStack(model);
  if (typeof stack === 'string') {
    if (requested === 'dense') log(`dense engine not usable (${stack}); using tfjs`);
    return { engine: tfjs };
  }
  const dense = new DenseEngine(stack);
  const mismatch = probeMismatch(dense, tfjs);
  if (mismatch !== null) {
    log(`dense engine disagrees with tfjs (${mismatch}); using tfjs`);
    return { engine: tfjs };
  }
  return { engine: dense };
}

function parseEngineEnv(value: string | undefined): EngineChoice | undefined {
  if (value === undefined || value === '') return undefined;
  if (!CHOICES.includes(value as EngineChoice)) {
    throw new RuntimeError(
      'TANDEM_BACKEND_INVALID',
      `TANDEM_ENGINE=${JSON.stringify(value)} is not one of ${CHOICES.join(', ')}`,
    );
  }
  return value as EngineChoice;
}

/** Deterministic rows in [-3, 3] (the range of standardized features), plus a row of zeros. */
export function probeRows(width: number, rows: number = PROBE_ROWS): Float32Array {
  const values = new Float32Array(rows * width);
  let state = 0x9e3779b9;
  for (let i = width; i < values.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = (state / 0x100000000) * 6 - 3;
  }
  return values;
}

/** Null when both engines agree on the probe rows, else a description of the worst output. */
function probeMismatch(dense: ModelEngine, tfjs: ModelEngine): string | null {
  const features = probeRows(dense.inputWidth);
  const expected = tfjs.predict(features, PROBE_ROWS);
  const actual = dense.predict(features, PROBE_ROWS);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const a = actual[i] as number;
    if (!(Math.abs(a - e) <= DENSE_GUARD_TOLERANCE * Math.max(1, Math.abs(e)))) {
      return `output ${i}: ${a} vs ${e}`;
    }
  }
  return null;
}
