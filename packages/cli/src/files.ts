import { stat } from 'node:fs/promises';

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
