import { mulberry32 } from '@tandem/runtime';
import { describe, expect, it } from 'vitest';
import { MISSING_BIN } from '../src/gbdt/binning.ts';
import { accumulateRows, FEATURE_STRIDE, newHistogram } from '../src/gbdt/histogram.ts';
import { histogramKernel } from '../src/gbdt/histogram-kernel.ts';
import { histogramBuilder, waitForWord } from '../src/gbdt/histogram-threads.ts';
import { KernelArena } from '../src/gbdt/kernel-arena.ts';
import { gradients, LOSS_CODE, meanOfTerms } from '../src/gbdt/losses.ts';
import { partitionKernel } from '../src/gbdt/partition-kernel.ts';

const DONE = 1;

describe('waitForWord', () => {
  it('sees a store that lands between its compare and its wait (the silent worker)', () => {
    const control = new Int32Array(new SharedArrayBuffer(16));
    control[DONE] = 11;
    // The worker's answer arrives right after this thread read the old value: the store and
    // its notify both happen before the wait starts, as a preemption there lets them.
    let first = true;
    const lateAnswer = (words: Int32Array, index: number): number => {
      const seen = Atomics.load(words, index);
      if (first) {
        first = false;
        Atomics.store(words, index, 12);
        expect(Atomics.notify(words, index)).toBe(0); // nobody waits yet: the wakeup is lost
      }
      return seen;
    };
    expect(waitForWord(control, DONE, 12, 5_000, lateAnswer)).toBe(true);
    expect(first).toBe(false);
    // The old loop waited on a fresh read of the word: 12, already there, so it slept the whole
    // timeout with the answer in hand and reported the worker silent.
    expect(Atomics.wait(control, DONE, control[DONE]!, 1)).toBe('timed-out');
  });

  it('gives false when the word never comes', () => {
    const control = new Int32Array(new SharedArrayBuffer(16));
    expect(waitForWord(control, DONE, 1, 20)).toBe(false);
  });
});

/** Random bin codes (MISSING_BIN among them), gradients and a shuffled row order. */
function sources(rows: number, width: number, outputs: number, arena: KernelArena) {
  const random = mulberry32(7);
  const view = <T>(
    type: new (b: ArrayBufferLike, at: number, n: number) => T,
    n: number,
    bytes: number,
  ) => new type(arena.buffer, arena.allocate(n * bytes), n);
  const bins = view(Uint8Array, rows * width, 1);
  const g = view(Float32Array, rows * outputs, 4);
  const h = view(Float32Array, rows * outputs, 4);
  const indices = view(Uint32Array, rows * outputs, 4);
  for (let i = 0; i < bins.length; i++) {
    bins[i] = random() < 0.05 ? MISSING_BIN : Math.floor(random() * 40);
  }
  for (let i = 0; i < g.length; i++) {
    g[i] = random() * 2 - 1;
    h[i] = random();
  }
  for (let c = 0; c < outputs; c++) {
    const order = indices.subarray(c * rows, (c + 1) * rows);
    order.set(Array.from({ length: rows }, (_, i) => i).sort(() => random() - 0.5));
  }
  const y = view(Float64Array, rows, 8);
  const margins = view(Float64Array, rows * outputs, 8);
  const terms = view(Float64Array, rows, 8);
  for (let i = 0; i < rows; i++) y[i] = Math.floor(random() * Math.max(2, outputs));
  for (let i = 0; i < margins.length; i++) margins[i] = random() * 6 - 3;
  const code = outputs > 1 ? LOSS_CODE.softmax : LOSS_CODE.log_loss;
  const gradients = { code, outputs, y, margins, terms };
  return { bins, rows, width, g, h, indices, arena, gradients };
}

