import { describe, expect, it } from 'vitest';
import { FittedPipeline, fitPipeline, type PipelineSpec, treeSpec } from '../src/index.ts';

const spec: PipelineSpec = {
  columns: [
    { name: 'income', type: 'numeric', missingIndicator: true },
    { name: 'home', type: 'categorical' },
    { name: 'owner', type: 'boolean' },
    { name: 'when', type: 'datetime' },
  ],
};

const rows = [
  { income: 10, home: 'rent', owner: true, when: '2024-03-01T10:00:00Z' },
  { income: null, home: 'own', owner: false, when: '2023-12-31T23:00:00Z' },
  { income: 40, home: 'boat', owner: true, when: '2020-01-06T00:00:00Z' },
];

describe('column spans', () => {
  it('covers every output once, in order, each span naming its raw column', () => {
    for (const pipeline of [fitPipeline(spec, rows), fitPipeline(treeSpec(spec), rows)]) {
      const spans = pipeline.columnSpans();
      expect(spans.map((s) => s.column)).toEqual(['income', 'home', 'owner', 'when']);
      let next = 0;
      for (const span of spans) {
        expect(span.start).toBe(next);
        for (const name of pipeline.outputNames.slice(span.start, span.start + span.width)) {
          expect(name.startsWith(span.column)).toBe(true);
        }
        next = span.start + span.width;
      }
      expect(next).toBe(pipeline.width);
    }
  });

  it('gives the one-hot levels and the missing indicator to their column', () => {
    const pipeline = fitPipeline(spec, rows);
    const byColumn = Object.fromEntries(
      pipeline
        .columnSpans()
        .map((s) => [s.column, pipeline.outputNames.slice(s.start, s.start + s.width)]),
    );
    expect(byColumn.income).toEqual(['income', 'income:missing']);
    expect(byColumn.home?.length).toBeGreaterThanOrEqual(3);
    expect(byColumn.when).toHaveLength(4);
    // The same spans after a round trip through the JSON state.
    expect(FittedPipeline.fromJSON(pipeline.toJSON()).columnSpans()).toEqual(
      pipeline.columnSpans(),
    );
  });
});
