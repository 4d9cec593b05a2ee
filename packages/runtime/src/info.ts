import { type BackendName, currentBackend } from './backend.ts';
import type { EngineKind } from './engine.ts';
import { tf } from './tf.ts';

export interface RuntimeInfo {
  /** The tfjs backend initBackend settled on; null before it ran (tree models need none). */
  backend: BackendName | null;
  /** The engine of the predictor asked about; null without one. */
  engine: EngineKind | null;
  /** The tfjs version this build carries. */
  tfjs: string;
}

/** What runs predictions here: for metadata routes, manifests and benchmark headers. */
export function runtimeInfo(predictor?: { engine: EngineKind }): RuntimeInfo {
  return {
    backend: currentBackend() ?? null,
    engine: predictor?.engine ?? null,
    tfjs: tf.version.tfjs,
  };
}
