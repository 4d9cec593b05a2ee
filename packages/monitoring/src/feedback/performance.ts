/**
 * Live performance of one model version from ground truth received after the fact: running sums
 * only, so any window's figures follow from two readings (Prometheus' increase()).
 */

/** Probabilities are clipped before the log, as scikit-learn's log_loss does. */
export const LOG_LOSS_EPSILON = 1e-15;

export interface ClassifierPerformance {
  task: 'classification';
  rows: number;
  correct: number;
  accuracy: number | null;
  logLoss: number | null;
  /** [actual][predicted], in class order. */
  confusion: number[][];
  classes: string[];
}

export interface RegressorPerformance {
  task: 'regression';
  rows: number;
  mae: number | null;
  rmse: number | null;
}

export type Performance = ClassifierPerformance | RegressorPerformance;

export class ClassifierAccumulator {
  readonly classes: readonly string[];
  rows = 0;
  correct = 0;
  logLossSum = 0;
  readonly confusion: number[][];

  constructor(classes: readonly string[]) {
    this.classes = classes;
    this.confusion = classes.map(() => classes.map(() => 0));
  }

  /** One labelled row: the true class index and the scores the model gave (class order). */
  add(actual: number, scores: ArrayLike<number>): { predicted: number; logLoss: number } {
    let predicted = 0;
    for (let k = 1; k < this.classes.length; k++) {
      if ((scores[k] as number) > (scores[predicted] as number)) predicted = k;
    }
    const p = Math.min(Math.max(scores[actual] as number, LOG_LOSS_EPSILON), 1 - LOG_LOSS_EPSILON);
    const logLoss = -Math.log(p);
    this.rows++;
    if (predicted === actual) this.correct++;
    this.logLossSum += logLoss;
    const row = this.confusion[actual] as number[];
    row[predicted] = (row[predicted] as number) + 1;
    return { predicted, logLoss };
  }

  figures(): ClassifierPerformance {
    return {
      task: 'classification',
      rows: this.rows,
      correct: this.correct,
      accuracy: this.rows === 0 ? null : this.correct / this.rows,
      logLoss: this.rows === 0 ? null : this.logLossSum / this.rows,
      confusion: this.confusion.map((r) => [...r]),
      classes: [...this.classes],
    };
  }
}

export class RegressorAccumulator {
  rows = 0;
  absoluteErrorSum = 0;
  squaredErrorSum = 0;

  add(actual: number, predicted: number): { error: number } {
    const error = predicted - actual;
    this.rows++;
    this.absoluteErrorSum += Math.abs(error);
    this.squaredErrorSum += error * error;
    return { error };
  }

  figures(): RegressorPerformance {
    return {
      task: 'regression',
      rows: this.rows,
      mae: this.rows === 0 ? null : this.absoluteErrorSum / this.rows,
      rmse: this.rows === 0 ? null : Math.sqrt(this.squaredErrorSum / this.rows),
    };
  }
}
