import { describe, expect, it } from 'vitest';
import { AnswerIds, INLINE_ID_BYTES } from '../src/feedback/answer-ids.ts';

/** A seeded generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('AnswerIds', () => {
  it('finds what a Map finds over random sets and removals, collisions and wrap-around included', () => {
    const slots = 64;
    const next = random(7);
    const ids = new AnswerIds(slots);
    // The reference: (model, id) → slot, and each slot's key.
    const reference = new Map<string, number>();
    const keyOf = new Map<number, [string, string]>();
    // A small alphabet and short ids: many ids share a hash position and runs wrap the table.
    const pick = (): [string, string] => {
      const model = next() < 0.5 ? 'credit' : 'cars';
      const r = next();
      const id =
        r < 0.05
          ? `long-${'x'.repeat(INLINE_ID_BYTES)}-${Math.floor(next() * 20)}`
          : r < 0.1
            ? `ünï-${Math.floor(next() * 20)}`
            : `${Math.floor(next() * 150)}`;
      return [model, id];
    };
    for (let step = 0; step < 20_000; step++) {
      const [model, id] = pick();
      const key = `${model}\n${id}`;
      const known = reference.get(key);
      expect(ids.get(model, id)).toBe(known ?? -1);
      if (known !== undefined && next() < 0.5) {
        ids.remove(known);
        reference.delete(key);
        keyOf.delete(known);
        continue;
      }
      if (known !== undefined) continue;
      const free = [...Array(slots).keys()].filter((s) => !keyOf.has(s));
      if (free.length === 0) {
        // Full: forget a random slot first, as the ring forgets its oldest answers.
        const slot = Math.floor(next() * slots);
        const [m, i] = keyOf.get(slot) as [string, string];
        ids.remove(slot);
        reference.delete(`${m}\n${i}`);
        keyOf.delete(slot);
        continue;
      }
      const slot = free[Math.floor(next() * free.length)] as number;
      ids.set(model, id, slot);
      reference.set(key, slot);
      keyOf.set(slot, [model, id]);
    }
    for (const [key, slot] of reference) {
      const [model, id] = key.split('\n') as [string, string];
      expect(ids.get(model, id)).toBe(slot);
    }
    expect(reference.size).toBeGreaterThan(slots / 2);
  });

  it('tells models apart, and ids that differ in one character or in length', () => {
    const ids = new AnswerIds(8);
    ids.set('a', 'req-1', 0);
    ids.set('b', 'req-1', 1);
    ids.set('a', 'req-10', 2);
    expect(ids.get('a', 'req-1')).toBe(0);
    expect(ids.get('b', 'req-1')).toBe(1);
    expect(ids.get('a', 'req-10')).toBe(2);
    expect(ids.get('a', 'req-2')).toBe(-1);
    expect(ids.get('a', 'req-')).toBe(-1);
    expect(ids.get('c', 'req-1')).toBe(-1);
    ids.remove(0);
    expect(ids.get('a', 'req-1')).toBe(-1);
    expect(ids.get('b', 'req-1')).toBe(1);
    // Removing a slot twice, or one never set, changes nothing.
    ids.remove(0);
    ids.remove(5);
    expect(ids.get('a', 'req-10')).toBe(2);
  });
});
