import { describe, expect, it } from 'vitest';
import { JsonBytes, JsonStringCache } from '../src/log/json-bytes.ts';

function written(write: (out: JsonBytes) => void): string {
  const out = new JsonBytes(4);
  write(out);
  return out.take().toString('utf8');
}

describe('JsonBytes', () => {
  it('writes numbers as JSON.stringify does', () => {
    const numbers = [
      0,
      -0,
      7,
      -42,
      129,
      2 ** 53 - 1,
      -(2 ** 53 - 1),
      2 ** 53,
      1e21,
      1e-7,
      0.1,
      -2.5,
      0.30000001192092896,
      Math.fround(0.7),
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.MIN_VALUE,
      Number.MAX_VALUE,
    ];
    for (const value of numbers) {
      expect(written((out) => out.number(value))).toBe(JSON.stringify(value));
    }
  });

  it('writes digits, text and plain strings, growing past its first size', () => {
    const text = 'rent "x" \\ ÿ owner';
    expect(
      written((out) => {
        out.digits(0);
        out.byte(44);
        out.digits(123456789012345);
        out.text(text);
      }),
    ).toBe(`0,123456789012345${text}`);
    // Plain printable ASCII is written in quotes; anything JSON escapes or non-ASCII is refused.
    expect(written((out) => expect(out.plainString(text, 13, 18)).toBe(true))).toBe('"owner"');
    const refused: [number, number][] = [
      [0, 8],
      [9, 10],
      [11, 12],
    ];
    for (const [from, to] of refused) {
      expect(written((out) => expect(out.plainString(text, from, to)).toBe(false))).toBe('');
    }
  });

  it('writes a span again, across a growth of its buffer', () => {
    expect(
      written((out) => {
        const [from, to] = out.span(() => out.text('{"id":"é"'));
        for (let i = 0; i < 3; i++) out.again(from, to);
      }),
    ).toBe('{"id":"é"'.repeat(4));
  });

  it('caches strings as their JSON, within a bound', () => {
    const cache = new JsonStringCache(2);
    for (const text of ['a', 'line\nbreak', '"quoted"', 'é', 'a']) {
      expect(cache.of(text).toString('utf8')).toBe(JSON.stringify(text));
    }
    expect(cache.of('a')).toBe(cache.of('a'));
  });
});
