import { readFileSync } from 'node:fs';
import { FeatureInputError } from '@tandem/features';
import { StoreError } from '@tandem/model-store';
import { describe, expect, it } from 'vitest';
import { ERROR_TABLE, ServerError, toServerError } from '../src/errors.ts';

describe('the error table', () => {
  it('maps library errors by code, keeping their details', () => {
    const detail = {
      row: 3,
      column: 'Income',
      problem: 'wrong_type' as const,
      expected: 'a number',
      received: 'abc',
      message: 'row 3, column "Income": expected a number, got "abc"',
    };
    const input = toServerError(new FeatureInputError([detail]));
    expect(input).toMatchObject({ code: 'TANDEM_INPUT_INVALID', statusCode: 400 });
    expect(input.details).toEqual([detail]);
    expect(toServerError(new StoreError('TANDEM_MODEL_NOT_FOUND', 'x')).statusCode).toBe(404);
    expect(toServerError(new StoreError('TANDEM_VERSION_NOT_FOUND', 'x')).statusCode).toBe(404);
    expect(toServerError(new StoreError('TANDEM_LABEL_NOT_FOUND', 'x')).statusCode).toBe(404);
  });

  it("maps fastify's own errors: size, media type, JSON, validation", () => {
    const fst = (code: string, statusCode: number) =>
      Object.assign(new Error(code), { code, statusCode });
    expect(toServerError(fst('FST_ERR_CTP_BODY_TOO_LARGE', 413)).code).toBe(
      'TANDEM_BODY_TOO_LARGE',
    );
    expect(toServerError(fst('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415)).code).toBe(
      'TANDEM_MEDIA_TYPE_UNSUPPORTED',
    );
    expect(toServerError(fst('FST_ERR_CTP_INVALID_JSON_BODY', 400)).statusCode).toBe(400);
    expect(toServerError(fst('FST_ERR_CTP_EMPTY_JSON_BODY', 400)).statusCode).toBe(400);
    expect(toServerError(new SyntaxError('Unexpected token')).statusCode).toBe(400);
    const validation = Object.assign(new Error('body must have required property'), {
      code: 'FST_ERR_VALIDATION',
      statusCode: 400,
      validation: [{ instancePath: '/instances', message: 'must be array' }],
    });
    expect(toServerError(validation).details).toEqual([
      { path: '/instances', message: 'must be array' },
    ]);
    expect(toServerError(fst('FST_ERR_SOMETHING_NEW', 431)).statusCode).toBe(400);
  });

  it('turns anything unknown into a 500 without leaking its message', () => {
    const error = toServerError(new Error('secret internals'));
    expect(error).toMatchObject({ code: 'TANDEM_SERVER_INTERNAL', statusCode: 500 });
    expect(error.message).not.toContain('secret');
    expect(toServerError('a string').statusCode).toBe(500);
    expect(new ServerError('TANDEM_SERVER_NOT_READY').statusCode).toBe(503);
  });

  it('matches the statuses documented in docs/errors.md', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    const rowsOf = (text: string) =>
      [...text.matchAll(/^\| `(TANDEM_[A-Z0-9_]+)` \| (\d{3}) \|/gm)].map(
        (m) => [m[1] as string, Number(m[2])] as const,
      );
    const documented = new Map(rowsOf(doc));
    const table = new Map(Object.entries(ERROR_TABLE).map(([code, e]) => [code, e.status]));
    // Every code the server answers with has its status on the page (some sit in the section of
    // the package that raises them), and the server's own section lists no code it lacks.
    expect(new Map([...table.keys()].map((code) => [code, documented.get(code)]))).toEqual(table);
    const start = doc.indexOf('\n## Server');
    const end = doc.indexOf('\n## ', start + 1);
    const serverSection = doc.slice(start, end === -1 ? undefined : end);
    expect(start).toBeGreaterThan(-1);
    expect(rowsOf(serverSection).filter(([code]) => !table.has(code))).toEqual([]);
  });
});
