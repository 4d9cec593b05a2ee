/**
 * Sinks for the threaded log's tests, loaded inside its worker thread by module spec
 * ({ kind: 'module', url, options }): a stalled one, and one whose worker dies.
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
  kind: 'stalled' | 'dying';
  release?: string;
  folder?: string;
  marker?: string;
}): LogSink {
  if (options.kind === 'stalled') return new StalledSink(options.release as string);
  return new DyingSink(options as { folder: string; marker: string });
}
