import type {
  FittedPipeline,
  LabelEncoder,
  PipelineSpec,
  RawRow,
  TargetScaler,
} from '@tandem/features';
import type { Task } from '@tandem/model-store';
import type { Predictor, PredictorMeta } from '@tandem/runtime';
import type { AutoModelConfig, ModelConfig, TrainingConfig } from '../config/types.ts';
import type { TrainingHistory } from './loop.ts';

/** What every model family is trained from: the split's raw rows and the inferred schema. */
export interface CandidateInputs {
  task: Task;
  target: string;
  spec: PipelineSpec;
  trainRows: readonly RawRow[];
  validationRows: readonly RawRow[];
  training: TrainingConfig;
  log: (line: string) => void;
  /** Progress on stderr (a bar on a terminal, else periodic lines). */
  progress: boolean;
  /**
   * performance.now() past which the training loop stops after its current epoch or iteration,
   * keeping what early stopping would keep so far (auto's time budget); none: no limit.
   */
  deadline?: number;
}

/** A trained model of one family, ready to evaluate and write. */
export interface TrainedCandidate {
  /** Its settings; auto's config for auto's ensemble (train/ensemble-candidate.ts). */
  model: ModelConfig | AutoModelConfig;
  pipeline: FittedPipeline;
  labels: LabelEncoder | null;
  targetScaler: TargetScaler | null;
  /** Seconds in the training loop (excludes evaluation and writing). */
  trainSeconds: number;
  history: TrainingHistory;
  /** tfjs backend it trained on; 'none' for trees. */
  backend: string;
  /** The version's model files (features.json excluded). */
  files(): Promise<Record<string, Uint8Array>>;
  /** A Predictor over the trained model, the one the server and batch scoring rebuild. */
  predictor(meta: PredictorMeta): Predictor;
  /** Figures for metrics.extra beyond the history (feature importance). */
  extra: Record<string, unknown>;
  /** Frees what the candidate holds (a tfjs model); predictors made from it stay usable. */
  dispose(): void;
}
