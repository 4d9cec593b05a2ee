import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A cheap identity of a version folder's contents: every file's name, size and mtime. Versions
 * are immutable, so this only changes when someone edits or replaces one; the registry then
 * verifies it again instead of trusting what it loaded before.
 */
export async function fingerprintDirectory(path: string): Promise<string> {
  const names = (await readdir(path)).sort();
  const parts: string[] = [];
  for (const name of names) {
    try {
      const s = await stat(join(path, name));
      parts.push(`${name}:${s.size}:${s.mtimeMs}`);
    } catch {
      parts.push(`${name}:gone`);
    }
  }
  return parts.join('|');
}
