import { sha256Hex } from './digest.ts';
import { StoreError } from './errors.ts';
import { type Manifest, missingRequiredFile } from './manifest.ts';
import { parseManifest } from './manifest-parse.ts';

/** Reads one file of a version; undefined when it does not exist. */
export type ReadVersionFile = (file: string) => Promise<Uint8Array | undefined>;

/**
 * Reads a version through `read` and verifies it: manifest format supported, name and version
 * consistent, required files listed, every listed file present with the recorded sha256. Every
 * store reads versions through this one check.
 */
export async function readVerifiedVersion(
  name: string,
  version: number,
  read: ReadVersionFile,
): Promise<{ manifest: Manifest; files: Record<string, Uint8Array> }> {
  const where = `${name}/${version}`;
  const corrupt = (file: string, why: string) =>
    new StoreError('TANDEM_VERSION_CORRUPT', `${where}: ${file} ${why}`, {
      model: name,
      version,
      file,
    });
  const readListed = async (file: string): Promise<Uint8Array> => {
    const bytes = await read(file);
    if (bytes === undefined) throw corrupt(file, 'is missing');
    return bytes;
  };
  const manifest = parseVersionManifest(name, version, await readListed('manifest.json'));
  const files: Record<string, Uint8Array> = {};
  for (const [file, expected] of Object.entries(manifest.files)) {
    const bytes = await readListed(file);
    const actual = sha256Hex(bytes);
    if (actual !== expected) {
      throw corrupt(file, `has sha256 ${actual}, manifest.json records ${expected}`);
    }
    files[file] = bytes;
  }
  return { manifest, files };
}

/** Parses a version's manifest.json and checks that it names this version and lists the required files. */
export function parseVersionManifest(name: string, version: number, bytes: Uint8Array): Manifest {
  const where = `${name}/${version}`;
  let manifest: Manifest;
  try {
    manifest = parseManifest(bytes, where);
  } catch (error) {
    if (error instanceof StoreError) Object.assign(error, { model: name, version });
    throw error;
  }
  const corrupt = (why: string) =>
    new StoreError('TANDEM_VERSION_CORRUPT', `${where}: manifest.json ${why}`, {
      model: name,
      version,
      file: 'manifest.json',
    });
  if (manifest.name !== name || manifest.version !== version) {
    throw corrupt(`names ${manifest.name}/${manifest.version}, not the folder it is in`);
  }
  const unlisted = missingRequiredFile((file) => file in manifest.files);
  if (unlisted !== undefined) throw corrupt(`does not list ${unlisted}`);
  return manifest;
}
