/** Up to this many levels, comparing strings beats hashing them (measured on CSV rows). */
const MAX_SCANNED_LEVELS = 8;

/**
 * The code of a level, found with as little work as the level count allows. A string read from a
 * CSV file is new: a Map must first hash it, while a few `===` comparisons against the levels
 * (most frequent first, as fitting orders them) usually stop at the first or second one.
 */
export class LevelLookup {
  readonly #levels: readonly string[];
  readonly #codes: readonly number[];
  readonly #byLevel: ReadonlyMap<string, number> | undefined;

  constructor(entries: ReadonlyArray<readonly [string, number]>) {
    this.#levels = entries.map(([level]) => level);
    this.#codes = entries.map(([, code]) => code);
    this.#byLevel = entries.length > MAX_SCANNED_LEVELS ? new Map(entries) : undefined;
  }

  /** The code of `text`, or undefined when it is not one of the levels. */
  get(text: string): number | undefined {
    if (this.#byLevel !== undefined) return this.#byLevel.get(text);
    const levels = this.#levels;
    for (let i = 0; i < levels.length; i++) {
      if (levels[i] === text) return this.#codes[i];
    }
    return undefined;
  }
}
