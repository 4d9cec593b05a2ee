import { createHash } from 'node:crypto';

/** Lower-case hex sha256, the form manifest.json stores. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
