import { defineConfig } from 'vitest/config';

// ONNX Runtime (WebAssembly) loads once per file; trained models take a while on a small machine.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
