import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './support.ts';

const CLUSTER = path.join(REPO_ROOT, 'packages/monitoring/scripts/postgres-cluster.sh');

/**
 * A real PostgreSQL for the data-source tests: the one .ci/run started (TANDEM_TEST_POSTGRES_URL)
 * or a throwaway cluster started by the monitoring package's script. Without one the tests skip,
 * loudly; under CI (CI set) that is a failure, since .ci/run starts one.
 */
export function postgresForTests():
  | { available: true; url: string; stop: () => void }
  | { available: false } {
  const given = process.env['TANDEM_TEST_POSTGRES_URL'];
  if (given !== undefined && given !== '') return { available: true, url: given, stop: () => {} };
  let started: string;
  try {
    started = execFileSync('bash', [CLUSTER, 'start'], { encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const reason = `no PostgreSQL for the data-source tests (${CLUSTER} start failed: ${(error as Error).message.split('\n')[0]})`;
    if (process.env['CI'] !== undefined && process.env['CI'] !== '') {
      throw new Error(`${reason}; under CI this is an error`);
    }
    process.stderr.write(`\n${reason}: the PostgreSQL tests are SKIPPED\n\n`);
    return { available: false };
  }
  const [url, folder] = started.trim().split(' ') as [string, string];
  return { available: true, url, stop: () => execFileSync('bash', [CLUSTER, 'stop', folder]) };
}
