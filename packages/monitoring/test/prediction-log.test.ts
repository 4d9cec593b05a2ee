import { open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EncodedLines,
  eventCount,
  type LogEntry,
  type LogEvent,
  type LogSink,
  PostgresSink,
  PredictionLog,
  SEGMENT_PATTERN,
  SegmentSink,
} from '../src/index.ts';
import { ndjson, writeFully } from '../src/log/segment-sink.ts';
import { FEEDBACK, useTempFolder } from './data.ts';
import { usePostgres } from './postgres.ts';

function event(id: string, row = 0): LogEvent {
  return {
    type: 'prediction',
    id,
    row,
    time: new Date(1_700_000_000_000 + row).toISOString(),
    model: 'credit',
    version: 1,
    label: 'production',
    route: 'native',
    input: { Income: 129, Home: 'rent' },
    output: { label: 'good', probabilities: { bad: 0.25, good: 0.75 } },
  };
}

/** A sink that holds every write until released: a database that stopped answering. */
class StalledSink implements LogSink {
  written: LogEvent[] = [];
  private waiting: (() => void)[] = [];
  stalled = true;
  async write(events: readonly LogEvent[]): Promise<void> {
    if (this.stalled) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.written.push(...events);
  }
  release(): void {
    this.stalled = false;
    for (const resolve of this.waiting.splice(0)) resolve();
  }
  async close(): Promise<void> {}
}

describe('PredictionLog', () => {
  it('with a stalled sink, holds at most capacity + one batch, and written + dropped = sent', async () => {
    const sink = new StalledSink();
    const log = new PredictionLog({ sink, capacity: 1000, batchSize: 100 });
    for (let i = 0; i < 50_000; i++) {
      log.offer(event(`r${i}`));
      if (i % 5000 === 0) await new Promise((resolve) => setImmediate(resolve));
      expect(log.counts().pending).toBeLessThanOrEqual(1100);
    }
    const stalled = log.counts();
    expect(stalled.sent).toBe(50_000);
    expect(stalled.written).toBe(0);
    expect(stalled.dropped).toBeGreaterThanOrEqual(50_000 - 1100);
    sink.release();
    await log.flush();
    const after = log.counts();
    expect(after.pending).toBe(0);
    expect(after.failed).toBe(0);
    expect(after.written + after.dropped).toBe(after.sent);
    expect(sink.written.length).toBe(after.written);
  });

  it('counts runs of encoded lines by their events: kept up to capacity, split into batches', async () => {
    const lines = Array.from({ length: 250 }, (_, i) => JSON.stringify(event('bulk', i)));
    const buffer = Buffer.from(lines.map((line) => `${line}\n`).join(''), 'utf8');
    const ends = new Int32Array(lines.length);
    let at = 0;
    lines.forEach((line, i) => {
      at += Buffer.byteLength(line) + 1;
      ends[i] = at;
    });
    const writes: LogEntry[][] = [];
    const sink: LogSink = {
      write: async (entries) => {
        writes.push([...entries]);
      },
      close: async () => {},
    };
    const log = new PredictionLog({ sink, capacity: 100, batchSize: 64 });
    expect(log.offer(new EncodedLines(buffer, 0, ends))).toBe(false);
    log.offer(event('single'));
    expect(log.counts()).toEqual({ sent: 251, written: 0, dropped: 151, failed: 0, pending: 100 });
    await log.flush();
    expect(log.counts()).toEqual({ sent: 251, written: 100, dropped: 151, failed: 0, pending: 0 });
    expect(writes.map((batch) => batch.reduce((n, entry) => n + eventCount(entry), 0))).toEqual([
      64, 36,
    ]);
    const written = writes.flat().flatMap((entry) => (entry as EncodedLines).lines());
    expect(written).toEqual(lines.slice(0, 100));
  });

  it('counts a failing sink as failed, and keeps accepting', async () => {
    let fail = true;
    const sink: LogSink = {
      write: async () => {
        if (fail) throw new Error('disk full');
      },
      close: async () => {},
    };
    const errors: unknown[] = [];
    const log = new PredictionLog({ sink, onError: (e) => errors.push(e) });
    for (let i = 0; i < 10; i++) log.offer(event(`a${i}`));
    await log.flush();
    fail = false;
    for (let i = 0; i < 5; i++) log.offer(event(`b${i}`));
    await log.flush();
    expect(log.counts()).toEqual({ sent: 15, written: 5, dropped: 0, failed: 10, pending: 0 });
    expect(errors.length).toBe(1);
  });

  it('samples per request', () => {
    let i = 0;
    // random() walks 0, 0.001, …, 0.999: exactly the 250 draws below 0.25 are kept.
    const log = new PredictionLog({
      sink: new StalledSink(),
      sampleRate: 0.25,
      random: () => i++ / 1000,
    });
    const kept = Array.from({ length: 1000 }, () => log.sample()).filter(Boolean).length;
    expect(kept).toBe(250);
    expect(new PredictionLog({ sink: new StalledSink(), sampleRate: 0 }).sample()).toBe(false);
    expect(() => new PredictionLog({ sink: new StalledSink(), sampleRate: 2 })).toThrow(/0 to 1/);
  });
});

