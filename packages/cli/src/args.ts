import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * node:util parseArgs, strict, with its errors turned into one-line usage errors; positional
 * arguments only when `allowPositionals`.
 * @example const { values } = parseCommandLine(argv, { json: { type: 'boolean', default: false } });
 */
export function parseCommandLine<T extends Options>(
  argv: readonly string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals });
  } catch (error) {
    // node's first sentence names the problem; what follows is advice about `--` that reads
    // oddly here ("as in '-- \"-1\"").
    const line = (error as Error).message.split('\n')[0] ?? 'bad arguments';
    const sentence = line.split(/\.\s/)[0] ?? line;
    throw new UsageError(`${sentence.replace(/\.$/, '')} (see --help)`);
  }
}

/** A non-negative integer option such as --seed. */
export function integerOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${flag} expects a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/**
 * The value of a flag the command cannot run without, or a usage error naming it.
 * @example const input = requiredOption(values.input, '--input');
 */
export function requiredOption<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw new UsageError(`${flag} is required (see --help)`);
  return value;
}
