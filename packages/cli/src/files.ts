import { readFile, stat } from 'node:fs/promises';
import { TrainerError, type TrainerErrorCode } from '../errors.ts';
import { displayPath } from './paths.ts';

/**
 * Why a file could not be read, in words that fit "<kind> file <reason>: <path>": "not found",
 * "is a directory", "is not readable (permission denied)".
 */
export function unreadableReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'not found';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'is not readable (permission denied)';
  return `is not readable (${code ?? (error instanceof Error ? error.message : String(error))})`;
}

/** Undefined when `file` is a regular file, else why it cannot be read as one. */
export async function fileProblem(file: string): Promise<string | undefined> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) return 'is a directory';
    return info.isFile() ? undefined : 'is not a regular file';
  } catch (error) {
    return unreadableReason(error);
  }
}

/** True for an error the operating system raised (it carries an errno code such as EACCES). */
export function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).errno === 'number';
}

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
