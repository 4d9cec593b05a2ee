import { describe, expect, it } from 'vitest';
import { fitPipeline } from '../src/index.ts';
import { type NumberCell, readNumericString, readPlainDecimal } from '../src/read/number.ts';
import { READ_OK } from '../src/read/status.ts';
import { pick, seededRandom } from './support/random.ts';

/** The numeric-string rule's reading of `text`: its value, or undefined when it is refused. */
function ruleValue(text: string): number | undefined {
  const cell: NumberCell = { value: Number.NaN };
  return readNumericString(text, cell) === READ_OK ? cell.value : undefined;
}

describe('readPlainDecimal, the fast path for numeric strings', () => {
  it.each([
    ['0', 0],
    ['-0', -0],
    ['+0', 0],
    ['-0.0', -0],
    ['42', 42],
    ['-42', -42],
    ['+42', 42],
    ['3.5', 3.5],
    ['.5', 0.5],
    ['-.5', -0.5],
    ['+.5', 0.5],
    ['5.', 5],
    ['-5.', -5],
    ['007', 7],
    ['0.1', 0.1],
    ['0.3', 0.3],
    ['123.456', 123.456],
    ['999999999999999', 999_999_999_999_999],
    ['0.00000000000001', 1e-14],
    ['9.99999999999999', 9.99999999999999],
  ])('reads %j as Number does (%d)', (text, value) => {
    expect(Object.is(readPlainDecimal(text), value)).toBe(true);
    expect(Object.is(readPlainDecimal(text), Number(text))).toBe(true);
    expect(Object.is(readPlainDecimal(text), ruleValue(text))).toBe(true);
  });

  it.each([
    // Accepted by the rule, left to it: whitespace, exponent, more than 15 digits.
    ' 1',
    '1 ',
    '\t2\n',
    '1e3',
    '1E3',
    '-1e-3',
    '1234567890123456',
    '0.000000000000001',
    '9007199254740993',
    // Refused by the rule: missing, or not a decimal number.
    '',
    ' ',
    '-',
    '+',
    '.',
    '-.',
    '+-1',
    '--1',
    '1-',
    '1.2.3',
    '1,5',
    '0x10',
    '0b1',
    'Infinity',
    '-Infinity',
    'NaN',
    '12abc',
    '١٢',
    '１２',
    '1_000',
  ])('leaves %j to the full rule (NaN)', (text) => {
    expect(readPlainDecimal(text)).toBeNaN();
  });

  it('never accepts what the rule refuses, and reads exactly what the rule reads', () => {
    const random = seededRandom(7);
    const alphabet = ['0', '1', '5', '9', '.', '-', '+', 'e', ' ', 'x', ','];
    let read = 0;
    for (let n = 0; n < 50_000; n++) {
      const length = 1 + Math.floor(random() * 8);
      const text = Array.from({ length }, () => pick(random, alphabet)).join('');
      const fast = readPlainDecimal(text);
      if (Number.isNaN(fast)) continue;
      read++;
      expect(Object.is(fast, ruleValue(text)), text).toBe(true);
    }
    expect(read).toBeGreaterThan(1_000);
  });

  it('gives the same double as Number for any plain decimal of up to 15 digits', () => {
    const random = seededRandom(8);
    for (let n = 0; n < 50_000; n++) {
      const digits = 1 + Math.floor(random() * 15);
      const text = Array.from({ length: digits }, () => String(Math.floor(random() * 10))).join('');
      const point = Math.floor(random() * (digits + 1));
      const sign = pick(random, ['', '-', '+']);
      const decimal = `${sign}${text.slice(0, point)}.${text.slice(point)}`;
      for (const candidate of [decimal, `${sign}${text}`]) {
        const fast = readPlainDecimal(candidate);
        if (!Object.is(fast, Number(candidate)))
          expect([candidate, fast]).toEqual([candidate, Number(candidate)]);
      }
    }
  });
});

describe('numeric strings in a pipeline', () => {
  const pipeline = fitPipeline({ columns: [{ name: 'x', type: 'numeric' }] }, [
    { x: -10 },
    { x: 0 },
    { x: 10 },
  ]);

  it.each([
    '-0',
    '+.5',
    '5.',
    '007',
    ' 3 ',
    '1e1',
    '-2.5',
    '9.999999999999999',
    '0.30000000000000004',
  ])('transforms %j as the number it holds', (text) => {
    const fromText = pipeline.transform({ x: text });
    const fromNumber = pipeline.transform({ x: Number(text) });
    expect(Buffer.from(fromText.values.buffer)).toEqual(Buffer.from(fromNumber.values.buffer));
    expect(fromText.issues).toEqual(fromNumber.issues);
  });

  it('keeps -0 distinct from 0 in the output bits, as before', () => {
    const zero = fitPipeline(
      { columns: [{ name: 'x', type: 'numeric', transform: { kind: 'minmax' } }] },
      [{ x: 0 }, { x: 1 }],
    );
    expect(Object.is(zero.transform({ x: '-0' }).values[0], -0)).toBe(true);
    expect(Object.is(zero.transform({ x: '0' }).values[0], 0)).toBe(true);
  });
});
