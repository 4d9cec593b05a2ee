/**
 * scikit-learn's HistGradientBoosting as the peer of Tandem's gbdt in the training benchmark. It
 * runs scripts/reference/hgb_fit.py with Debian's /usr/bin/python3 when that interpreter has
 * scikit-learn; nothing is installed: without it the benchmark says so and measures Tandem alone.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const SCRIPT = path.join(REPO_ROOT, 'scripts/reference/hgb_fit.py');

export interface PeerFit {
  sklearn: string;
  rows: number;
  features: number;
  iterations: number;
  threads: number;
  fitSeconds: number;
}

export interface FitRequest {
  data: string;
  target: string;
  task: string;
  drop?: readonly string[];
  /** A JSON file of the 0-based data-row numbers to fit on (rows holding a target). */
  rowsFile?: string;
  repeat: number;
  /** OpenMP threads; default: the machine's cores. */
  threads?: number;
}

/** scikit-learn's version, or the reason it cannot be the peer. */
export async function sklearnAvailable(): Promise<{ version: string } | { absent: string }> {
  if (!existsSync(PYTHON)) return { absent: `${PYTHON} not found` };
  try {
    const { stdout } = await run(PYTHON, [
      '-c',
      'import sklearn, pandas; print(sklearn.__version__)',
    ]);
    return { version: stdout.trim() };
  } catch {
    return {
      absent: `${PYTHON} has no scikit-learn / pandas (apt-get install python3-sklearn python3-pandas)`,
    };
  }
}

/**
 * Fits HGB on the same file and rows. OpenMP waits passively: on a machine shared with other
 * processes, threads that spin at each barrier lose their time slices and a 2-thread fit can take
 * ten times as long as a 1-thread one; passive waiting gives scikit-learn its fair time there and
 * costs little on an idle machine.
 */
export async function sklearnFit(request: FitRequest): Promise<PeerFit> {
  const args = [
    SCRIPT,
    '--data',
    request.data,
    '--target',
    request.target,
    '--task',
    request.task,
    '--repeat',
    String(request.repeat),
    ...(request.drop ?? []).flatMap((column) => ['--drop', column]),
    ...(request.rowsFile ? ['--rows', request.rowsFile] : []),
  ];
  const { stdout } = await run(PYTHON, args, {
    env: {
      ...process.env,
      OMP_NUM_THREADS: String(request.threads ?? cpus().length),
      OMP_WAIT_POLICY: 'passive',
    },
    maxBuffer: 1 << 20,
  });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as PeerFit;
}
