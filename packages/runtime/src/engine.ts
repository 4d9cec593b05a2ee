/**
 * What computes model outputs from feature rows: tfjs, the plain-JavaScript dense evaluator, or
 * the tree-ensemble evaluator; 'ensemble' is a predictor that averages members running on those.
 */
export type EngineKind = 'tfjs' | 'dense' | 'trees' | 'ensemble';

export const ENGINE_KINDS: readonly EngineKind[] = ['tfjs', 'dense', 'trees', 'ensemble'];

export interface ModelEngine {
  readonly kind: EngineKind;
  readonly inputWidth: number;
  readonly outputWidth: number;
  /**
   * Model outputs for `rows` rows of `features` (rows × inputWidth, row-major): rows × outputWidth.
   * The result may be a buffer the engine reuses: read it before the next call.
   */
  predict(features: Float32Array, rows: number): Float32Array;
}
