// pg-cursor ships no types: the part of its API the PostgreSQL source uses.
declare module 'pg-cursor' {
  import type { CustomTypesConfig, FieldDef, Submittable } from 'pg';

  export default class Cursor implements Submittable {
    constructor(text: string, values?: unknown[], config?: { types?: CustomTypesConfig });
    submit: Submittable['submit'];
    read(
      rows: number,
      callback: (
        error: Error | undefined,
        rows: Record<string, unknown>[],
        result: { fields: FieldDef[] },
      ) => void,
    ): void;
    close(callback: (error?: Error) => void): void;
  }
}
