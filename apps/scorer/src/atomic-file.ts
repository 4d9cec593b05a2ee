import { randomBytes } from 'node:crypto';
import { rmSync, type WriteStream } from 'node:fs';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ScorerError } from './errors.ts';

/** Temp files not yet committed or removed: deleted synchronously if the process exits early. */
const pending = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const path of pending) rmSync(path, { force: true });
  });
}

/** The temp name used for `path`: hidden, in the same folder (so rename is atomic), unique. */
function tempPathFor(path: string): string {
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  return join(dirname(path), `.${basename(path)}.${suffix}.tmp`);
}

/**
 * A file written under a temporary name in its destination folder and renamed into place by
 * commit(): readers of `path` see the old file or the complete new one, never a partial one.
 * abort() (and process exit before commit) removes the temp file. Writes respect backpressure:
 * write() resolves at once while the stream's buffer is below its high-water mark, and waits for
 * it to drain otherwise.
 */
export class AtomicFile {
  readonly path: string;
  readonly tempPath: string;
  private readonly handle: FileHandle;
  private readonly stream: WriteStream;
  private failure: Error | undefined;
  private done = false;

  private constructor(path: string, tempPath: string, handle: FileHandle, highWaterMark: number) {
    this.path = path;
    this.tempPath = tempPath;
    this.handle = handle;
    this.stream = handle.createWriteStream({ highWaterMark, encoding: 'utf8' });
    this.stream.on('error', (error) => {
      this.failure ??= error;
    });
  }

  /** Creates the temp file (and missing parent folders) for `path`. */
  static async create(path: string, options?: { highWaterMark?: number }): Promise<AtomicFile> {
    const tempPath = tempPathFor(path);
    let handle: FileHandle;
    try {
      await mkdir(dirname(path), { recursive: true });
      handle = await open(tempPath, 'wx', 0o644);
    } catch (error) {
      throw outputError(path, error);
    }
    installExitHook();
    pending.add(tempPath);
    return new AtomicFile(path, tempPath, handle, options?.highWaterMark ?? 1 << 20);
  }

  async write(text: string | Uint8Array): Promise<void> {
    if (this.failure !== undefined) throw outputError(this.path, this.failure);
    if (this.stream.write(text)) return;
    await new Promise<void>((resolve, reject) => {
      const onDrain = (): void => {
        this.stream.off('error', onError);
        resolve();
      };
      const onError = (error: Error): void => {
        this.stream.off('drain', onDrain);
        reject(outputError(this.path, error));
      };
      this.stream.once('drain', onDrain);
      this.stream.once('error', onError);
    });
  }

  /** Flushes, syncs to disk and renames the temp file onto `path`. */
  async commit(): Promise<void> {
    if (this.done) return;
    try {
      // The callback of a last, empty write runs once every earlier write reached the file.
      await new Promise<void>((resolve, reject) => {
        this.stream.write('', (error) => (error ? reject(error) : resolve()));
      });
      if (this.failure !== undefined) throw this.failure;
      await this.handle.sync();
      await this.closeStream(false);
      await rename(this.tempPath, this.path);
      this.done = true;
      pending.delete(this.tempPath);
    } catch (error) {
      await this.abort();
      throw outputError(this.path, error);
    }
  }

  /** Discards the temp file; the destination is left as it was. Safe to call more than once. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.closeStream(true).catch(() => undefined);
    await rm(this.tempPath, { force: true });
    pending.delete(this.tempPath);
  }

  /** Ends (or destroys) the stream, which closes the file handle it owns. */
  private closeStream(destroy: boolean): Promise<void> {
    const stream = this.stream;
    if (stream.closed) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      stream.once('close', resolve);
      if (destroy) {
        stream.destroy();
        return;
      }
      stream.once('error', reject);
      stream.end();
    });
  }
}

function outputError(path: string, error: unknown): ScorerError {
  if (error instanceof ScorerError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new ScorerError('TANDEM_SCORE_OUTPUT_FAILED', `cannot write ${path}: ${reason}`, {
    cause: error,
  });
}
