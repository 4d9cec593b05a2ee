import { type BackendName, currentBackend } from './backend.ts';
import type { EngineKind } from './engine.ts';
import { tf } from './tf.ts';
import { codeGenerationAllowed } from './trees/compiled-trees.ts';
import { simdTreesAvailable } from './trees/simd-trees.ts';
import type { TreeTraversal } from './trees/tree-engine.ts';

export interface RuntimeInfo {
  /** The tfjs backend initBackend settled on; null before it ran (tree models need none). */
  backend: BackendName | null;
  /** The engine of the predictor asked about; null without one. */
  engine: EngineKind | null;
  /** The tfjs version this build carries. */
  tfjs: string;
  /**
   * How tree ensembles are evaluated in this process: `simd` where WebAssembly SIMD runs (trees of
   * up to 32 leaves; larger ones are compiled), else `compiled` where code generation from strings
   * is allowed (ensembles up to 400,000 nodes), else `loop`. TreeEngine.traversal says per model.
   */
  trees: TreeTraversal;
}

/** What runs predictions here: for metadata routes, manifests and benchmark headers. */
export function runtimeInfo(predictor?: { engine: EngineKind }): RuntimeInfo {
  return {
    backend: currentBackend() ?? null,
    engine: predictor?.engine ?? null,
    tfjs: tf.version.tfjs,
    trees: simdTreesAvailable() ? 'simd' : codeGenerationAllowed() ? 'compiled' : 'loop',
  };
}
