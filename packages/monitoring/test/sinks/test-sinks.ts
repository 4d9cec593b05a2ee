/**
 * Sinks for the monitoring thread's tests, loaded inside its worker by module spec
 * ({ kind: 'module', url, options }): a stalled one, one that blocks its thread, and one whose
 * worker dies.
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { LogEvent, LogSink } from '../../src/index.ts';
import { SegmentSink } from '../../src/index.ts';

/** Holds every write until the file `release` exists: a database that stopped answering. */
class StalledSink implements LogSink {
  constructor(private readonly release: string) {}
  async write(_events: readonly LogEvent[]): Promise<void> {
    while (!existsSync(this.release)) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  async close(): Promise<void> {}
}

/**
 * Blocks the worker's thread for `blockMs` on its second write, after creating `marker`: a disk
 * that stopped answering.
 */
class BlockingSink implements LogSink {
  private writes = 0;
  constructor(private readonly options: { blockMs: number; marker: string }) {}
  async write(_events: readonly LogEvent[]): Promise<void> {
    if (++this.writes !== 2) return;
    writeFileSync(this.options.marker, 'blocked');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, this.options.blockMs);
  }
  async close(): Promise<void> {}
}

/**
 * Segments in `folder`, except that the first write of the first worker ends its thread
 * (process.exit in a worker stops that worker only): `marker` records that it died once.
 */
class DyingSink implements LogSink {
  private readonly segments: SegmentSink;
  constructor(private readonly options: { folder: string; marker: string }) {
    this.segments = new SegmentSink({ folder: options.folder });
  }
  async write(events: readonly LogEvent[]): Promise<void> {
    if (!existsSync(this.options.marker)) {
      writeFileSync(this.options.marker, 'died');
      process.exit(7);
    }
    await this.segments.write(events);
  }
  close(): Promise<void> {
    return this.segments.close();
  }
}

export function createSink(options: {
  kind: 'stalled' | 'blocking' | 'dying';
  release?: string;
  blockMs?: number;
  folder?: string;
  marker?: string;
}): LogSink {
  if (options.kind === 'stalled') return new StalledSink(options.release as string);
  if (options.kind === 'blocking')
    return new BlockingSink(options as { blockMs: number; marker: string });
  return new DyingSink(options as { folder: string; marker: string });
}
