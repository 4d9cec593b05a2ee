import { FeatureFitError } from './errors.ts';
import { checkFormat, fail, finiteNumber, objectAt } from './state/json-fields.ts';
import { mean, populationStd } from './stats.ts';

export const TARGET_SCALER_FORMAT = 1;

export interface TargetScalerState {
  format: typeof TARGET_SCALER_FORMAT;
  mean: number;
  /** Population std of the training targets; 1 when they were all equal. */
  std: number;
}

/**
 * Standardizes a regression target for training and restores predictions to the target's unit.
 *
 * @example
 * const scaler = TargetScaler.fit([10, 20, 30]);   // mean 20, std 8.165
 * scaler.restore(scaler.scale(25));               // 25
 */
export class TargetScaler {
  readonly mean: number;
  readonly std: number;

  private constructor(center: number, std: number) {
    this.mean = center;
    this.std = std;
  }

  /** Throws FeatureFitError for no values or a value that is not a finite number. */
  static fit(values: readonly number[], source?: { column?: string }): TargetScaler {
    if (values.length === 0)
      throw new FeatureFitError('TargetScaler.fit: no target values', source?.column);
    values.forEach((value, row) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new FeatureFitError(
          `TargetScaler.fit: row ${row}: expected a finite number, got ${String(value)}`,
          source?.column,
        );
      }
    });
    const center = mean(values);
    const std = populationStd(values, center);
    return new TargetScaler(center, std > 0 ? std : 1);
  }

  scale(y: number): number {
    return (y - this.mean) / this.std;
  }

  restore(z: number): number {
    return z * this.std + this.mean;
  }

  toJSON(): TargetScalerState {
    return { format: TARGET_SCALER_FORMAT, mean: this.mean, std: this.std };
  }

  /** FeatureStateError for another format or a malformed state. */
  static fromJSON(state: unknown): TargetScaler {
    const object = objectAt(state, 'target scaler state');
    checkFormat(object, TARGET_SCALER_FORMAT, 'target scaler state');
    const center = finiteNumber(object, 'mean', 'target scaler state');
    const std = finiteNumber(object, 'std', 'target scaler state');
    if (std <= 0) fail('target scaler state.std', 'a number > 0', std);
    return new TargetScaler(center, std);
  }
}
