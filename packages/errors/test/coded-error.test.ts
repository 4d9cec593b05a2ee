import { describe, expect, it } from 'vitest';
import { CodedError } from '../src/index.ts';

const EXAMPLE_ERRORS = {
  TANDEM_EXAMPLE_INVALID: 'an example that is not valid',
} as const;

class ExampleError extends CodedError<keyof typeof EXAMPLE_ERRORS> {}

describe('CodedError', () => {
  it('carries the code, the message, the cause and the subclass name', () => {
    const cause = new Error('disk full');
    const error = new ExampleError('TANDEM_EXAMPLE_INVALID', 'row 3: bad', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(CodedError);
    expect(error.code).toBe('TANDEM_EXAMPLE_INVALID');
    expect(error.message).toBe('row 3: bad');
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('ExampleError');
    expect(String(error)).toBe('ExampleError: row 3: bad');
  });

  it('has no cause unless given one', () => {
    const error = new ExampleError('TANDEM_EXAMPLE_INVALID', 'bad');
    expect('cause' in error).toBe(false);
  });
});
