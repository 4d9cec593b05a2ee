import type { RawRow } from '@tandem/features';
import { ServerError } from '../errors.ts';
import { checkRowCount } from './tabular.ts';

export interface TfExamplesBody {
  /** One object of features per row. */
  examples?: unknown;
  /** Features shared by every example; none may appear in an example too. */
  context?: unknown;
}

/**
 * The rows of a TF Serving Classify / Regress body. A feature's value is a value or a list of
 * values (tf.Example features are lists); a tabular model takes one value per feature, so a
 * one-element list is unwrapped and an empty or longer one refused, naming the feature.
 */
export function examplesToRows(body: TfExamplesBody, maxRows: number): RawRow[] {
  const { examples, context } = body;
  if (!Array.isArray(examples)) {
    throw invalid('the body needs "examples": a list of objects, one per row');
  }
  checkRowCount(examples.length, maxRows);
  const shared = context === undefined ? {} : features(context, 'context');
  return examples.map((example, i) => {
    const own = features(example, `examples[${i}]`);
    for (const name of Object.keys(shared)) {
      if (Object.hasOwn(own, name)) {
        throw invalid(`examples[${i}].${name} also appears in context; a feature goes in one`);
      }
    }
    return Object.fromEntries([...Object.entries(shared), ...Object.entries(own)]);
  });
}

function features(value: unknown, where: string): RawRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${where} must be an object of features`);
  }
  // fromEntries defines own properties: a feature named __proto__ stays a feature.
  return Object.fromEntries(
    Object.entries(value).map(([name, feature]) => {
      if (!Array.isArray(feature)) return [name, feature];
      if (feature.length === 1) return [name, feature[0]];
      throw invalid(
        `${where}.${name} is a list of ${feature.length} values; a tabular feature takes one`,
      );
    }),
  );
}

function invalid(message: string): ServerError {
  return new ServerError('TANDEM_REQUEST_INVALID', message);
}
