import { defineConfig } from 'vitest/config';

// Loading tfjs and the wasm backend takes a few seconds per test file on a small machine.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});
