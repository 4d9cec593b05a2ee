import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** A version folder as the registry sees it before reading any file. */
export interface VersionFiles {
  /**
   * A cheap identity of the folder's contents: every entry's name, size and mtime. Versions are
   * immutable, so this only changes when someone edits or replaces one; the registry then
   * verifies it again instead of trusting what it loaded before.
   */
  fingerprint: string;
  /**
   * Entries that are not regular files (symlinks, FIFOs, sockets, folders), and '.' when the
   * version folder itself is not a real folder. A FIFO read never ends and a symlink can point
   * anywhere, so a version holding one is refused before any file is opened.
   */
  irregular: string[];
}

/** lstat only: never follows a link, never opens a file (a FIFO would block the read). */
export async function inspectVersionFolder(path: string): Promise<VersionFiles> {
  const self = await lstat(path);
  if (!self.isDirectory()) return { fingerprint: `.:${self.mtimeMs}`, irregular: ['.'] };
  const names = (await readdir(path)).sort();
  const parts: string[] = [];
  const irregular: string[] = [];
  for (const name of names) {
    try {
      const s = await lstat(join(path, name));
      if (!s.isFile()) irregular.push(name);
      parts.push(`${name}:${s.size}:${s.mtimeMs}`);
    } catch {
      parts.push(`${name}:gone`);
    }
  }
  return { fingerprint: parts.join('|'), irregular };
}
