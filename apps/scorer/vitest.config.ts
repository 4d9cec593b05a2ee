import { defineConfig } from 'vitest/config';

// Training tests are CPU-bound on a small machine: run files one at a time and allow minutes.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
