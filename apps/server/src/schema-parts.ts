/**
 * The pieces the wire schemas are built from, so that each schema reads as the shape it
 * describes: `objectOf({ name: STRING, shape: arrayOf(INTEGER) }, ['name'])` rather than the
 * nested JSON-schema literal.
 */

export const STRING = { type: 'string' } as const;
export const INTEGER = { type: 'integer' } as const;
export const NUMBER = { type: 'number' } as const;
export const BOOLEAN = { type: 'boolean' } as const;
/** Any JSON value (an empty schema). */
export const ANY = {} as const;
/** An object with any properties (parameters, metrics). */
export const OPEN_OBJECT = { type: 'object', additionalProperties: true } as const;

export function arrayOf<Items>(items: Items) {
  return { type: 'array', items } as const;
}

/** An array of at least one item: a request's rows or tensors. */
export function nonEmptyArrayOf<Items>(items: Items) {
  return { type: 'array', minItems: 1, items } as const;
}

/** A string out of a fixed list. */
export function oneOf<Values extends readonly string[]>(values: Values) {
  return { type: 'string', enum: values } as const;
}

/** An object whose properties are all of one schema: a class → probability map, for example. */
export function mapOf<Values>(values: Values) {
  return { type: 'object', additionalProperties: values } as const;
}

/** An object with these properties, of which `required` must be present. */
export function objectOf<Properties extends object>(
  properties: Properties,
  required?: readonly (keyof Properties & string)[],
) {
  return required === undefined
    ? ({ type: 'object', properties } as const)
    : ({ type: 'object', properties, required } as const);
}
