import { defineConfig, type ViteUserConfig } from 'vitest/config';

type TestSettings = NonNullable<ViteUserConfig['test']>;

/** The test settings of workspaces whose tests need more than vitest's defaults. */
const PROFILES = {
  /** Tests that train models: CPU-bound on a small machine, so files one at a time, for minutes. */
  training: { testTimeout: 120_000, hookTimeout: 60_000, fileParallelism: false, pool: 'forks' },
  /** Tests on ONNX Runtime (WebAssembly, loaded once per file) and trained models. */
  onnxRuntime: { testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false },
} as const satisfies Record<string, TestSettings>;

/**
 * A workspace's vitest config: its test/**\/*.test.ts files, with the settings of a profile.
 * Shared like tsconfig.base.json: `export default workspaceTestConfig('training');`
 */
export function workspaceTestConfig(profile?: keyof typeof PROFILES) {
  const settings = profile === undefined ? {} : PROFILES[profile];
  return defineConfig({ test: { include: ['test/**/*.test.ts'], ...settings } });
}
