import { execFile } from 'node:child_process';

/** The checked-out commit, or undefined outside a git work tree or without git. */
export function gitCommit(cwd: string = process.cwd()): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', 'HEAD'], { cwd, timeout: 5000 }, (error, stdout) => {
      const commit = String(stdout).trim();
      resolve(error || !/^[0-9a-f]{40,64}$/.test(commit) ? undefined : commit);
    });
  });
}
