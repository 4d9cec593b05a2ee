import { FeatureFitError, FeatureInputError } from './errors.ts';
import { readCategory } from './read/category.ts';
import { isDecimalNumber } from './read/number.ts';
import { READ_OK } from './read/status.ts';
import { checkFormat, fail, flag, objectAt, stringList } from './state/json-fields.ts';
import { compareStrings } from './stats.ts';
import { jsonSafeValue, problemMessage } from './value-text.ts';

export const LABEL_ENCODER_FORMAT = 1;

export interface LabelEncoderState {
  format: typeof LABEL_ENCODER_FORMAT;
  /** Class names in index order. */
  classes: string[];
  /** True when every class is a number: they were sorted numerically, and 1 matches "1.0". */
  numeric: boolean;
}

/** Where a label came from, for error messages. */
export interface LabelSource {
  row?: number;
  column?: string;
}

/**
 * Maps classification targets to indices 0..k-1 and back. Classes are strings; numeric classes
 * are sorted numerically, others lexicographically (UTF-16 code units), as scikit-learn does, so
 * in a binary task index 1 (the positive class for AUC) is the second class in that order.
 *
 * @example
 * const labels = LabelEncoder.fit(['good', 'bad', 'good']);   // classes ['bad', 'good']
 * labels.encode('good');   // 1
 */
export class LabelEncoder {
  readonly classes: readonly string[];
  readonly #numeric: boolean;
  readonly #indexOf: ReadonlyMap<string, number>;
  readonly #indexOfNumber: ReadonlyMap<number, number>;

  private constructor(classes: readonly string[], numeric: boolean) {
    this.classes = Object.freeze([...classes]);
    this.#numeric = numeric;
    this.#indexOf = new Map(classes.map((name, i) => [name, i]));
    this.#indexOfNumber = new Map(numeric ? classes.map((name, i) => [Number(name), i]) : []);
  }

  /** Throws FeatureFitError when a value is missing or not a string / number / boolean. */
  static fit(values: readonly unknown[], source?: { column?: string }): LabelEncoder {
    const distinct = new Set<string>();
    values.forEach((value, row) => {
      distinct.add(labelText(value, { row, ...source }, 'fit'));
    });
    if (distinct.size === 0)
      throw new FeatureFitError('LabelEncoder.fit: no labels', source?.column);
    const classes = [...distinct];
    const numeric = classes.every(isDecimalNumber);
    classes.sort(
      numeric ? (a, b) => Number(a) - Number(b) || compareStrings(a, b) : compareStrings,
    );
    if (numeric && new Set(classes.map(Number)).size !== classes.length) {
      throw new FeatureFitError(
        `LabelEncoder.fit: numeric classes ${classes.map((c) => JSON.stringify(c)).join(', ')} name the same number twice`,
        source?.column,
      );
    }
    return new LabelEncoder(classes, numeric);
  }

  /** The class index of a label; FeatureInputError for a class never seen in fit. */
  encode(value: unknown, source?: LabelSource): number {
    const name = labelText(value, source, 'encode');
    const index =
      this.#indexOf.get(name) ??
      (this.#numeric ? this.#indexOfNumber.get(Number(name)) : undefined);
    if (index !== undefined) return index;
    const row = source?.row ?? 0;
    const column = source?.column ?? 'label';
    const expected = `one of the classes ${this.classes.map((c) => JSON.stringify(c)).join(', ')}`;
    throw new FeatureInputError([
      {
        row,
        column,
        problem: 'unseen_category_rejected',
        expected,
        received: jsonSafeValue(value),
        message: problemMessage(row, column, expected, value),
      },
    ]);
  }

  decode(index: number): string {
    const name = Number.isInteger(index) ? this.classes[index] : undefined;
    if (name === undefined) {
      const expected = `a class index in [0, ${this.classes.length - 1}]`;
      throw new FeatureInputError([
        {
          row: 0,
          column: 'class index',
          problem: 'out_of_allowed_range',
          expected,
          received: jsonSafeValue(index),
          message: `LabelEncoder.decode: expected ${expected}, got ${index}`,
        },
      ]);
    }
    return name;
  }

  toJSON(): LabelEncoderState {
    return { format: LABEL_ENCODER_FORMAT, classes: [...this.classes], numeric: this.#numeric };
  }

  /** FeatureStateError for another format or a malformed state. */
  static fromJSON(state: unknown): LabelEncoder {
    const object = objectAt(state, 'label encoder state');
    checkFormat(object, LABEL_ENCODER_FORMAT, 'label encoder state');
    const classes = stringList(object, 'classes', 'label encoder state');
    const numeric = flag(object, 'numeric', 'label encoder state');
    if (classes.length === 0 || new Set(classes).size !== classes.length) {
      fail('label encoder state.classes', 'distinct class names, at least one', classes);
    }
    if (numeric && !classes.every(isDecimalNumber)) {
      fail('label encoder state.classes', 'numbers (numeric is true)', classes);
    }
    return new LabelEncoder(classes, numeric);
  }
}

/** A label's class name: strings as given, numbers and booleans in their string form. */
function labelText(
  value: unknown,
  source: LabelSource | undefined,
  during: 'fit' | 'encode',
): string {
  const cell = { value: '' };
  if (readCategory(value, cell) === READ_OK) return cell.value;
  const row = source?.row ?? 0;
  const column = source?.column ?? 'label';
  const expected = 'a class label (a non-empty string, a finite number or a boolean)';
  const message = problemMessage(row, column, expected, value);
  if (during === 'fit') throw new FeatureFitError(`LabelEncoder.fit: ${message}`, source?.column);
  throw new FeatureInputError([
    { row, column, problem: 'wrong_type', expected, received: jsonSafeValue(value), message },
  ]);
}
