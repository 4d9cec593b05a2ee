import { writeSync, writevSync } from 'node:fs';
import { type FileHandle, mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { MonitoringError } from '../errors.ts';
import {
  EncodedLines,
  type LogEntry,
  type LogEvent,
  type LogSink,
  type PredictionEvent,
} from './events.ts';

export interface SegmentSinkOptions {
  folder: string;
  /** A segment is sealed once it holds this many bytes (default 64 MiB)… */
  segmentBytes?: number;
  /** …or once it is this old (default one hour), whichever comes first. */
  segmentMs?: number;
  /** The first segment's sequence number (default 0): a second sink in the process starts apart. */
  firstSequence?: number;
  /**
   * Writes lines from the calling thread, blocking it (default false: through libuv's file
   * threads). For a thread that does nothing else, the log's worker: its lines are still in its
   * cache, and no file thread has to wake for each batch.
   */
  blockingWrites?: boolean;
  now?: () => number;
}

/** Rotated segments waiting for their seal at most, before a write waits for the oldest. */
const MAX_PENDING_SEALS = 2;

interface OpenSegment {
  handle: FileHandle;
  openName: string;
  sealedName: string;
  bytes: number;
  openedAt: number;
}

/** Sealed segments: `segment-<UTC start, compact>-<pid>-<sequence>.ndjson`, sortable by name. */
export const SEGMENT_PATTERN = /^segment-(\d{8}T\d{6}\d{3}Z)-(\d+)-(\d+)\.ndjson$/;

/**
 * The embedded log: one NDJSON event per line, in rotating segments. The segment being written
 * has a hidden name (`.open-…`); it is fsynced and renamed to its sealed name when it rotates or
 * the sink closes, so a sealed segment is complete and never changes afterwards: its sha256 can
 * stand in a manifest's lineage.
 *
 * A rotated segment is sealed in the background while writes go on into the next one: the fsync
 * of 64 MiB took long enough on this machine's disk for the log's queue to fill and drop events
 * behind it. Seals run one after another, in segment order; at most MAX_PENDING_SEALS wait at
 * once (then a write waits for the oldest); a seal that fails fails the next write (or close),
 * so the log counts and reports it.
 */
export class SegmentSink implements LogSink {
  /** Its writes copy nothing and keep nothing: the bytes are free once a write settles. */
  readonly keepsNoBytes = true;
  private readonly folder: string;
  private readonly segmentBytes: number;
  private readonly segmentMs: number;
  private readonly now: () => number;
  private readonly blockingWrites: boolean;
  private current: OpenSegment | undefined;
  private sequence = 0;
  private ready: Promise<void> | undefined;
  /** The background seals, chained in segment order, and how many have not ended. */
  private sealing: Promise<void> = Promise.resolve();
  private pendingSeals = 0;
  private sealFailure: Error | undefined;

  constructor(options: SegmentSinkOptions) {
    this.folder = options.folder;
    this.segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
    this.segmentMs = options.segmentMs ?? 60 * 60 * 1000;
    this.now = options.now ?? Date.now;
    this.sequence = options.firstSequence ?? 0;
    this.blockingWrites = options.blockingWrites ?? false;
    if (!(this.segmentBytes > 0) || !(this.segmentMs > 0)) {
      throw new MonitoringError('TANDEM_LOG_SINK_INVALID', 'segment size and age must be positive');
    }
  }

  async write(events: readonly LogEntry[]): Promise<void> {
    this.ready ??= mkdir(this.folder, { recursive: true }).then(() => undefined);
    await this.ready;
    this.throwSealFailure();
    if (this.pendingSeals >= MAX_PENDING_SEALS) await this.sealing;
    const now = this.now();
    if (this.current !== undefined && now - this.current.openedAt >= this.segmentMs)
      this.sealInBackground();
    const segment = this.current ?? (await this.openSegment(now));
    // The batch's buffers as they are, in one gathered write: no copy into one buffer.
    const chunks = ndjsonChunks(events);
    let size = 0;
    for (const chunk of chunks) size += chunk.length;
    const { fd } = segment.handle;
    if (this.blockingWrites)
      writeFully(chunks, (rest) =>
        rest.length === 1 ? writeSync(fd, rest[0] as Uint8Array) : writevSync(fd, rest),
      );
    else if (chunks.length === 1) await segment.handle.write(chunks[0] as Uint8Array);
    else if (chunks.length > 1) await segment.handle.writev(chunks);
    segment.bytes += size;
    if (segment.bytes >= this.segmentBytes) this.sealInBackground();
  }

  async close(): Promise<void> {
    this.sealInBackground();
    await this.sealing;
    this.throwSealFailure();
  }

  private async openSegment(now: number) {
    const stamp = new Date(now).toISOString().replace(/[-:.]/g, '');
    const base = `${stamp}-${process.pid}-${String(this.sequence++).padStart(6, '0')}.ndjson`;
    const openName = `.open-${base}`;
    const handle = await open(join(this.folder, openName), 'a');
    this.current = { handle, openName, sealedName: `segment-${base}`, bytes: 0, openedAt: now };
    return this.current;
  }

  /** Seals the current segment after the earlier ones; the next write opens another. */
  private sealInBackground(): void {
    const segment = this.current;
    if (segment === undefined) return;
    this.current = undefined;
    this.pendingSeals++;
    this.sealing = this.sealing.then(() =>
      this.seal(segment).then(
        () => {
          this.pendingSeals--;
        },
        (error: unknown) => {
          this.pendingSeals--;
          this.sealFailure ??= new Error(
            `sealing log segment ${segment.sealedName} failed: ${(error as Error).message ?? error}`,
          );
        },
      ),
    );
  }

  private throwSealFailure(): void {
    const failure = this.sealFailure;
    if (failure === undefined) return;
    this.sealFailure = undefined;
    throw failure;
  }

  /** Makes a segment durable and visible under its sealed name. */
  private async seal(segment: OpenSegment): Promise<void> {
    try {
      await segment.handle.sync();
    } finally {
      await segment.handle.close();
    }
    await rename(join(this.folder, segment.openName), join(this.folder, segment.sealedName));
  }
}

/**
 * Writes every byte of `chunks` through `writev` (which returns the bytes it wrote), resuming
 * after a short write (a signal, a nearly full disk: a full one throws).
 */
export function writeFully(
  chunks: readonly Uint8Array[],
  writev: (chunks: Uint8Array[]) => number,
): void {
  let rest = chunks.filter((chunk) => chunk.length > 0);
  while (rest.length > 0) {
    let written = writev(rest);
    if (!(written > 0)) throw new Error(`a file write wrote ${written} bytes`);
    let done = 0;
    while (done < rest.length && written >= (rest[done] as Uint8Array).length) {
      written -= (rest[done] as Uint8Array).length;
      done++;
    }
    rest = rest.slice(done);
    if (written > 0) rest[0] = (rest[0] as Uint8Array).subarray(written);
  }
}

/**
 * The events as NDJSON lines, each JSON.stringify(event) for events whose fields come in
 * PredictionEvent's order (as the server builds them). The rows of one request share
 * every field but row, input and output, so those fields are written once per request: the log
 * then costs about half as much per row.
 */
export function ndjson(events: readonly LogEntry[]): string {
  let text = '';
  let shared: PredictionEvent | undefined;
  let head = '';
  let middle = '';
  for (const event of events) {
    if (event instanceof EncodedLines) {
      text += event.buffer.toString('utf8', event.start, event.end);
      continue;
    }
    if (!writableFast(event)) {
      text += `${JSON.stringify(event)}\n`;
      continue;
    }
    if (shared === undefined || !sameRequest(shared, event)) {
      shared = event;
      head = `{"type":"prediction","id":${JSON.stringify(event.id)},"row":`;
      middle =
        `,"time":${JSON.stringify(event.time)},"model":${JSON.stringify(event.model)}` +
        `,"version":${JSON.stringify(event.version)},"label":${JSON.stringify(event.label)}` +
        `,"route":${JSON.stringify(event.route)},"input":`;
    }
    text += `${head}${JSON.stringify(event.row)}${middle}${JSON.stringify(event.input)},"output":${JSON.stringify(event.output)}}\n`;
  }
  return text;
}

/**
 * The events as NDJSON, UTF-8: encoded lines as they are, the others as ndjson writes them;
 * one buffer for one file write.
 */
/** The events as NDJSON, UTF-8: encoded lines as their own buffers, runs of the others encoded. */
export function ndjsonChunks(events: readonly LogEntry[]): Buffer[] {
  const chunks: Buffer[] = [];
  let from = 0;
  const others = (to: number) => {
    if (to === from) return;
    chunks.push(Buffer.from(ndjson(events.slice(from, to)), 'utf8'));
  };
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (!(event instanceof EncodedLines)) continue;
    others(i);
    from = i + 1;
    chunks.push(event.buffer.subarray(event.start, event.end));
  }
  others(events.length);
  return chunks;
}

/** type, id, row, time, model, version, label, route, input, output, in this order. */
const PREDICTION_FIELDS = 10;

/** A prediction with exactly its ten fields, none undefined (JSON.stringify would drop those). */
function writableFast(event: LogEvent): event is PredictionEvent {
  return (
    event.type === 'prediction' &&
    Object.keys(event).length === PREDICTION_FIELDS &&
    event.label !== undefined &&
    event.input !== undefined &&
    event.output !== undefined
  );
}

function sameRequest(a: PredictionEvent, b: PredictionEvent): boolean {
  return (
    a.id === b.id &&
    a.time === b.time &&
    a.model === b.model &&
    a.version === b.version &&
    a.label === b.label &&
    a.route === b.route
  );
}
