import type { ModelRef } from '@tandem/cli';
import { openModelStore } from '@tandem/model-store';
import { type EngineChoice, type Predictor, predictorFromStoredVersion } from '@tandem/runtime';

/**
 * Loads the stored version a reference selects (default: the `production` label, else the
 * highest version), verified against its manifest, as the server's Predictor.
 */
export async function loadPredictor(
  artifacts: string,
  ref: ModelRef,
  engine?: EngineChoice,
): Promise<Predictor> {
  const store = openModelStore(artifacts);
  const selector = {
    ...(ref.version !== undefined ? { version: ref.version } : {}),
    ...(ref.label !== undefined ? { label: ref.label } : {}),
  };
  const version = await store.resolve(ref.name, selector);
  const stored = await store.readVersion(ref.name, version);
  return predictorFromStoredVersion(stored, engine !== undefined ? { engine } : {});
}
