import type { PredictorReplica } from '@tandem/runtime/predictor';
import type { TextBlock } from '@tandem/tabular';
import type { BlockOutput, BlockScorerConfig } from './block-scorer.ts';

/**
 * Main thread to worker: the model (once; workers start before it is loaded), the block
 * scorer's configuration (once), then blocks.
 */
export type ToWorker =
  | { type: 'model'; replica: PredictorReplica }
  | { type: 'configure'; config: BlockScorerConfig }
  | { type: 'block'; seq: number; block: TextBlock };

/** A failure carried across the thread boundary: coded errors keep their code. */
export interface CarriedError {
  code?: string;
  message: string;
  stack?: string;
}

/** Worker to main thread: ready once the model is loaded (or not), then one answer per block. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'unusable'; error: CarriedError }
  | { type: 'done'; seq: number; output: BlockOutput }
  | { type: 'failed'; seq: number; error: CarriedError };
