import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../scripts/postgres-cluster.sh', import.meta.url));

/**
 * A real PostgreSQL for the sink tests: the one .ci/run started (TANDEM_TEST_POSTGRES_URL), or a
 * throwaway cluster of this test's own, started and removed by the same script.
 */
export function startPostgres(): { url: string; stop: () => void } {
  const given = process.env.TANDEM_TEST_POSTGRES_URL;
  if (given !== undefined && given !== '') return { url: given, stop: () => {} };
  const [url, folder] = execFileSync('bash', [SCRIPT, 'start'], { encoding: 'utf8' })
    .trim()
    .split(' ');
  return {
    url: url as string,
    stop: () => execFileSync('bash', [SCRIPT, 'stop', folder as string]),
  };
}

/** The PostgreSQL URL for a describe block's tests: started before them, stopped after. */
export function usePostgres(): () => string {
  let pg: { url: string; stop: () => void } | undefined;
  beforeAll(() => {
    pg = startPostgres();
  });
  afterAll(() => pg?.stop());
  return () => (pg as { url: string }).url;
}
