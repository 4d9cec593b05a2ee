import type { BufferPool } from './buffer-pool.ts';

const EMPTY = Buffer.alloc(0);

/**
 * A growable UTF-8 buffer that the log's worker writes JSON lines into directly: numbers as
 * ASCII digits, repeated strings from a cache of their encoded JSON. Building the lines as JS
 * strings and encoding them afterwards cost the worker most of its time per row (concatenated
 * strings must be flattened, then encoded again).
 */
export class JsonBytes {
  private buffer: Buffer;
  private at = 0;
  /** The size of a fresh buffer after take(). */
  private size: number;

  /** Where buffers come from and grown-out ones go, when given. */
  private readonly pool: BufferPool | undefined;

  constructor(size = 64 * 1024, pool?: BufferPool) {
    this.pool = pool;
    this.buffer = pool === undefined ? Buffer.allocUnsafe(size) : pool.take(size);
    this.size = size;
  }

  get length(): number {
    return this.at;
  }

  /** Bytes as they are (a text already encoded). */
  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    this.reserve(n);
    // A short copy by hand: TypedArray.set costs more than a few dozen bytes' loop.
    if (n < 48) {
      const buffer = this.buffer;
      let at = this.at;
      for (let i = 0; i < n; i++) buffer[at++] = bytes[i] as number;
      this.at = at;
    } else {
      this.buffer.set(bytes, this.at);
      this.at += n;
    }
  }

  /**
   * `text[from, to)` as a JSON string when it is plain printable ASCII without a quote or a
   * backslash (then its JSON is the text in quotes); false, writing nothing, otherwise.
   */
  plainString(text: string, from: number, to: number): boolean {
    this.reserve(to - from + 2);
    const buffer = this.buffer;
    let at = this.at + 1;
    for (let i = from; i < to; i++) {
      const code = text.charCodeAt(i);
      if (code < 32 || code > 126 || code === 34 || code === 92) return false;
      buffer[at++] = code;
    }
    buffer[this.at] = 34;
    buffer[at++] = 34;
    this.at = at;
    return true;
  }

  /** Where what `write` writes starts and ends. */
  span(write: () => void): [number, number] {
    const from = this.at;
    write();
    return [from, this.at];
  }

  /** Bytes written earlier, `[from, to)`, once more. */
  again(from: number, to: number): void {
    this.reserve(to - from);
    this.buffer.copyWithin(this.at, from, to);
    this.at += to - from;
  }

  /** One byte (an ASCII character code). */
  byte(code: number): void {
    this.reserve(1);
    this.buffer[this.at++] = code;
  }

  /** Any text, encoded as UTF-8. */
  text(value: string): void {
    this.reserve(value.length * 3);
    this.at += this.buffer.write(value, this.at, 'utf8');
  }

  /** A number as JSON.stringify writes it (non-finite numbers as null). */
  number(value: number): void {
    if (Number.isSafeInteger(value)) {
      if (value < 0) {
        this.byte(45);
        this.digits(-value);
      } else {
        // -0 too: JSON.stringify(-0) is "0".
        this.digits(value < 0 ? 0 : value);
      }
      return;
    }
    this.ascii(Number.isFinite(value) ? String(value) : 'null');
  }

  /** A non-negative safe integer's decimal digits. */
  digits(value: number): void {
    if (value > 0x7fffffff) {
      this.ascii(String(value));
      return;
    }
    // Small integers in int32 arithmetic: the common cell (a count, an amount) and the row index.
    let v = value | 0;
    let n = 1;
    for (let rest = (v / 10) | 0; rest > 0; rest = (rest / 10) | 0) n++;
    this.reserve(n);
    const buffer = this.buffer;
    for (let i = this.at + n - 1; i >= this.at; i--) {
      const next = (v / 10) | 0;
      buffer[i] = 48 + v - next * 10;
      v = next;
    }
    this.at += n;
  }

  /** A text known to be ASCII (a number's), one byte per character. */
  private ascii(text: string): void {
    const n = text.length;
    this.reserve(n);
    const buffer = this.buffer;
    const at = this.at;
    for (let i = 0; i < n; i++) buffer[at + i] = text.charCodeAt(i);
    this.at = at + n;
  }

  /**
   * The bytes written so far; the writer starts afresh, in a new buffer allocated only when it
   * writes again (a writer taken once never pays for a second one).
   */
  take(): Buffer {
    const bytes = this.buffer.subarray(0, this.at);
    this.size = this.buffer.length;
    this.buffer = EMPTY;
    this.at = 0;
    return bytes;
  }

  /** As take(), with the whole buffer behind the bytes (for its pool, once they are written). */
  takeWithBuffer(): { bytes: Buffer; whole: Buffer } {
    const whole = this.buffer;
    return { bytes: this.take(), whole };
  }

  private reserve(n: number): void {
    if (this.at + n <= this.buffer.length) return;
    const size = Math.max(this.buffer.length * 2, this.at + n, this.size);
    const grown = this.pool === undefined ? Buffer.allocUnsafe(size) : this.pool.take(size);
    this.buffer.copy(grown, 0, 0, this.at);
    if (this.pool !== undefined && this.buffer !== EMPTY) this.pool.give(this.buffer);
    this.buffer = grown;
  }
}

/**
 * Strings' JSON (JSON.stringify, as UTF-8), remembered: a categorical cell repeats a handful of
 * levels. Bounded: past `limit` entries it starts over; long strings are not kept.
 */
export class JsonStringCache {
  private readonly encoded = new Map<string, Buffer>();
  private readonly limit: number;

  constructor(limit = 4096) {
    this.limit = limit;
  }

  of(text: string): Buffer {
    const known = this.encoded.get(text);
    if (known !== undefined) return known;
    const bytes = Buffer.from(JSON.stringify(text), 'utf8');
    if (text.length <= 64) {
      if (this.encoded.size >= this.limit) this.encoded.clear();
      this.encoded.set(text, bytes);
    }
    return bytes;
  }
}
