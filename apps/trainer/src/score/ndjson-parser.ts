import { TrainerError } from '../errors.ts';
import { PushedText } from './pushed-text.ts';
import { MAX_RECORD_CHARS, type NdjsonChunk } from './records.ts';

/**
 * Splits NDJSON text into records, one JSON object per line. Blank lines are skipped; a line
 * that is not valid JSON, or not an object, is a problem on that record only.
 */
export class NdjsonRecordParser extends PushedText {
  private line = 1;

  /** Moves complete lines into `chunk` until it holds `limit` records (true) or text runs out. */
  fill(chunk: NdjsonChunk, limit: number, final: boolean): boolean {
    const text = this.text;
    while (chunk.count < limit) {
      const start = this.pos;
      if (start >= text.length) return false;
      let lf = text.indexOf('\n', start);
      if (lf === -1) {
        if (!final) {
          if (text.length - start > MAX_RECORD_CHARS) {
            throw new TrainerError(
              'TANDEM_SCORE_BAD_INPUT',
              `line ${this.line}: a line is longer than ${MAX_RECORD_CHARS} characters`,
            );
          }
          return false;
        }
        lf = text.length;
      }
      const line = this.line++;
      this.pos = lf + 1;
      const raw = text.slice(start, lf).trim();
      if (raw.length === 0) continue;
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
      chunk.lines.push(line);
      chunk.raw.push(raw);
      chunk.objects.push(object);
      chunk.problems.push(problem);
      if (problem !== undefined) chunk.hasProblems = true;
      chunk.count++;
    }
    return true;
  }
}
