/**
 * Buffers for the log worker's encoded lines, used again once a sink has written them. A worker
 * batch fills about a megabyte; allocated afresh each time, those buffers were external memory
 * churning at a hundred megabytes a second, and V8 ran a full collection of the worker's small
 * heap every 80 ms for it (most of the log's cost outside the serving thread at 100-row
 * requests). Bounded: at most `limit` buffers wait here; larger ones than `largest` are left to
 * the garbage collector.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  private readonly limit: number;
  private readonly largest: number;

  constructor(limit = 8, largest = 16 * 1024 * 1024) {
    this.limit = limit;
    this.largest = largest;
  }

  /** A buffer of at least `size` bytes (its contents are not cleared). */
  take(size: number): Buffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const length = (this.free[i] as Buffer).length;
      if (length >= size && (best < 0 || length < (this.free[best] as Buffer).length)) best = i;
    }
    if (best < 0) return Buffer.allocUnsafeSlow(size);
    const [buffer] = this.free.splice(best, 1);
    return buffer as Buffer;
  }

  /** Hands a buffer back: nothing may read or write it afterwards. */
  give(buffer: Buffer): void {
    if (buffer.length > this.largest) return;
    if (this.free.length >= this.limit) {
      // Keep the larger ones: a batch that grew once will grow again.
      let smallest = 0;
      for (let i = 1; i < this.free.length; i++) {
        if ((this.free[i] as Buffer).length < (this.free[smallest] as Buffer).length) smallest = i;
      }
      if ((this.free[smallest] as Buffer).length >= buffer.length) return;
      this.free[smallest] = buffer;
      return;
    }
    this.free.push(buffer);
  }

  get size(): number {
    return this.free.length;
  }
}

/** One pooled buffer shared by the parts an entry of encoded lines was split into. */
export class PooledBytes {
  readonly buffer: Buffer;
  private readonly pool: BufferPool;
  private parts = 1;

  constructor(buffer: Buffer, pool: BufferPool) {
    this.buffer = buffer;
    this.pool = pool;
  }

  /** One part became two. */
  split(): void {
    this.parts++;
  }

  /** One part is done with (written, failed or dropped); the last one returns the buffer. */
  release(): void {
    if (--this.parts === 0) this.pool.give(this.buffer);
  }
}