describe('WebAssembly histogram kernel', () => {
  it('gives accumulateRows bit for bit, all rows and a row order, every feature share', () => {
    const rows = 5_000;
    const width = 7;
    const arena = KernelArena.create(1 << 20);
    expect(arena).not.toBeNull();
    const data = sources(rows, width, 2, arena!);
    const out = newHistogram(width, arena);
    const expected = new Float64Array(width * FEATURE_STRIDE);
    for (const [f0, f1] of [
      [0, width],
      [0, 3],
      [3, width],
    ] as const) {
      const kernel = histogramKernel(arena!.memory, width, f0, f1)!;
      for (const indexed of [false, true]) {
        const at = rows; // output 1
        out.sums.fill(Number.NaN); // the kernel zeroes its features itself
        const call = indexed ? kernel.indexed : kernel.rows;
        const { bins, g, h, indices } = data;
        call(
          out.address,
          bins.byteOffset,
          indices.byteOffset + at * 4,
          g.byteOffset + at * 4,
          h.byteOffset + at * 4,
          250,
          4_321,
        );
        accumulateRows(
          expected,
          bins,
          width,
          indexed ? indices.subarray(at, at + rows) : null,
          250,
          4_321,
          g.subarray(at, at + rows),
          h.subarray(at, at + rows),
          f0,
          f1,
        );
        const slice = (a: Float64Array) =>
          Array.from(a.subarray(f0 * FEATURE_STRIDE, f1 * FEATURE_STRIDE));
        expect(slice(out.sums)).toEqual(slice(expected));
      }
    }
  });

  it('builds the same bytes on 1, 2 and 3 threads, and with JavaScript alone', () => {
    const rows = 6_000;
    const width = 5;
    const arena = KernelArena.create(1 << 20)!;
    const data = sources(rows, width, 1, arena);
    const histograms = [1, 2, 3].map((threads) => {
      const builder = histogramBuilder(data, threads, 64);
      const out = newHistogram(width, arena);
      try {
        builder.build(out, 0, false, 100, 5_900);
      } finally {
        builder.close();
      }
      return Array.from(out.sums);
    });
    const plain = newHistogram(width);
    histogramBuilder({ ...data, arena: null }, 3).build(plain, 0, false, 100, 5_900);
    expect(histograms[1]).toEqual(histograms[0]);
    expect(histograms[2]).toEqual(histograms[0]);
    expect(Array.from(plain.sums)).toEqual(histograms[0]);
    expect(histograms[0]!.some((v) => v !== 0)).toBe(true);
  });
});

describe('gradient pass on the threads', () => {
  it('gives the bytes and the loss of one thread on 1, 2 and 3 threads, log loss and softmax', () => {
    for (const outputs of [1, 3]) {
      const rows = 5_000;
      const arena = KernelArena.create(1 << 20)!;
      const data = sources(rows, 4, outputs, arena);
      const loss = outputs > 1 ? 'softmax' : 'log_loss';
      const g = new Float32Array(rows * outputs);
      const h = new Float32Array(rows * outputs);
      const { y, margins } = data.gradients;
      const expected = gradients(loss, y, margins, outputs, g, h);
      for (const threads of [1, 2, 3]) {
        data.g.fill(Number.NaN);
        data.h.fill(Number.NaN);
        const builder = histogramBuilder(data, threads, 64);
        try {
          builder.gradients();
        } finally {
          builder.close();
        }
        expect(Buffer.from(data.g.slice().buffer).equals(Buffer.from(g.buffer))).toBe(true);
        expect(Buffer.from(data.h.slice().buffer).equals(Buffer.from(h.buffer))).toBe(true);
        expect(meanOfTerms(loss, data.gradients.terms)).toBe(expected);
      }
      expect(expected).toBeGreaterThan(0);
    }
  });
});

describe('WebAssembly partition kernel', () => {
  it('splits a range stably, left rows first, as the JavaScript partition', () => {
    const rows = 3_000;
    const arena = KernelArena.create(1 << 20)!;
    const kernel = partitionKernel(arena.memory)!;
    const random = mulberry32(3);
    const at = (bytes: number) => arena.allocate(bytes);
    const indices = new Uint32Array(arena.buffer, at(rows * 4), rows);
    const scratch = new Uint32Array(arena.buffer, at(rows * 4), rows);
    const column = new Uint8Array(arena.buffer, at(rows), rows);
    const table = new Uint8Array(arena.buffer, at(256), 256);
    for (let i = 0; i < rows; i++) {
      indices[i] = rows - 1 - i;
      column[i] = Math.floor(random() * 256);
    }
    for (let b = 0; b < 256; b++) table[b] = random() < 0.4 ? 1 : 0;
    const range = Array.from(indices.subarray(200, 2_700));
    const left = range.filter((i) => table[column[i]!] === 1);
    const right = range.filter((i) => table[column[i]!] === 0);
    const middle = kernel(
      indices.byteOffset,
      scratch.byteOffset,
      column.byteOffset,
      table.byteOffset,
      200,
      2_700,
    );
    expect(middle).toBe(200 + left.length);
    expect(Array.from(indices.subarray(200, 2_700))).toEqual([...left, ...right]);
    expect(indices[199]).toBe(rows - 200); // outside the range: untouched
    expect(indices[2_700]).toBe(rows - 2_701);
  });
});
