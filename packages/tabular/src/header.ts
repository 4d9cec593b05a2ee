import { TabularError } from './errors.ts';

/**
 * The header rule every entry point shares (training data, CSV request bodies, batch input):
 * names are taken exactly as written. A name used twice, or padded with spaces (" Income"), is an
 * error naming it: trimming silently at one entry point and not at another is how training and
 * serving drift apart, and a padded name is almost always an export mistake.
 */
export function checkHeaderNames(names: readonly string[], line = 1): void {
  const seen = new Set<string>();
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    if (seen.has(name)) {
      throw new TabularError(
        'TANDEM_TABLE_HEADER_INVALID',
        `line ${line}: the CSV header names column "${name}" twice`,
      );
    }
    seen.add(name);
    const trimmed = name.trim();
    if (trimmed !== name && trimmed !== '') {
      throw new TabularError(
        'TANDEM_TABLE_HEADER_INVALID',
        `line ${line}: the CSV header's column ${i + 1}, ${JSON.stringify(name)}, has spaces ` +
          `around its name: rename it ${JSON.stringify(trimmed)}`,
      );
    }
  }
}

/**
 * A CSV header must hold every column the model reads: a whole column absent is a mistake in
 * the file, not a missing value (scikit-learn's ColumnTransformer refuses it too). The error names
 * the first absent column and the closest header name. JSON and NDJSON rows are not checked:
 * there an absent key is one row's missing value.
 */
export function checkHeaderHasColumns(
  header: readonly string[],
  required: readonly string[],
): void {
  const present = new Set(header);
  const absent = required.filter((name) => !present.has(name));
  const first = absent[0];
  if (first === undefined) return;
  const closest = closestName(first, header);
  const more = absent.length > 1 ? ` (and ${absent.length - 1} more)` : '';
  throw new TabularError(
    'TANDEM_TABLE_HEADER_INVALID',
    `the CSV header lacks column ${JSON.stringify(first)}${more}` +
      (closest !== undefined ? `; the closest header name is ${JSON.stringify(closest)}` : ''),
  );
}

/** The name nearest to `name` by edit distance (ignoring case and spaces), if any is close. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const target = normalise(name);
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(target.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(target, normalise(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function normalise(name: string): string {
  return name.trim().toLowerCase();
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(
        Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}
