import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { CsvRecordParser } from '../src/csv-parser.ts';
import { TabularError } from '../src/errors.ts';
import { NdjsonRecordParser } from '../src/ndjson-parser.ts';
import { parseBlock } from '../src/parse-block.ts';
import type { FramedText } from '../src/pushed-text.ts';
import {
  type CsvChunk,
  emptyCsvChunk,
  emptyNdjsonChunk,
  type NdjsonChunk,
} from '../src/records.ts';

/** Feeds `pieces` one by one (as a stream would) and returns every record. */
function parseCsv(
  pieces: readonly string[],
  limit = 1000,
): { parser: CsvRecordParser; chunk: CsvChunk } {
  const parser = new CsvRecordParser();
  const chunk = emptyCsvChunk();
  for (const piece of pieces) {
    parser.push(piece);
    parser.fill(chunk, limit, false);
  }
  parser.fill(chunk, limit, true);
  return { parser, chunk };
}

/** Every way of cutting `text` in two: the parser must not depend on where reads end. */
function everySplit(text: string): string[][] {
  return Array.from({ length: text.length + 1 }, (_, at) => [text.slice(0, at), text.slice(at)]);
}

describe('CsvRecordParser', () => {
  it('reads header and records, with their line numbers and original text', () => {
    const { parser, chunk } = parseCsv(['a,b,c\n1,2,3\r\n\n4,,6\n']);
    expect(parser.header()).toEqual(['a', 'b', 'c']);
    expect(chunk.fields).toEqual([
      ['1', '2', '3'],
      ['4', '', '6'],
    ]);
    expect(chunk.lines).toEqual([2, 4]);
    expect(chunk.raw).toEqual(['1,2,3', '4,,6']);
    expect(chunk.header).toEqual(['a', 'b', 'c']);
    expect(chunk.hasProblems).toBe(false);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, wherever reads split', () => {
    const text = '\ufeffname,note,n\n"Smith, J","said ""hi""\nthen left",3\nplain,"",4';
    for (const pieces of everySplit(text)) {
      const { parser, chunk } = parseCsv(pieces);
      expect(parser.header()).toEqual(['name', 'note', 'n']);
      expect(chunk.fields).toEqual([
        ['Smith, J', 'said "hi"\nthen left', '3'],
        ['plain', '', '4'],
      ]);
      expect(chunk.lines).toEqual([2, 4]);
      expect(chunk.raw[0]).toBe('"Smith, J","said ""hi""\nthen left",3');
    }
  });

  it('marks a record with the wrong field count or broken quoting, and carries on', () => {
    const { chunk } = parseCsv(['a,b\n1,2\n3\n"x"y,5\nab"c,6\n7,8,9\n10,11\n']);
    expect(chunk.count).toBe(6);
    expect(chunk.problems).toEqual([
      undefined,
      'expected 2 fields, got 1',
      'unexpected text after a closing quote',
      'a quote inside an unquoted field',
      'expected 2 fields, got 3',
      undefined,
    ]);
    expect(chunk.lines).toEqual([2, 3, 4, 5, 6, 7]);
    expect(chunk.fields[2]).toBeUndefined();
    expect(chunk.fields[5]).toEqual(['10', '11']);
    expect(chunk.hasProblems).toBe(true);
  });

  it('splits plain records as String.split does: short, long, trailing commas, CRLF', () => {
    const text = 'a,b,c\r\n1,2,3\r\n,,\n4\n5,6,7,8,\n9,,\r\nx,y\n,\nlast,one,here';
    for (const pieces of everySplit(text)) {
      const { chunk } = parseCsv(pieces);
      expect(chunk.raw).toEqual([
        '1,2,3',
        ',,',
        '4',
        '5,6,7,8,',
        '9,,',
        'x,y',
        ',',
        'last,one,here',
      ]);
      chunk.raw.forEach((raw, i) => {
        const fields = chunk.fields[i] as string[];
        expect(fields).toEqual(raw.split(','));
        expect(fields.length).toBe(raw.split(',').length);
        expect(Object.keys(fields).length).toBe(fields.length);
      });
      expect(chunk.problems).toEqual([
        undefined,
        undefined,
        'expected 3 fields, got 1',
        'expected 3 fields, got 5',
        undefined,
        'expected 3 fields, got 2',
        'expected 3 fields, got 2',
        undefined,
      ]);
    }
  });

  it('reports a quote never closed at the end of the file as a bad last record', () => {
    const { chunk } = parseCsv(['a,b\n1,2\n3,"never\nclosed\n']);
    expect(chunk.count).toBe(2);
    expect(chunk.problems[1]).toBe('a quoted field is never closed');
    expect(chunk.lines[1]).toBe(3);
  });

  it('stops filling at the limit and resumes where it stopped', () => {
    const parser = new CsvRecordParser();
    parser.push('a\n1\n2\n3\n4\n5\n');
    const first = emptyCsvChunk();
    expect(parser.fill(first, 2, true)).toBe(true);
    const second = emptyCsvChunk();
    expect(parser.fill(second, 2, true)).toBe(true);
    const third = emptyCsvChunk();
    expect(parser.fill(third, 2, true)).toBe(false);
    expect([first.raw, second.raw, third.raw]).toEqual([['1', '2'], ['3', '4'], ['5']]);
    expect(third.lines).toEqual([6]);
  });

  it('reads back whatever csv-stringify writes, fed in random pieces', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const alphabet = ['a', 'b', ',', '"', '\n', '\r\n', ' ', 'é', '😀', '1'];
    const value = (): string =>
      Array.from(
        { length: Math.floor(random() * 6) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join('');
    const records = Array.from({ length: 300 }, () => [value(), value(), value()]);
    // A record of three empty fields would be an empty line, which CSV readers skip.
    for (const record of records) if (record.join('') === '') record[0] = 'x';
    const text = stringify([['c1', 'c2', 'c3'], ...records]);
    const pieces: string[] = [];
    for (let at = 0; at < text.length; ) {
      const size = 1 + Math.floor(random() * 40);
      pieces.push(text.slice(at, at + size));
      at += size;
    }
    const { chunk } = parseCsv(pieces);
    expect(chunk.problems.filter((problem) => problem !== undefined)).toEqual([]);
    expect(chunk.fields).toEqual(records);
  });

  it('refuses a header naming a column twice, and an unreadable header', () => {
    expect(() => parseCsv(['a,b,a\n1,2,3\n'])).toThrow(/names column "a" twice/);
    const error = (() => {
      try {
        parseCsv(['"a"b,c\n']);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TabularError);
    expect((error as TabularError).code).toBe('TANDEM_TABLE_INVALID');
    expect((error as TabularError).message).toMatch(/^line 1: cannot read the CSV header/);
  });

  it('refuses a record that grows past the size limit instead of buffering the file', () => {
    const parser = new CsvRecordParser();
    parser.push('a,b\n1,"');
    const chunk = emptyCsvChunk();
    parser.fill(chunk, 10, false);
    parser.push('x'.repeat(1 << 20));
    expect(() => parser.fill(chunk, 10, false)).toThrow(/line 2: a record is longer than/);
  });
});

describe('NdjsonRecordParser', () => {
  it('reads objects, skips blank lines, and marks lines that are not JSON objects', () => {
    const parser = new NdjsonRecordParser();
    const chunk = emptyNdjsonChunk();
    const text = '{"a":1}\n\n  {"a":"x","b":null}  \r\n[1]\n{"a":\n{"a":3}';
    for (const piece of [text.slice(0, 9), text.slice(9, 30), text.slice(30)]) {
      parser.push(piece);
      parser.fill(chunk, 100, false);
    }
    parser.fill(chunk, 100, true);
    expect(chunk.lines).toEqual([1, 3, 4, 5, 6]);
    expect(chunk.objects).toEqual([{ a: 1 }, { a: 'x', b: null }, undefined, undefined, { a: 3 }]);
    expect(chunk.raw[1]).toBe('{"a":"x","b":null}');
    expect(chunk.problems[2]).toBe('expected a JSON object');
    expect(chunk.problems[3]).toMatch(/^invalid JSON: /);
  });
});

/** Frames `pieces` into blocks of `limit` records, as the file reader does. */
function frame(
  parser: CsvRecordParser | NdjsonRecordParser,
  pieces: readonly string[],
  limit: number,
): FramedText[] {
  const blocks: FramedText[] = [];
  for (const piece of pieces) {
    parser.push(piece);
    for (let block = parser.frame(limit, false); block; block = parser.frame(limit, false)) {
      blocks.push(block);
    }
  }
  for (let block = parser.frame(limit, true); block; block = parser.frame(limit, true)) {
    blocks.push(block);
  }
  return blocks;
}

type MergedRecords = Omit<CsvChunk, 'bytesRead' | 'format' | 'header'> &
  Pick<NdjsonChunk, 'objects'>;

/** The records of framed blocks, each parsed on its own (as a scoring worker does), in order. */
function parseFramed(
  pieces: readonly string[],
  limit: number,
  format: 'csv' | 'ndjson',
): { records: MergedRecords; blocks: FramedText[] } {
  const parser = format === 'csv' ? new CsvRecordParser() : new NdjsonRecordParser();
  const blocks = frame(parser, pieces, limit);
  const header = parser instanceof CsvRecordParser ? parser.header() : undefined;
  const merged: MergedRecords = {
    count: 0,
    lines: [],
    raw: [],
    problems: [],
    hasProblems: false,
    fields: [],
    objects: [],
  };
  for (const block of blocks) {
    const chunk = parseBlock({
      ...block,
      format,
      ...(header ? { header } : {}),
      bytesRead: 0,
    });
    expect(chunk.count).toBe(block.records);
    merged.count += chunk.count;
    merged.lines.push(...chunk.lines);
    merged.raw.push(...chunk.raw);
    merged.problems.push(...chunk.problems);
    merged.hasProblems ||= chunk.hasProblems;
    if (chunk.format === 'csv') merged.fields.push(...chunk.fields);
    else merged.objects.push(...chunk.objects);
  }
  return { records: merged, blocks };
}

function recordsOf(chunk: CsvChunk | NdjsonChunk): Record<string, unknown> {
  return {
    count: chunk.count,
    lines: chunk.lines,
    raw: chunk.raw,
    problems: chunk.problems,
    hasProblems: chunk.hasProblems,
    ...(chunk.format === 'csv' ? { fields: chunk.fields } : { objects: chunk.objects }),
  };
}

describe('framing text into blocks for another thread', () => {
  const csvText =
    '\ufeffname,note,n\r\n"Smith, J","said ""hi""\nthen left",3\r\n\n' +
    'plain,"",4\n3\n"x"y,5\nab"c,6\n\ufeffq,r,s\n7,8\n"open,9\n10,"x\n';

  it('gives blocks that, parsed apart from a seeded line, hold exactly the records of one parse', () => {
    const whole = parseCsv([csvText]).chunk;
    expect(whole.count).toBe(8);
    for (const limit of [1, 2, 3, 100]) {
      for (const pieces of everySplit(csvText)) {
        const { records, blocks } = parseFramed(pieces, limit, 'csv');
        const { objects: _, ...csvRecords } = records;
        expect(csvRecords).toEqual(recordsOf(whole));
        expect(blocks.every((block) => block.records <= limit)).toBe(true);
      }
    }
  });

  it('keeps every block but the last at the limit, and joins back to the text after the header', () => {
    const { blocks } = parseFramed([csvText], 3, 'csv');
    expect(blocks.map((block) => block.records)).toEqual([3, 3, 2]);
    expect(blocks.map((block) => block.text).join('')).toBe(
      csvText.slice(csvText.indexOf('\n') + 1),
    );
    expect(blocks[0]?.line).toBe(2);
  });

  it('frames NDJSON the same way, blank lines and bad lines included', () => {
    const text = '{"a":1}\n\n  {"a":"x","b":null}  \r\n[1]\n{"a":\n\n{"a":3}';
    const parser = new NdjsonRecordParser();
    const whole = emptyNdjsonChunk();
    parser.push(text);
    parser.fill(whole, 100, true);
    for (const limit of [1, 2, 5]) {
      for (const pieces of everySplit(text)) {
        const { records } = parseFramed(pieces, limit, 'ndjson');
        const { fields: _, ...ndjsonRecords } = records;
        expect(ndjsonRecords).toEqual(recordsOf(whole));
      }
    }
  });

  it('stops framing at a bad header or an endless record, as reading does', () => {
    expect(() => frame(new CsvRecordParser(), ['a,b,a\n1,2,3\n'], 10)).toThrow(
      /names column "a" twice/,
    );
    expect(() => frame(new CsvRecordParser(), ['a,b\n1,"', 'x'.repeat(1 << 20), 'y'], 10)).toThrow(
      /line 2: a record is longer than/,
    );
  });
});