describe('SegmentSink', () => {
  const temp = useTempFolder('tandem-log-');

  it('rotates by size, seals segments under sortable names, loses no event', async () => {
    const folder = temp();
    const sink = new SegmentSink({ folder, segmentBytes: 2000 });
    const log = new PredictionLog({ sink, batchSize: 5 });
    for (let i = 0; i < 100; i++) log.offer(event('bulk', i));
    await log.close();
    const files = (await readdir(folder)).sort();
    expect(files.length).toBeGreaterThan(3);
    expect(files.every((f) => SEGMENT_PATTERN.test(f))).toBe(true);
    const lines: LogEvent[] = [];
    for (const f of files) {
      const text = await readFile(join(folder, f), 'utf8');
      for (const line of text.split('\n')) if (line !== '') lines.push(JSON.parse(line));
    }
    expect(lines.map((e) => e.row)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(log.counts()).toMatchObject({ sent: 100, written: 100, dropped: 0, failed: 0 });
  });

  it('writes the same segments blocking (the worker thread) as through the file threads', async () => {
    const contents = async (blockingWrites: boolean) => {
      const folder = join(temp(), blockingWrites ? 'blocking' : 'file-threads');
      const log = new PredictionLog({
        sink: new SegmentSink({ folder, segmentBytes: 2000, blockingWrites, now: () => 0 }),
        batchSize: 7,
      });
      for (let i = 0; i < 60; i++) log.offer(event(`r${i >> 2}`, i));
      await log.close();
      const files = (await readdir(folder)).sort();
      return Promise.all(files.map((f) => readFile(join(folder, f), 'utf8')));
    };
    const blocking = await contents(true);
    expect(blocking.length).toBeGreaterThan(2);
    expect(blocking).toEqual(await contents(false));
    expect(blocking.join('')).toBe(
      Array.from({ length: 60 }, (_, i) => `${JSON.stringify(event(`r${i >> 2}`, i))}\n`).join(''),
    );
  });
});

describe('SegmentSink sealing in the background', () => {
  const temp = useTempFolder('tandem-seal-');

  /** Holds every FileHandle.sync() until released (or fails it): a slow or failing disk. */
  async function gateSync(folder: string) {
    const probe = await open(join(folder, 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    await rm(join(folder, 'probe'));
    const original = prototype.sync;
    let waiting: (() => void)[] = [];
    let failing = false;
    let held = true;
    prototype.sync = async function (this: unknown) {
      if (failing) throw new Error('EIO: i/o error, fsync');
      if (held) await new Promise<void>((resolve) => waiting.push(resolve));
      return original.call(this);
    };
    return {
      pending: () => waiting.length,
      release() {
        held = false;
        for (const resolve of waiting) resolve();
        waiting = [];
      },
      fail() {
        failing = true;
      },
      restore() {
        prototype.sync = original;
      },
    };
  }

  it('goes on writing into the next segment while a rotated one is sealed, then seals all in order', async () => {
    const folder = temp();
    const gate = await gateSync(folder);
    try {
      const sink = new SegmentSink({ folder, segmentBytes: 200, now: () => 0 });
      const line = (i: number) => [event('seal', i)];
      await sink.write(line(0)); // over 200 bytes: rotates, its seal waits on the gate
      expect(gate.pending()).toBe(1);
      await sink.write(line(1)); // not held up by that seal: a second open segment
      const names = (await readdir(folder)).sort();
      expect(names.filter((n) => n.startsWith('.open-'))).toHaveLength(2);
      expect(names.filter((n) => SEGMENT_PATTERN.test(n))).toHaveLength(0);
      // Beyond MAX_PENDING_SEALS a write waits for the oldest seal: memory and handles stay bounded.
      let third = false;
      const writing = sink.write(line(2)).then(() => {
        third = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(third).toBe(false);
      gate.release();
      await writing;
      await sink.close();
      const sealed = (await readdir(folder)).sort();
      expect(sealed).toHaveLength(3);
      expect(sealed.every((n) => SEGMENT_PATTERN.test(n))).toBe(true);
      const rows = [];
      for (const name of sealed) {
        const text = await readFile(join(folder, name), 'utf8');
        rows.push(
          ...text
            .trim()
            .split('\n')
            .map((l) => (JSON.parse(l) as LogEvent).row),
        );
      }
      expect(rows).toEqual([0, 1, 2]);
    } finally {
      gate.restore();
    }
  });

  it('fails the next write when a seal fails, and the log counts it as failed', async () => {
    const folder = temp();
    const gate = await gateSync(folder);
    try {
      gate.fail();
      const sink = new SegmentSink({ folder, segmentBytes: 200, now: () => 0 });
      const log = new PredictionLog({ sink, batchSize: 1 });
      for (let i = 0; i < 4; i++) {
        log.offer(event('fail', i));
        await log.flush();
      }
      await log.close().catch(() => undefined);
      const counts = log.counts();
      expect(counts.failed).toBeGreaterThan(0);
      expect(counts.written + counts.dropped + counts.failed).toBe(counts.sent);
    } finally {
      gate.restore();
    }
  });
});

describe('writeFully', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('resumes after short writes, mid-chunk and across chunks', () => {
    const chunks = [bytes('{"a":1}\n'), bytes(''), bytes('{"b":22}\n{"c":3}\n'), bytes('x')];
    const file: number[] = [];
    let calls = 0;
    writeFully(chunks, (rest) => {
      calls++;
      // At most 5 bytes a call, from the chunks in order.
      let room = 5;
      for (const chunk of rest) {
        const n = Math.min(room, chunk.length);
        file.push(...chunk.subarray(0, n));
        room -= n;
        if (n < chunk.length || room === 0) break;
      }
      return 5 - room;
    });
    expect(new TextDecoder().decode(Uint8Array.from(file))).toBe('{"a":1}\n{"b":22}\n{"c":3}\nx');
    expect(calls).toBe(Math.ceil(file.length / 5));
  });

  it('throws when a write makes no progress, instead of spinning', () => {
    expect(() => writeFully([bytes('abc')], () => 0)).toThrow(/wrote 0 bytes/);
  });
});

describe('ndjson', () => {
  it('writes each event as JSON.stringify does, sharing the request fields across its rows', () => {
    const request = (id: string, label: string | null, rows: number): LogEvent[] =>
      Array.from({ length: rows }, (_, row) => ({
        type: 'prediction',
        id,
        row,
        time: '2026-12-01T10:00:00.000Z',
        model: 'credit',
        version: 3,
        label,
        route: 'native',
        input: { Home: row % 2 ? 'rent "cheap"\n' : 'ÿ owner', Income: row * 1.5, Age: null },
        output: { label: 'good', probabilities: { bad: 0.25, good: 0.75 } },
      }));
    const feedback = FEEDBACK;
    const events = [
      ...request('a', 'production', 3),
      feedback,
      ...request('a', 'production', 2),
      ...request('b', null, 2),
    ];
    // A label left undefined is dropped by JSON.stringify: the fast path must not write it.
    const { label: _dropped, ...unlabelled } = events[0] as LogEvent & { label: unknown };
    events.push(unlabelled as LogEvent);
    expect(ndjson(events)).toBe(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  });
});

describe('PostgresSink', () => {
  const postgres = usePostgres();

  it('writes every event of every batch to a real PostgreSQL, in order', async () => {
    const table = `log_${process.pid}_${Date.now()}`;
    const sink = new PostgresSink({ url: postgres(), table });
    const log = new PredictionLog({ sink, batchSize: 64 });
    for (let i = 0; i < 300; i++) log.offer(event(`q${Math.floor(i / 3)}`, i % 3));
    await log.flush();
    expect(log.counts()).toMatchObject({ sent: 300, written: 300, failed: 0 });
    const back = await sink.read('credit');
    expect(back.length).toBe(300);
    expect(back[4]).toEqual(event('q1', 1));
    await log.close();
  });

  it('counts batches as failed when the database cannot be reached, without throwing', async () => {
    const sink = new PostgresSink({ url: 'postgres://postgres@127.0.0.1:1/none' });
    const log = new PredictionLog({ sink });
    log.offer(event('x'));
    await log.flush();
    expect(log.counts()).toMatchObject({ sent: 1, written: 0, failed: 1 });
    await log.close();
  });
});
