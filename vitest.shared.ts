import { defineConfig } from 'vitest/config';

/** How a workspace's tests use a small machine (defaults: vitest's own). */
export interface WorkspaceTestOptions {
  /** Milliseconds a test, and a hook, may take: training or loading models takes a while. */
  testTimeout?: number;
  hookTimeout?: number;
  /** Run test files one after another: each is CPU-bound already. */
  oneFileAtATime?: boolean;
  /** Each file in its own process: tfjs is process-global. */
  forks?: boolean;
}

/**
 * A workspace's vitest config: its test/**\/*.test.ts files, with the time-outs and the file
 * scheduling its tests need. Shared like tsconfig.base.json.
 */
export function workspaceTestConfig(options: WorkspaceTestOptions = {}) {
  const { testTimeout, hookTimeout, oneFileAtATime = false, forks = false } = options;
  return defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      ...(testTimeout === undefined ? {} : { testTimeout }),
      ...(hookTimeout === undefined ? {} : { hookTimeout }),
      ...(oneFileAtATime ? { fileParallelism: false } : {}),
      ...(forks ? { pool: 'forks' as const } : {}),
    },
  });
}

/** Tests that train models: CPU-bound on a small machine, so files run one at a time, for minutes. */
export const TRAINING_TESTS: WorkspaceTestOptions = {
  testTimeout: 120_000,
  hookTimeout: 60_000,
  oneFileAtATime: true,
  forks: true,
};

/** Tests on ONNX Runtime (WebAssembly, loaded once per file) and trained models. */
export const ONNX_RUNTIME_TESTS: WorkspaceTestOptions = {
  testTimeout: 120_000,
  hookTimeout: 120_000,
  oneFileAtATime: true,
};
