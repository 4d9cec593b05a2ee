import { describe, expect, it } from 'vitest';
import {
  FeatureFitError,
  FeatureInputError,
  FeatureStateError,
  LabelEncoder,
  TargetScaler,
} from '../src/index.ts';

describe('LabelEncoder', () => {
  it('sorts string classes lexicographically: index 1 is the positive class', () => {
    const labels = LabelEncoder.fit(['good', 'bad', 'good', 'bad']);
    expect(labels.classes).toEqual(['bad', 'good']);
    expect(labels.encode('good')).toBe(1);
    expect(labels.decode(0)).toBe('bad');
  });

  it('sorts by code unit, so upper case comes first, as scikit-learn', () => {
    expect(LabelEncoder.fit(['b', 'B', 'a']).classes).toEqual(['B', 'a', 'b']);
  });

  it('sorts numeric classes numerically and matches them by value', () => {
    const labels = LabelEncoder.fit([10, 2, '1', 2]);
    expect(labels.classes).toEqual(['1', '2', '10']);
    expect(labels.encode(10)).toBe(2);
    expect(labels.encode('2')).toBe(1);
    expect(labels.encode('1.0')).toBe(0);
  });

  it('refuses a class never seen, naming it and the classes', () => {
    const labels = LabelEncoder.fit(['Adelie', 'Gentoo']);
    expect(() => labels.encode('Chinstrap', { row: 4, column: 'species' })).toThrow(
      'row 4, column "species": expected one of the classes "Adelie", "Gentoo", got "Chinstrap"',
    );
    expect(() => labels.encode('Chinstrap')).toThrow(FeatureInputError);
    expect(() => labels.decode(2)).toThrow(FeatureInputError);
    expect(() => labels.decode(0.5)).toThrow(FeatureInputError);
  });

  it('refuses missing labels at fit', () => {
    expect(() => LabelEncoder.fit(['a', null])).toThrow(FeatureFitError);
    expect(() => LabelEncoder.fit([])).toThrow(FeatureFitError);
  });

  it('round-trips through JSON', () => {
    const labels = LabelEncoder.fit(['3', '1', '2']);
    const state = JSON.parse(JSON.stringify(labels.toJSON()));
    expect(state).toEqual({ format: 1, classes: ['1', '2', '3'], numeric: true });
    const restored = LabelEncoder.fromJSON(state);
    expect(restored.classes).toEqual(labels.classes);
    expect(restored.encode(3)).toBe(2);
  });

  it('refuses bad state', () => {
    expect(() => LabelEncoder.fromJSON({ format: 2, classes: ['a'], numeric: false })).toThrow(
      FeatureStateError,
    );
    expect(() => LabelEncoder.fromJSON({ format: 1, classes: ['a', 'a'], numeric: false })).toThrow(
      FeatureStateError,
    );
    expect(() => LabelEncoder.fromJSON({ format: 1, classes: ['a'], numeric: true })).toThrow(
      FeatureStateError,
    );
  });
});

describe('TargetScaler', () => {
  it('standardizes with the population std and restores', () => {
    // mean 20, population variance (100 + 0 + 100) / 3, std 8.1649658
    const scaler = TargetScaler.fit([10, 20, 30]);
    expect(scaler.mean).toBe(20);
    expect(scaler.std).toBeCloseTo(8.1649658, 6);
    expect(scaler.scale(30)).toBeCloseTo(1.2247449, 6);
    expect(scaler.restore(scaler.scale(25))).toBeCloseTo(25, 10);
  });

  it('scales by 1 when every target is equal', () => {
    const scaler = TargetScaler.fit([4, 4]);
    expect(scaler.std).toBe(1);
    expect(scaler.scale(6)).toBe(2);
  });

  it('refuses non-finite targets and round-trips through JSON', () => {
    expect(() => TargetScaler.fit([1, Number.NaN])).toThrow(FeatureFitError);
    const scaler = TargetScaler.fit([1, 2, 4]);
    const restored = TargetScaler.fromJSON(JSON.parse(JSON.stringify(scaler.toJSON())));
    expect(restored.scale(3)).toBe(scaler.scale(3));
    expect(() => TargetScaler.fromJSON({ format: 1, mean: 0, std: 0 })).toThrow(FeatureStateError);
    expect(() => TargetScaler.fromJSON({ format: 2, mean: 0, std: 1 })).toThrow(FeatureStateError);
  });
});
