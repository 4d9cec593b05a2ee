import { describe, expect, it } from 'vitest';
import { EncodedLines, type LogEntry, type LogSink, PredictionLog } from '../src/index.ts';
import { BufferPool, PooledBytes } from '../src/log/buffer-pool.ts';

/** `count` lines of text in one pooled buffer, as the log's worker builds them. */
function pooledLines(pool: BufferPool, tag: string, count: number): EncodedLines {
  const text = Array.from({ length: count }, (_, i) => `{"id":"${tag}","row":${i}}\n`).join('');
  const whole = pool.take(Buffer.byteLength(text));
  const size = whole.write(text, 0, 'utf8');
  const ends = new Int32Array(count);
  for (let i = 0, at = 0; i < count; i++) {
    at = whole.indexOf(10, at) + 1;
    ends[i] = at;
  }
  return new EncodedLines(whole.subarray(0, size), 0, ends, new PooledBytes(whole, pool));
}

describe('BufferPool', () => {
  it('hands back the smallest free buffer that fits, and keeps at most `limit`, the larger ones', () => {
    const pool = new BufferPool(2, 1000);
    const small = Buffer.allocUnsafeSlow(100);
    const large = Buffer.allocUnsafeSlow(500);
    pool.give(large);
    pool.give(small);
    expect(pool.take(50)).toBe(small);
    expect(pool.take(50)).toBe(large);
    expect(pool.take(50)).not.toBe(large);
    pool.give(Buffer.allocUnsafeSlow(2000));
    expect(pool.size).toBe(0);
    pool.give(small);
    pool.give(large);
    const middle = Buffer.allocUnsafeSlow(300);
    pool.give(middle);
    expect(pool.size).toBe(2);
    expect(pool.take(200)).toBe(middle);
    expect(pool.take(200)).toBe(large);
  });

  it('gets a split buffer back only once every part is released', () => {
    const pool = new BufferPool();
    const lines = pooledLines(pool, 'a', 4);
    const [head, rest] = lines.split(1);
    const [middle, tail] = rest.split(2);
    head.release();
    middle.release();
    expect(pool.size).toBe(0);
    tail.release();
    expect(pool.size).toBe(1);
  });

  it('reuses the buffers a sink that keeps no bytes has written, and the lines stay whole', async () => {
    const pool = new BufferPool();
    const written: string[] = [];
    let recycled = 0;
    const sink: LogSink = {
      keepsNoBytes: true,
      write: async (entries: readonly LogEntry[]) => {
        for (const entry of entries) written.push(...(entry as EncodedLines).lines());
      },
      close: async () => {},
    };
    const log = new PredictionLog({ sink, capacity: 10, batchSize: 4, lingerMs: 0 });
    const expected: string[] = [];
    for (let round = 0; round < 20; round++) {
      const before = pool.size;
      const lines = pooledLines(pool, `r${round}`, 3 + (round % 3));
      if (pool.size < before) recycled++;
      expected.push(...lines.lines());
      log.offer(lines);
      await log.flush();
    }
    await log.close();
    expect(written).toEqual(expected);
    expect(recycled).toBeGreaterThan(15);
    expect(log.counts()).toMatchObject({ written: expected.length, dropped: 0, failed: 0 });
  });

  it('returns dropped lines, and never a buffer a sink may keep', async () => {
    const pool = new BufferPool();
    const kept: EncodedLines[] = [];
    const sink: LogSink = {
      write: async (entries: readonly LogEntry[]) => {
        kept.push(...(entries as EncodedLines[]));
      },
      close: async () => {},
    };
    const log = new PredictionLog({ sink, capacity: 2, batchSize: 2, lingerMs: 0 });
    // Three of five lines dropped; the two kept share the buffer, written to a sink that did
    // not say it keeps no bytes: the buffer stays out of the pool.
    log.offer(pooledLines(pool, 'x', 5));
    await log.close();
    expect(pool.size).toBe(0);
    expect(kept.flatMap((e) => e.lines())).toEqual(['{"id":"x","row":0}', '{"id":"x","row":1}']);
    // A closed log drops a whole entry: its buffer goes straight back.
    log.offer(pooledLines(pool, 'y', 3));
    expect(log.counts()).toMatchObject({ dropped: 6 });
    expect(pool.size).toBe(1);
  });
});
