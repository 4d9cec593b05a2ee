import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError } from './errors.ts';
import { processAlive } from './fs-atomic.ts';

const RETRY_MS = 10;
const TIMEOUT_MS = 5_000;

/**
 * Runs `work` holding an exclusive lock directory (mkdir is atomic), so two label commands
 * editing labels.json at once cannot lose an update. A lock left by a dead process is taken over.
 */
export async function withDirectoryLock<T>(
  lockPath: string,
  model: string,
  work: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    try {
      await mkdir(lockPath);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await holderIsDead(lockPath)) {
        await rm(lockPath, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new StoreError('TANDEM_STORE_BUSY', `${lockPath} is held by another process`, {
          model,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
  try {
    await writeFile(join(lockPath, 'pid'), String(process.pid));
    return await work();
  } finally {
    await rm(lockPath, { recursive: true, force: true });
  }
}

async function holderIsDead(lockPath: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(join(lockPath, 'pid'), 'utf8');
  } catch {
    // No pid yet: just created (alive), unless it has stayed that way far too long.
    const info = await stat(lockPath).catch(() => null);
    return info !== null && Date.now() - info.mtimeMs > TIMEOUT_MS;
  }
  const pid = Number(text);
  return Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid);
}
