import { execFile } from 'node:child_process';

/** Where the code that trained a model came from. */
export interface GitProvenance {
  commit: string;
  /** Tracked files differed from the commit: the commit alone does not reproduce the run. */
  dirty: boolean;
}

function git(args: readonly string[], cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: 5000 }, (error, stdout) => {
      resolve(error ? undefined : String(stdout));
    });
  });
}

/** The checked-out commit and whether tracked files were changed; undefined outside git. */
export async function gitProvenance(
  cwd: string = process.cwd(),
): Promise<GitProvenance | undefined> {
  const commit = (await git(['rev-parse', 'HEAD'], cwd))?.trim();
  if (!commit || !/^[0-9a-f]{40,64}$/.test(commit)) return undefined;
  const changes = await git(['status', '--porcelain', '--untracked-files=no'], cwd);
  return { commit, dirty: changes === undefined || changes.trim() !== '' };
}
