/**
 * What every Tandem error raised on purpose is: a stable code from its package's table
 * (`TANDEM_<SUBJECT>_<PROBLEM>`), a message written for the user and, where one failure led to
 * it, a cause. No HTTP in it: the server alone maps codes to statuses.
 *
 * A package declares its table and one subclass that only fixes the code type; the error's name
 * is the subclass's own name, so it never has to be written twice:
 *
 * ```ts
 * export class TabularError extends CodedError<TabularErrorCode> {}
 * String(new TabularError('TANDEM_TABLE_INVALID', 'line 3: bad quote')); // 'TabularError: line 3: bad quote'
 * ```
 */
export class CodedError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
