import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * Optional API keys. The keys file holds no key, only each key's SHA-256 and its scopes:
 *
 *     [{ "id": "ci", "sha256": "<64 hex>", "scopes": ["predict:credit", "metrics"] }]
 *
 * Scopes: `predict:<model>` (or `predict:*`) for a model's predict, explain and metadata routes,
 * `metrics` for /metrics, `admin` for everything. A presented key is hashed and compared with
 * every stored hash in constant time (timingSafeEqual over equal-length digests), so neither
 * the comparison nor the number of keys checked tells an attacker how close a guess was.
 */
export interface ApiKey {
  readonly id: string;
  readonly digest: Buffer;
  readonly scopes: ReadonlySet<string>;
}

export class ApiKeyError extends Error {
  readonly code = 'TANDEM_SERVER_CONFIG_INVALID' as const;
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The keys in `path`; a file that cannot be read or holds a malformed entry is a config error. */
export function readApiKeys(path: string): ApiKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ApiKeyError(`--api-keys ${path}: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new ApiKeyError(`--api-keys ${path}: expected a non-empty array of keys`);
  }
  return parsed.map((entry, i) => {
    const e = entry as { id?: unknown; sha256?: unknown; scopes?: unknown };
    if (typeof e.id !== 'string' || e.id === '') {
      throw new ApiKeyError(`--api-keys ${path}: entry ${i} needs an "id"`);
    }
    if (typeof e.sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(e.sha256)) {
      throw new ApiKeyError(`--api-keys ${path}: key ${e.id} needs "sha256", 64 hex digits`);
    }
    if (!Array.isArray(e.scopes) || !e.scopes.every((s) => typeof s === 'string')) {
      throw new ApiKeyError(`--api-keys ${path}: key ${e.id} needs "scopes", a list of strings`);
    }
    return { id: e.id, digest: Buffer.from(e.sha256, 'hex'), scopes: new Set(e.scopes) };
  });
}

/** The key whose hash matches `presented`, checking every key whatever the outcome. */
export function findKey(keys: readonly ApiKey[], presented: string): ApiKey | undefined {
  const digest = sha256(presented);
  let found: ApiKey | undefined;
  for (const key of keys) {
    if (timingSafeEqual(key.digest, digest) && found === undefined) found = key;
  }
  return found;
}

/** Whether `key` may do what `scope` names (`predict:credit`, `metrics`, …). */
export function allows(key: ApiKey, scope: string): boolean {
  if (key.scopes.has('admin') || key.scopes.has(scope)) return true;
  return scope.startsWith('predict:') && key.scopes.has('predict:*');
}
