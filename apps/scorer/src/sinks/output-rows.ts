import { type CsvChunk, CsvRecordParser, emptyCsvChunk } from '@tandem/tabular';
import { ERROR_COLUMN } from '../prediction-columns.ts';

/** A cell of a table output: text as written in the CSV output, or a number; null when empty. */
export type TableCell = string | number | null;

/**
 * The added columns that hold text: the label, the explained class, the top-K column names and
 * the error. Every other added column holds numbers; input columns are text, as read.
 */
export function textColumnsOf(added: readonly string[], classes: boolean): Set<string> {
  const text = new Set<string>([ERROR_COLUMN, 'explained_class']);
  if (classes) text.add('label');
  for (const name of added) if (/^top[0-9]+_column$/.test(name)) text.add(name);
  return text;
}

/**
 * Reads the CSV output text the pipeline writes (its header line first) back into rows, for the
 * table outputs: the same text as the CSV output, so a Parquet or PostgreSQL row holds exactly
 * the values of the CSV line. An empty field is null; a numeric column's text is its number
 * (the shortest text that reads back as the same double, so nothing is lost).
 */
export class OutputRows {
  private readonly parser = new CsvRecordParser();
  private readonly decoder = new TextDecoder();
  private readonly numericNames: ReadonlySet<string>;
  private numeric: boolean[] = [];

  /** `numeric`: the added columns that hold numbers. */
  constructor(numeric: ReadonlySet<string>) {
    this.numericNames = numeric;
  }

  /** The output's column names, once the header line has been pushed. */
  columns(): readonly string[] | undefined {
    return this.parser.header();
  }

  /** Whether column j holds numbers. */
  isNumeric(j: number): boolean {
    return this.numeric[j] === true;
  }

  /** Takes text and returns the rows it completes (all of them with `final`). */
  push(text: string | Uint8Array, final = false): TableCell[][] {
    this.parser.push(typeof text === 'string' ? text : this.decoder.decode(text));
    const chunk: CsvChunk = emptyCsvChunk();
    this.parser.fill(chunk, Number.POSITIVE_INFINITY, final);
    const header = this.parser.header();
    if (header !== undefined && this.numeric.length !== header.length) {
      this.numeric = header.map((name) => this.numericNames.has(name));
    }
    const rows: TableCell[][] = [];
    for (const fields of chunk.fields) {
      const row = (fields ?? []).map((field, j): TableCell => {
        if (field === '') return null;
        return this.numeric[j] ? Number(field) : field;
      });
      rows.push(row);
    }
    return rows;
  }
}
