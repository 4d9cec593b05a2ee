import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { AtomicFile } from './atomic-file.ts';
import { isS3Path, parseS3Object, type S3Files } from './s3-files.ts';

/**
 * Where an output (or rejects) file goes: written piece by piece, then committed whole or
 * aborted without a trace. A local path is an AtomicFile; an `s3://` one is staged in a local
 * temporary file and uploaded by one PutObject at commit, so the object appears complete or not
 * at all, and a failed run leaves the old object (or none).
 */
export interface OutputTarget {
  readonly path: string;
  write(text: string | Uint8Array): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export async function createOutput(path: string, s3: S3Files): Promise<OutputTarget> {
  if (!isS3Path(path)) return AtomicFile.create(path);
  const object = parseS3Object(path, '--output');
  // TMPDIR decides where parts are staged (a pod's emptyDir at /tmp, for instance).
  const staging = await mkdtemp(join(tmpdir(), 'tandem-s3-part-'));
  const file = await AtomicFile.create(join(staging, basename(object.key)));
  const clean = () => rm(staging, { recursive: true, force: true });
  return {
    path,
    write: (text) => file.write(text),
    async commit() {
      try {
        await file.commit();
        await s3.upload(file.path, path);
      } finally {
        await clean();
      }
    },
    async abort() {
      await file.abort();
      await clean();
    },
  };
}
