import path from 'node:path';

/**
 * A path as the trainer reports and stores it: relative to the working directory when it lies
 * under it (portable across checkouts), else absolute.
 */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const absolute = path.resolve(cwd, file);
  const relative = path.relative(cwd, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return absolute;
  return relative.split(path.sep).join('/');
}
