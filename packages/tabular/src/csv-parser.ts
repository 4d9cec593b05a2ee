import { TabularError } from './errors.ts';
import { checkHeaderNames } from './header.ts';
import { END, MORE, type ParserSeed, PushedText, RECORD, type Step } from './pushed-text.ts';
import { addRecord, type CsvChunk, MAX_RECORD_CHARS } from './records.ts';

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Incremental RFC 4180 parser: text goes in piece by piece, complete records come out into a
 * chunk. Lines without a quote take a fast path (one `split`); quoted fields may hold commas,
 * doubled quotes and line breaks. A record with broken quoting or the wrong number of fields is
 * reported as a problem on that record and parsing carries on at the next line; only a header
 * that cannot be read, or a record longer than MAX_RECORD_CHARS, stops the file.
 *
 * Conventions (Tandem's one CSV dialect, see README.md): `\n` or `\r\n` ends a record; empty
 * lines are skipped; a leading UTF-8 BOM is dropped; fields are not trimmed; every value is a
 * string (`""` is a missing value downstream); header names follow checkHeaderNames.
 *
 * A parser seeded with a header and a line reads a block framed by another parser (see
 * PushedText.frame): records only, from that line on.
 */
export class CsvRecordParser extends PushedText {
  protected readonly tooLong =
    `a record is longer than ${MAX_RECORD_CHARS} characters (is a quote never closed?)`;
  /** Index of the first quote at or after pos; -1 when unknown, text.length when none. */
  private nextQuote = -1;
  private columns: readonly string[] | undefined;

  // The record found by the last step, kept in fields rather than a fresh object per record:
  // its text is text[recordStart, recordEnd); fields null means a plain record (no quote), split
  // on commas only when read, so that framing never pays for it.
  private recordStart = 0;
  private recordEnd = 0;
  private recordFields: string[] | undefined | null = null;
  private recordProblem: string | undefined;
  private recordLine = 0;

  constructor(seed?: ParserSeed & { header: readonly string[] }) {
    super(seed);
    this.columns = seed?.header;
  }

  /** The header's column names, once read. */
  header(): readonly string[] | undefined {
    return this.columns;
  }

  override push(piece: string): void {
    super.push(piece);
    this.nextQuote = -1;
  }

  /**
   * Moves complete records into `chunk` until it holds `limit` records (returns true) or the text
   * runs out (returns false). With `final`, the text is the end of the file.
   */
  fill(chunk: CsvChunk, limit: number, final: boolean): boolean {
    while (chunk.count < limit) {
      const step = this.step(final);
      if (step !== RECORD) return false;
      if (this.columns === undefined) {
        this.takeHeader();
        continue;
      }
      if (chunk.count === 0) chunk.header = this.columns;
      let problem = this.recordProblem;
      const raw = this.text.slice(this.recordStart, this.recordEnd);
      const fields =
        this.recordFields === null
          ? splitPlain(this.text, this.recordStart, this.recordEnd, this.columns.length)
          : this.recordFields;
      if (problem === undefined && fields !== undefined && fields.length !== this.columns.length) {
        problem = `expected ${this.columns.length} fields, got ${fields.length}`;
      }
      chunk.fields.push(fields);
      addRecord(chunk, this.recordLine, raw, problem);
    }
    return true;
  }

  protected skipRecord(final: boolean): boolean {
    for (;;) {
      if (this.step(final) !== RECORD) return false;
      if (this.columns !== undefined) return true;
      this.takeHeader();
      this.openBlock();
    }
  }

  private takeHeader(): void {
    const fields =
      this.recordFields === null
        ? this.text.slice(this.recordStart, this.recordEnd).split(',')
        : this.recordFields;
    if (this.recordProblem !== undefined || fields === undefined) {
      throw new TabularError(
        'TANDEM_TABLE_INVALID',
        `line ${this.recordLine}: cannot read the CSV header: ${this.recordProblem ?? 'bad quoting'}`,
      );
    }
    checkHeaderNames(fields, this.recordLine);
    this.columns = fields;
  }

  private step(final: boolean): Step {
    const text = this.text;
    for (;;) {
      const start = this.pos;
      if (start >= text.length) return final ? END : MORE;
      const lf = this.lineEnd(start, final);
      if (lf === -1) return MORE;
      if (this.nextQuote < start) {
        const quote = text.indexOf('"', start);
        this.nextQuote = quote === -1 ? text.length : quote;
      }
      if (this.nextQuote < lf) return this.quotedRecord(start, final);
      let end = lf;
      if (end > start && text.charCodeAt(end - 1) === CR) end--;
      this.pos = lf + 1;
      const line = this.line++;
      if (end === start) continue;
      this.recordStart = start;
      this.recordEnd = end;
      this.recordFields = null;
      this.recordProblem = undefined;
      this.recordLine = line;
      return RECORD;
    }
  }

  /** The slow path: a record with at least one quote, parsed character by character. */
  private quotedRecord(start: number, final: boolean): Step {
    const text = this.text;
    const fields: string[] = [];
    let i = start;
    for (;;) {
      if (i < text.length && text.charCodeAt(i) === QUOTE) {
        let value = '';
        let segment = i + 1;
        for (;;) {
          const quote = text.indexOf('"', segment);
          if (quote === -1) {
            if (!final) return this.needMore(start);
            return this.broken(start, text.length, 'a quoted field is never closed');
          }
          if (quote + 1 >= text.length && !final) return this.needMore(start);
          if (text.charCodeAt(quote + 1) === QUOTE) {
            value += text.slice(segment, quote + 1);
            segment = quote + 2;
            continue;
          }
          value += text.slice(segment, quote);
          i = quote + 1;
          break;
        }
        fields.push(value);
        const next = i < text.length ? text.charCodeAt(i) : -1;
        if (next === COMMA) {
          i++;
          continue;
        }
        if (next === -1 || next === LF) return this.record(start, i, fields);
        if (next === CR && (i + 1 >= text.length || text.charCodeAt(i + 1) === LF)) {
          if (i + 1 >= text.length && !final) return this.needMore(start);
          return this.record(start, i + 1, fields);
        }
        return this.brokenLine(start, i, final, 'unexpected text after a closing quote');
      }
      const comma = text.indexOf(',', i);
      const lf = text.indexOf('\n', i);
      let stop = comma === -1 ? lf : lf === -1 ? comma : Math.min(comma, lf);
      if (stop === -1) {
        if (!final) return this.needMore(start);
        stop = text.length;
      }
      let valueEnd = stop;
      if (stop !== comma && valueEnd > i && text.charCodeAt(valueEnd - 1) === CR) valueEnd--;
      const value = text.slice(i, valueEnd);
      if (value.includes('"')) {
        return this.brokenLine(start, i, final, 'a quote inside an unquoted field');
      }
      fields.push(value);
      if (stop === comma) {
        i = stop + 1;
        continue;
      }
      return this.record(start, stop, fields);
    }
  }

  /** A record that ends at `end` (a line feed or the end of the text). */
  private record(start: number, end: number, fields: string[]): Step {
    return this.take(start, end, fields, undefined);
  }

  /** Broken quoting at `at`: the record is skipped up to the end of that physical line. */
  private brokenLine(start: number, at: number, final: boolean, reason: string): Step {
    const lf = this.text.indexOf('\n', at);
    if (lf === -1 && !final) return this.needMore(start);
    return this.broken(start, lf === -1 ? this.text.length : lf, reason);
  }

  private broken(start: number, end: number, reason: string): Step {
    return this.take(start, end, undefined, reason);
  }

  /** Keeps the record text[start, end) (without a final CR) and moves past its line feed. */
  private take(
    start: number,
    end: number,
    fields: string[] | undefined,
    problem: string | undefined,
  ): Step {
    const text = this.text;
    let rawEnd = end;
    if (rawEnd > start && text.charCodeAt(rawEnd - 1) === CR) rawEnd--;
    this.recordStart = start;
    this.recordEnd = rawEnd;
    this.recordFields = fields;
    this.recordProblem = problem;
    this.advance(start, end < text.length ? end + 1 : end);
    return RECORD;
  }

  private advance(start: number, next: number): void {
    this.recordLine = this.line;
    let lf = this.text.indexOf('\n', start);
    while (lf !== -1 && lf < next) {
      this.line++;
      lf = this.text.indexOf('\n', lf + 1);
    }
    this.pos = next;
  }
}

/**
 * The fields of a plain record (no quote) text[start, end), as `text.slice(start, end).split(',')`
 * gives them: each an indexOf and a slice into an array sized for the header's `columns`, twice as
 * fast as split on credit rows (split builds its array and substrings generically).
 */
function splitPlain(text: string, start: number, end: number, columns: number): string[] {
  const fields = new Array<string>(columns);
  let count = 0;
  let from = start;
  for (;;) {
    const comma = text.indexOf(',', from);
    if (comma === -1 || comma >= end) break;
    fields[count++] = text.slice(from, comma);
    from = comma + 1;
  }
  fields[count++] = text.slice(from, end);
  if (count < columns) fields.length = count;
  return fields;
}
