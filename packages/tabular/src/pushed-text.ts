import { TabularError } from './errors.ts';
import { MAX_RECORD_CHARS } from './records.ts';

/** A run of whole records as text, framed on one thread to be read on another. */
export interface FramedText {
  /** From the first record's first character to just past the last record's line break. */
  text: string;
  /** Physical line of text[0]. */
  line: number;
  /** Records in the text. */
  records: number;
}

/** Where a parser starts reading a framed text: past the file's start, at a known line. */
export interface ParserSeed {
  line: number;
}

export const RECORD = 0;
export const MORE = 1;
export const END = 2;
/** What stepping over one record found: a record, the need for more text, or the end. */
export type Step = typeof RECORD | typeof MORE | typeof END;

/**
 * The text an incremental parser holds: what it has not consumed yet (from `pos` on), followed
 * by each piece pushed as the file is read. A UTF-8 BOM at the start of the file is dropped.
 *
 * Framing: `frame` cuts the text into blocks of whole records by stepping over them with the
 * same code that reads them, so a block always ends where a record ends; a parser seeded with the
 * block's line then reads exactly the records a single parser would have read there.
 */
export abstract class PushedText {
  protected text = '';
  protected pos = 0;
  /** Physical line of text[pos]. */
  protected line: number;
  private started: boolean;
  /** The block being framed: its start in `text` (-1 when none), first line, records so far. */
  private blockStart = -1;
  private blockLine = 0;
  private blockRecords = 0;

  constructor(seed?: ParserSeed) {
    this.line = seed?.line ?? 1;
    // A seeded parser reads from the middle of a file: a leading U+FEFF there is data.
    this.started = seed !== undefined;
  }

  push(piece: string): void {
    let next = piece;
    if (!this.started && next.length > 0) {
      this.started = true;
      if (next.charCodeAt(0) === 0xfeff) next = next.slice(1);
    }
    // Text before the open block (or before pos) is consumed and can go.
    const keep = this.blockStart >= 0 ? this.blockStart : this.pos;
    this.text = keep < this.text.length ? this.text.slice(keep) + next : next;
    this.pos -= keep;
    if (this.blockStart >= 0) this.blockStart -= keep;
  }

  /**
   * The next `limit` records as one block: returned once it holds `limit` records, or, with
   * `final` (the text is the end of the file), once the text runs out with at least one record.
   * Undefined while more text is needed, and at the end.
   */
  frame(limit: number, final: boolean): FramedText | undefined {
    if (this.blockStart < 0) this.openBlock();
    while (this.blockRecords < limit) {
      if (this.skipRecord(final)) {
        this.blockRecords++;
        continue;
      }
      if (final && this.blockRecords > 0) break;
      return undefined;
    }
    const block = {
      text: this.text.slice(this.blockStart, this.pos),
      line: this.blockLine,
      records: this.blockRecords,
    };
    this.blockStart = -1;
    return block;
  }

  /** Starts the next block at pos (also after a CSV header, which belongs to no block). */
  protected openBlock(): void {
    this.blockStart = this.pos;
    this.blockLine = this.line;
    this.blockRecords = 0;
  }

  /** Moves past the next record without building it: false when more text is needed or at the end. */
  protected abstract skipRecord(final: boolean): boolean;

  /** The problem of a record longer than MAX_RECORD_CHARS, for its error message. */
  protected abstract readonly tooLong: string;

  /**
   * Where the line starting at `start` ends: its '\n', or with `final` the end of the text; -1
   * while more text is needed.
   */
  protected lineEnd(start: number, final: boolean): number {
    const lf = this.text.indexOf('\n', start);
    if (lf !== -1) return lf;
    if (final) return this.text.length;
    this.needMore(start);
    return -1;
  }

  /** MORE, unless the record from `start` is already longer than any may be: an error. */
  protected needMore(start: number): Step {
    if (this.text.length - start > MAX_RECORD_CHARS) {
      throw new TabularError('TANDEM_TABLE_INVALID', `line ${this.line}: ${this.tooLong}`);
    }
    return MORE;
  }
}
