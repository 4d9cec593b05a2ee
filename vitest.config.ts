import { defineConfig } from 'vitest/config';

// Repository-wide checks (installed tree, workflows); each workspace has its own tests.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'] },
});
