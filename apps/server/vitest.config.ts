import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Training and loading models takes seconds on a 2-core machine; tfjs is process-global,
    // so files run in separate forks.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
