import { defineConfig } from 'vitest/config';

// Repository-wide checks (installed tree, workflows, error codes) and the end-to-end tests that
// drive two apps together (test/e2e). Training and loading models takes seconds on a 2-core
// machine, and tfjs is process-global: files run one at a time, in separate forks.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
