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

/**
 * The model-store root: the flag when given, else $TANDEM_ARTIFACTS, else ./artifacts. Every
 * command and scoreFile() resolve it the same way.
 */
export function artifactsRoot(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (flag !== undefined && flag !== '') return flag;
  const fromEnv = env['TANDEM_ARTIFACTS'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'artifacts';
}
