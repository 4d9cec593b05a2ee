import { readFile } from 'node:fs/promises';
import { displayPath, unreadableReason } from '@tandem/cli';
import { TrainerError, type TrainerErrorCode } from '../errors.ts';

/**
 * Reads and parses a JSON file, failing with `codes.unreadable` ("config file not found: …") or
 * `codes.invalid` ("config file …: not valid JSON (…)"); `kind` names the file in both.
 * @example const raw = await readJsonFile(file, 'split file', { unreadable: 'TANDEM_SPLIT_INVALID', invalid: 'TANDEM_SPLIT_INVALID' });
 */
export async function readJsonFile(
  file: string,
  kind: string,
  codes: { unreadable: TrainerErrorCode; invalid: TrainerErrorCode },
): Promise<unknown> {
  const shown = displayPath(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new TrainerError(codes.unreadable, `${kind} ${unreadableReason(error)}: ${shown}`, {
      cause: error,
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TrainerError(
      codes.invalid,
      `${kind} ${shown}: not valid JSON (${(error as Error).message})`,
    );
  }
}
