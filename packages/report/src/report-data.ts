import type { ColumnProfile } from './profile.ts';

export type ReportTask = 'binary' | 'multiclass' | 'regression';

/** The test part's outputs, kept by the trainer at evaluation. */
export type TestOutputs =
  | {
      kind: 'classification';
      classes: readonly string[];
      /** rows × classes probabilities, row-major. */
      probabilities: ArrayLike<number>;
      /** Class index of each row's true label. */
      actual: ArrayLike<number>;
    }
  | { kind: 'regression'; predicted: ArrayLike<number>; actual: ArrayLike<number> };

export interface CandidateLine {
  model: string;
  chosen: boolean;
  validationLoss?: number;
  trainSeconds?: number;
  test?: Readonly<Record<string, number>>;
  skipped?: string;
}

/** Everything one report shows: figures the trainer has in memory when it writes a version. */
export interface ReportData {
  name: string;
  task: ReportTask;
  target: string;
  /** ISO time of training. */
  createdAt: string;
  /** The model that was trained, e.g. "gbdt". */
  model: string;
  split: { train: number; validation: number; test: number };
  metrics: Readonly<Record<string, number>>;
  baseline: Readonly<Record<string, number>>;
  /** Data profile of the training part, one entry per input column. */
  columns: readonly ColumnProfile[];
  /** Loss per epoch or boosting iteration; empty arrays when nothing was recorded. */
  history: {
    unit: 'epoch' | 'iteration';
    loss: readonly number[];
    valLoss: readonly number[];
    best: number;
  };
  test: TestOutputs;
  /** Split gain per raw column (trees). */
  importance?: ReadonlyArray<{ column: string; gain: number; share: number }>;
  /** Mean |contribution| per raw column over the test rows (explanations). */
  meanContribution?: ReadonlyArray<{ column: string; value: number }>;
  /** model type 'auto': each candidate's figures. */
  candidates?: readonly CandidateLine[];
}
