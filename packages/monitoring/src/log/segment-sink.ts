import { type FileHandle, mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { MonitoringError } from '../errors.ts';
import type { LogEvent, LogSink } from './events.ts';

export interface SegmentSinkOptions {
  folder: string;
  /** A segment is sealed once it holds this many bytes (default 64 MiB)… */
  segmentBytes?: number;
  /** …or once it is this old (default one hour), whichever comes first. */
  segmentMs?: number;
  now?: () => number;
}

/** Sealed segments: `segment-<UTC start, compact>-<pid>-<sequence>.ndjson`, sortable by name. */
export const SEGMENT_PATTERN = /^segment-(\d{8}T\d{6}\d{3}Z)-(\d+)-(\d+)\.ndjson$/;

/**
 * The embedded log: one NDJSON event per line, in rotating segments. The segment being written
 * has a hidden name (`.open-…`); it is fsynced and renamed to its sealed name when it rotates or
 * the sink closes, so a sealed segment is complete and never changes afterwards: its sha256 can
 * stand in a manifest's lineage.
 */
export class SegmentSink implements LogSink {
  private readonly folder: string;
  private readonly segmentBytes: number;
  private readonly segmentMs: number;
  private readonly now: () => number;
  private current:
    | { handle: FileHandle; openName: string; sealedName: string; bytes: number; openedAt: number }
    | undefined;
  private sequence = 0;
  private ready: Promise<void> | undefined;

  constructor(options: SegmentSinkOptions) {
    this.folder = options.folder;
    this.segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
    this.segmentMs = options.segmentMs ?? 60 * 60 * 1000;
    this.now = options.now ?? Date.now;
    if (!(this.segmentBytes > 0) || !(this.segmentMs > 0)) {
      throw new MonitoringError('TANDEM_LOG_SINK_INVALID', 'segment size and age must be positive');
    }
  }

  async write(events: readonly LogEvent[]): Promise<void> {
    this.ready ??= mkdir(this.folder, { recursive: true }).then(() => undefined);
    await this.ready;
    const now = this.now();
    if (this.current !== undefined && now - this.current.openedAt >= this.segmentMs)
      await this.seal();
    const segment = this.current ?? (await this.openSegment(now));
    let text = '';
    for (const event of events) text += `${JSON.stringify(event)}\n`;
    await segment.handle.write(text, null, 'utf8');
    segment.bytes += Buffer.byteLength(text, 'utf8');
    if (segment.bytes >= this.segmentBytes) await this.seal();
  }

  async close(): Promise<void> {
    await this.seal();
  }

  private async openSegment(now: number) {
    const stamp = new Date(now).toISOString().replace(/[-:.]/g, '');
    const base = `${stamp}-${process.pid}-${String(this.sequence++).padStart(6, '0')}.ndjson`;
    const openName = `.open-${base}`;
    const handle = await open(join(this.folder, openName), 'a');
    this.current = { handle, openName, sealedName: `segment-${base}`, bytes: 0, openedAt: now };
    return this.current;
  }

  /** Makes the current segment durable and visible under its sealed name. */
  private async seal(): Promise<void> {
    const segment = this.current;
    if (segment === undefined) return;
    this.current = undefined;
    try {
      await segment.handle.sync();
    } finally {
      await segment.handle.close();
    }
    await rename(join(this.folder, segment.openName), join(this.folder, segment.sealedName));
  }
}
