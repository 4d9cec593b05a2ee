import { ByteWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import type { OutputTarget } from '../output-target.ts';
import { OutputRows, type TableCell } from './output-rows.ts';

/** Rows per row group: large enough for good compression, small enough to hold in memory. */
export const PARQUET_ROW_GROUP = 65_536;

/**
 * Scoring output as a Parquet file (hyparquet-writer): it takes the CSV output text the pipeline
 * writes and stores the same values, input and text columns as UTF-8 strings, numeric columns
 * (probabilities, values, contributions) as doubles, empty fields as nulls. Rows are buffered
 * one row group at a time and each group's bytes go to `file` (an atomic local file or a staged
 * S3 upload) as soon as it is encoded, so memory holds one row group, not the file.
 */
export class ParquetOutput implements OutputTarget {
  readonly path: string;
  private readonly file: OutputTarget;
  private readonly rows: OutputRows;
  private readonly bytes = new ByteWriter();
  private writer: ParquetWriter | undefined;
  private columns: TableCell[][] = [];
  private buffered = 0;

  constructor(file: OutputTarget, numeric: ReadonlySet<string>) {
    this.path = file.path;
    this.file = file;
    this.rows = new OutputRows(numeric);
  }

  async write(text: string | Uint8Array): Promise<void> {
    await this.take(this.rows.push(text));
  }

  async commit(): Promise<void> {
    await this.take(this.rows.push('', true));
    const writer = this.start();
    if (this.buffered > 0) await this.flushGroup(writer);
    await writer.finish();
    await this.drain();
    await this.file.commit();
  }

  abort(): Promise<void> {
    return this.file.abort();
  }

  private async take(rows: TableCell[][]): Promise<void> {
    if (rows.length === 0) return;
    const writer = this.start();
    for (const row of rows) {
      for (let j = 0; j < this.columns.length; j++) this.columns[j]?.push(row[j] ?? null);
      this.buffered++;
      if (this.buffered >= PARQUET_ROW_GROUP) await this.flushGroup(writer);
    }
  }

  /** The writer, made once the header is known (the schema is the output's columns). */
  private start(): ParquetWriter {
    if (this.writer !== undefined) return this.writer;
    const names = this.rows.columns() ?? [];
    const schema: SchemaElement[] = [{ name: 'root', num_children: names.length }];
    names.forEach((name, j) => {
      schema.push(
        this.rows.isNumeric(j)
          ? { name, type: 'DOUBLE', repetition_type: 'OPTIONAL' }
          : { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      );
    });
    this.columns = names.map(() => []);
    this.writer = new ParquetWriter({ writer: this.bytes, schema, createdBy: 'Tandem' });
    return this.writer;
  }

  private async flushGroup(writer: ParquetWriter): Promise<void> {
    const names = this.rows.columns() ?? [];
    const columnData = names.map((name, j) => ({ name, data: this.columns[j] ?? [] }));
    await writer.write({ columnData, rowGroupSize: this.buffered });
    this.columns = names.map(() => []);
    this.buffered = 0;
    await this.drain();
  }

  /** Moves the encoded bytes to the file; the writer keeps counting offsets across the reset. */
  private async drain(): Promise<void> {
    if (this.bytes.index === 0) return;
    const chunk = this.bytes.getBytes().slice();
    this.bytes.index = 0;
    await this.file.write(chunk);
  }
}
