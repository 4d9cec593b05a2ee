import { describe, expect, it } from 'vitest';
import { ClassifierAccumulator, RecentPredictions, RegressorAccumulator } from '../src/index.ts';

describe('live performance', () => {
  it('classifier: accuracy, log loss and confusion equal the hand-computed figures', () => {
    const acc = new ClassifierAccumulator(['a', 'b', 'c']);
    // (actual, scores): predicted = argmax.
    acc.add(0, [0.7, 0.2, 0.1]); // a → a
    acc.add(1, [0.5, 0.4, 0.1]); // b → a
    acc.add(2, [0.1, 0.1, 0.8]); // c → c
    acc.add(2, [0.3, 0.6, 0.1]); // c → b
    const f = acc.figures();
    expect(f.rows).toBe(4);
    expect(f.accuracy).toBe(0.5);
    const expected = -(Math.log(0.7) + Math.log(0.4) + Math.log(0.8) + Math.log(0.1)) / 4;
    expect(Math.abs((f.logLoss as number) - expected)).toBeLessThan(1e-12);
    expect(f.confusion).toEqual([
      [1, 0, 0],
      [1, 0, 0],
      [0, 1, 1],
    ]);
  });

  it('clips a zero probability as scikit-learn does', () => {
    const acc = new ClassifierAccumulator(['a', 'b']);
    acc.add(1, [1, 0]);
    expect(acc.figures().logLoss).toBeCloseTo(-Math.log(1e-15), 9);
  });

  it('regressor: MAE and RMSE equal the hand-computed figures', () => {
    const acc = new RegressorAccumulator();
    acc.add(10, 12); // +2
    acc.add(5, 4); // -1
    acc.add(0, 3); // +3
    const f = acc.figures();
    expect(f.mae).toBe(2);
    expect(Math.abs((f.rmse as number) - Math.sqrt((4 + 1 + 9) / 3))).toBeLessThan(1e-12);
    expect(new RegressorAccumulator().figures()).toEqual({
      task: 'regression',
      rows: 0,
      mae: null,
      rmse: null,
    });
  });
});

describe('RecentPredictions', () => {
  it('joins feedback to a row once, and forgets the oldest ids beyond capacity', () => {
    const memory = new RecentPredictions(5);
    memory.remember('p1', 'credit', 1, 0, Float32Array.from([0.1, 0.9, 0.6, 0.4]), 2);
    memory.remember('p2', 'credit', 2, 0, Float32Array.from([0.5, 0.5, 0.2, 0.8, 0.3, 0.7]), 3);
    const match = memory.claim('credit', 'p1', 1);
    expect(match.outcome).toBe('matched');
    if (match.outcome === 'matched')
      expect(Array.from(match.scores)).toEqual([0.6000000238418579, 0.4000000059604645]);
    expect(memory.claim('credit', 'p1', 1).outcome).toBe('duplicate');
    expect(memory.claim('credit', 'p1', 2).outcome).toBe('row_out_of_range');
    expect(memory.claim('penguins', 'p1', 0).outcome).toBe('unknown');
    memory.remember('p3', 'credit', 2, 0, Float32Array.from([1, 0]), 1);
    // 2 + 3 + 1 rows > 5: p1 (the oldest) is forgotten.
    expect(memory.claim('credit', 'p1', 0).outcome).toBe('unknown');
    expect(memory.claim('credit', 'p2', 0).outcome).toBe('matched');
    expect(memory.rows).toBe(4);
  });

  it('keeps every recent answer exactly, across wrap-arounds, reused ids and wider models', () => {
    const capacity = 50;
    const memory = new RecentPredictions(capacity);
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const written: { model: string; id: string; version: number; scores: number[][] }[] = [];
    for (let i = 0; i < 400; i++) {
      const model = random() < 0.5 ? 'credit' : 'penguins';
      // Widths grow mid-run (2 → 3 → 5 classes), the last just before the end, so
      // held answers are laid out again.
      const width = i < 200 ? 2 : i < 396 ? 3 : 5;
      const rows = 1 + Math.floor(random() * 6);
      const id = `p${Math.floor(random() * 120)}`;
      const scores = Array.from({ length: rows }, () =>
        Array.from({ length: width }, () => Math.fround(random())),
      );
      memory.remember(id, model, i, i * 10, Float32Array.from(scores.flat()), rows);
      written.push({ model, id, version: i, scores });
      expect(memory.rows).toBeLessThanOrEqual(capacity);
    }
    // The newest answers within capacity minus one answer's worth of rows are all still held.
    const seen = new Set<string>();
    let rowsBack = 0;
    for (const entry of written.toReversed()) {
      const key = `${entry.model}/${entry.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rowsBack += entry.scores.length;
      if (rowsBack > capacity - 6) break;
      const prediction = memory.peek(entry.model, entry.id);
      expect(prediction?.version).toBe(entry.version);
      expect(prediction?.time).toBe(entry.version * 10);
      const last = entry.scores.length - 1;
      const match = memory.claim(entry.model, entry.id, last);
      expect(match.outcome).toBe('matched');
      if (match.outcome === 'matched') expect(Array.from(match.scores)).toEqual(entry.scores[last]);
      expect(memory.claim(entry.model, entry.id, last).outcome).toBe('duplicate');
    }
    expect(rowsBack).toBeGreaterThan(capacity - 6);
  });
});
