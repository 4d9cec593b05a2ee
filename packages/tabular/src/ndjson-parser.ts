import { END, MORE, type ParserSeed, PushedText, RECORD, type Step } from './pushed-text.ts';
import { addRecord, MAX_RECORD_CHARS, type NdjsonChunk } from './records.ts';

/**
 * Splits NDJSON text into records, one JSON object per line. Blank lines are skipped; a line
 * that is not valid JSON, or not an object, is a problem on that record only. A parser seeded
 * with a line reads a block framed by another parser (see PushedText.frame).
 */
export class NdjsonRecordParser extends PushedText {
  protected readonly tooLong = `a line is longer than ${MAX_RECORD_CHARS} characters`;
  // The line found by the last step, trimmed.
  private recordRaw = '';
  private recordLine = 0;

  // biome-ignore lint/complexity/noUselessConstructor: narrows the seed to what NDJSON needs.
  constructor(seed?: ParserSeed) {
    super(seed);
  }

  /** Moves complete lines into `chunk` until it holds `limit` records (true) or text runs out. */
  fill(chunk: NdjsonChunk, limit: number, final: boolean): boolean {
    while (chunk.count < limit) {
      if (this.step(final) !== RECORD) return false;
      const raw = this.recordRaw;
      let object: Record<string, unknown> | undefined;
      let problem: string | undefined;
      try {
        const value: unknown = JSON.parse(raw);
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
          object = value as Record<string, unknown>;
        } else {
          problem = 'expected a JSON object';
        }
      } catch (error) {
        problem = `invalid JSON: ${(error as Error).message}`;
      }
      chunk.objects.push(object);
      addRecord(chunk, this.recordLine, raw, problem);
    }
    return true;
  }

  protected skipRecord(final: boolean): boolean {
    return this.step(final) === RECORD;
  }

  /** Finds the next non-blank line. */
  private step(final: boolean): Step {
    const text = this.text;
    for (;;) {
      const start = this.pos;
      if (start >= text.length) return final ? END : MORE;
      const lf = this.lineEnd(start, final);
      if (lf === -1) return MORE;
      const line = this.line++;
      this.pos = lf + 1;
      const raw = text.slice(start, lf).trim();
      if (raw.length === 0) continue;
      this.recordRaw = raw;
      this.recordLine = line;
      return RECORD;
    }
  }
}
