import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Loading a model takes seconds on a 2-core machine; tfjs is process-global: one fork per file.
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
